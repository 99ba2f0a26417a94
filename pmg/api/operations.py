"""Personal API tokens: issued, revoked, and checked on each request to the API.

A token reads ``pmg_<prefix>_<secret>``: the prefix (12 hex digits, not secret) finds its
row, the secret is 32 random bytes; only the SHA-256 of the whole token is stored, and the
token itself is shown once, when issued. Requests refused for their token are throttled
like logins, per token prefix and per address (:func:`pmg.auth.operations.throttle`).
Operations flush, never commit.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select, update

from pmg.api.audit_names import TokenAction
from pmg.api.models import ApiToken, ApiTokenFailure
from pmg.audit.operations import record
from pmg.auth.models import User
from pmg.auth.operations import throttle
from pmg.core.errors import DomainError, NotFound
from pmg.core.models import utcnow
from pmg.core.permissions import Role
from pmg.extensions import db

# Who may hold a token (issue 15: DIPRES, the Secretaría's reviewers and the admins). What a
# token sees is what its account sees on the web, whatever its role is now.
TOKEN_ROLES = frozenset({Role.DIPRES, Role.REVIEWER, Role.ADMIN})
MIN_DAYS, MAX_DAYS, DEFAULT_DAYS = 1, 365, 90
MAX_NAME = 100
SHAPE = re.compile(r"pmg_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")
# A token's last use is written at most this often: not one write per request.
LAST_USE_STEP = timedelta(minutes=1)


class InvalidToken(DomainError):
    """The request's token opens nothing: unknown, malformed, expired, revoked, or its
    account is disabled. The API answers 401 with this message, whichever it was."""

    status_code = 401


INVALID = "El token no es válido, venció o fue revocado."


@dataclass(frozen=True)
class IssuedToken:
    """A token just issued: its row, and the token itself, to be shown once."""

    token: ApiToken
    secret: str


def digest(token: str) -> str:
    """What is stored of a token: its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A new token, and its prefix."""
    prefix = secrets.token_hex(6)
    return f"pmg_{prefix}_{secrets.token_urlsafe(32)}", prefix


def may_hold_token(user: User) -> bool:
    return user.role in TOKEN_ROLES


def issue_token(user: User, name: str, days: int, *, actor: User | None) -> IssuedToken:
    """A new token of ``user`` named ``name``, valid ``days`` days from now.

    ``actor``: who issued it (the person on their account page), ``None`` for the command
    line."""
    name = name.strip()
    if not may_hold_token(user):
        roles = ", ".join(role.label for role in Role if role in TOKEN_ROLES)
        raise DomainError(f"Solo estas cuentas pueden tener tokens de la API: {roles}.")
    if not user.active:
        raise DomainError(f"La cuenta de {user.email} está deshabilitada.")
    if not name or len(name) > MAX_NAME:
        raise DomainError(f"El nombre debe tener entre 1 y {MAX_NAME} caracteres.")
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise DomainError(f"La vigencia debe ser de {MIN_DAYS} a {MAX_DAYS} días.")
    secret, prefix = new_token()
    now = utcnow()
    token = ApiToken(
        user=user,
        name=name,
        prefix=prefix,
        token_hash=digest(secret),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(token)
    db.session.flush()
    after = {"name": name, "prefix": prefix, "expires_at": token.expires_at.isoformat()}
    record(TokenAction.CREATE, token, actor=actor, after=after)
    return IssuedToken(token, secret)


def tokens_of(user: User) -> list[ApiToken]:
    """Every token of ``user``, newest first (ended ones too: the page says why)."""
    query = select(ApiToken).where(ApiToken.user_id == user.id)
    return list(db.session.scalars(query.order_by(ApiToken.id.desc())))


def revoke_token(user: User, token_id: int, *, actor: User) -> ApiToken:
    """End ``user``'s token ``token_id`` now (one already revoked stays as it is); another
    person's token is not found."""
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    )
    if token is None:
        raise NotFound("El token no existe.")
    if token.revoked_at is not None:
        return token
    token.revoked_at = utcnow()
    db.session.flush()
    record(TokenAction.REVOKE, token, actor=actor, after={"name": token.name})
    return token


def authenticate(presented: str, address: str) -> User:
    """The account the token ``presented`` acts as; :class:`InvalidToken` otherwise (and
    the failure is recorded, to throttle), or ``TooManyAttempts`` while throttled."""
    shaped = SHAPE.fullmatch(presented)
    tried = shaped.group(1) if shaped else address
    throttle(ApiTokenFailure, tried, address, "intentos con un token no válido")
    now = utcnow()
    token = None
    if shaped:
        token = db.session.scalar(
            select(ApiToken).where(ApiToken.prefix == tried, ApiToken.working(now))
        )
    if (
        token is None
        or not hmac.compare_digest(token.token_hash, digest(presented))
        or not token.user.active
    ):
        db.session.add(ApiTokenFailure(email=tried, address=address, at=now))
        db.session.flush()
        raise InvalidToken(INVALID)
    db.session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token.id,
            or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < now - LAST_USE_STEP),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    return token.user
