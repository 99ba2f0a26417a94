"""How the audit trail names accounts, login attempts and requests for a password link, and
labels the actions only this package records (see :mod:`pmg.audit.names`)."""

from __future__ import annotations

from sqlalchemy import select

from pmg.audit.actions import register_action_labels
from pmg.audit.names import RowNamer, register_names
from pmg.auth.models import LoginAttempt, PasswordLinkRequest, User
from pmg.core.models import LabelledEnum


class AccountAction(LabelledEnum):
    """What the trail records that only this package does (the rest: AuditAction)."""

    IMPORT = ("user.import", "Coordinadores importados desde una planilla")
    PASSWORD_LINK_SENT = ("user.password_link", "Enlace para crear la contraseña enviado")
    PASSWORD_LINK_REQUESTED = (
        "auth.password_link_request",
        "Enlace para la contraseña pedido («¿Olvidó su contraseña?»)",
    )


register_names(
    "User",
    "Cuenta",
    RowNamer(User, lambda: select(User.id, User.email), lambda r: f"Cuenta {r.email}"),
)
register_names(
    "LoginAttempt",
    "Intento de ingreso",
    RowNamer(
        LoginAttempt,
        lambda: select(LoginAttempt.id, LoginAttempt.email),
        lambda r: f"Intento de ingreso con {r.email}",
    ),
)
register_names(
    "PasswordLinkRequest",
    "Pedido de enlace para la contraseña",
    RowNamer(
        PasswordLinkRequest,
        lambda: select(PasswordLinkRequest.id, PasswordLinkRequest.email),
        lambda r: f"Pedido de enlace para la contraseña de {r.email}",
    ),
)
register_action_labels({action.value: action.label for action in AccountAction})
