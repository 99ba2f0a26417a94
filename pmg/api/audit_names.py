"""How the audit trail names API tokens and labels what is done with them."""

from __future__ import annotations

from sqlalchemy import select

from pmg.api.models import ApiToken
from pmg.audit.actions import register_action_labels
from pmg.audit.names import RowNamer, register_names
from pmg.auth.models import User
from pmg.core.models import LabelledEnum


class TokenAction(LabelledEnum):
    CREATE = ("api_token.create", "Token de la API creado")
    REVOKE = ("api_token.revoke", "Token de la API revocado")


register_action_labels({action.value: action.label for action in TokenAction})
register_names(
    "ApiToken",
    "Token de la API",
    RowNamer(
        ApiToken,
        lambda: select(ApiToken.id, ApiToken.name, User.email).join(ApiToken.user),
        lambda row: f"Token de la API «{row.name}» de {row.email}",
    ),
)
