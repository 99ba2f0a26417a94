"""How the audit trail names accounts and login attempts (see :mod:`pmg.audit.names`)."""

from __future__ import annotations

from sqlalchemy import select

from pmg.audit.names import RowNamer, register_names
from pmg.auth.models import LoginAttempt, User

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
