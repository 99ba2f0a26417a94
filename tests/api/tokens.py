"""Tokens for the API in tests."""

from __future__ import annotations

from datetime import timedelta

from pmg.api.models import ApiToken
from pmg.api.operations import digest, may_hold_token, new_token
from pmg.auth.models import User
from pmg.core.models import utcnow
from pmg.extensions import db


def token_for(user: User) -> str:
    """A working token of ``user``, of any role: a coordinator's is one issued while the
    account was DIPRES's, reviewer's or admin's, kept after its role changed (a token sees
    what its account sees now)."""
    secret, prefix = new_token()
    assert may_hold_token(user) or user.institutions
    token = ApiToken(
        user=user,
        name="Pruebas",
        prefix=prefix,
        token_hash=digest(secret),
        expires_at=utcnow() + timedelta(days=1),
    )
    db.session.add(token)
    db.session.commit()
    return secret


def bearer(user: User) -> dict[str, str]:
    """The ``Authorization`` header of a new token of ``user``."""
    return {"Authorization": f"Bearer {token_for(user)}"}
