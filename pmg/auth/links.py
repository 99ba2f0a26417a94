"""Links to set a password: a new account's first one, and a forgotten one's.

A link carries a random token; only its SHA-256 is stored (:class:`PasswordLink`), with
its purpose, its expiry and when it ended. It works once, until it expires, and only for
its own purpose's page; sending a new link, or setting the password any other way, ends
the ones still open. The mail that carries it is queued by whoever receives
:data:`pmg.auth.signals.password_link_issued` (pmg.notifications): this package never
sees the outbox. Operations flush, never commit.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from flask import current_app
from sqlalchemy import select, update

from pmg.audit.actions import AuditAction
from pmg.audit.operations import record
from pmg.auth.audit_names import AccountAction
from pmg.auth.models import PasswordLink, PasswordLinkPurpose, PasswordLinkRequest, User
from pmg.auth.operations import normalize_email, revoke_password_links, set_password, throttle
from pmg.auth.signals import announce_link
from pmg.core.errors import DomainError
from pmg.core.models import utcnow
from pmg.extensions import db

TOKEN_BYTES = 32
# What secrets.token_urlsafe(TOKEN_BYTES) writes: anything else is no link of ours.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
# The page each purpose's link opens.
ENDPOINTS = {
    PasswordLinkPurpose.INVITATION: "auth.activate_account",
    PasswordLinkPurpose.RESET: "auth.reset_password",
}
VALIDITY = {
    PasswordLinkPurpose.INVITATION: "PMG_INVITATION_LINK_VALID",
    PasswordLinkPurpose.RESET: "PMG_RESET_LINK_VALID",
}


class InvalidLink(DomainError):
    """The link cannot set a password; the message says why and the page offers another."""

    status_code = 404


class EndedLink(InvalidLink):
    status_code = 410


MALFORMED = (
    "El enlace no es válido: puede estar incompleto o mal copiado. Copie la dirección "
    "completa desde el correo, o pida un enlace nuevo."
)
USED = "Este enlace ya se usó: cada enlace sirve una sola vez."
REPLACED = (
    "Este enlace ya no sirve: se envió uno más reciente o la contraseña se cambió "
    "después. Use el enlace del último correo, o pida uno nuevo."
)
EXPIRED = "Este enlace venció. Pida uno nuevo: llegará a su correo."
DISABLED = "Su cuenta está deshabilitada. Contacte a la administración del sistema."


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_path(purpose: PasswordLinkPurpose, token: str) -> str:
    """The path of the page a link opens, from the routes alone: never from a request, whose
    Host and prefix the client chooses. Mail puts the configured base URL before it."""
    return current_app.url_map.bind("").build(ENDPOINTS[purpose], {"token": token})


def send_link(
    user: User, purpose: PasswordLinkPurpose | None = None, *, actor: User | None
) -> PasswordLink:
    """Make a new link for ``user`` (the ones still open end) and announce it, so that it is
    mailed. ``purpose``: by default, the first password of an account without one, else a
    new one. ``actor``: the admin who sent it, ``None`` for the person's own request."""
    if not user.active:
        raise DomainError(
            f"La cuenta de {user.name} está deshabilitada: habilítela antes de enviarle un enlace."
        )
    if purpose is None:
        purpose = PasswordLinkPurpose.RESET if user.has_password else PasswordLinkPurpose.INVITATION
    revoke_password_links(user)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    link = PasswordLink(
        user=user,
        purpose=purpose,
        token_hash=_digest(token),
        created_at=now,
        expires_at=now + current_app.config[VALIDITY[purpose]],
    )
    db.session.add(link)
    db.session.flush()
    after = {"purpose": purpose.value, "expires_at": link.expires_at.isoformat()}
    record(AccountAction.PASSWORD_LINK_SENT, user, actor=actor, after=after)
    announce_link(user, path=link_path(purpose, token), purpose=purpose, expires_at=link.expires_at)
    return link


def open_link(purpose: PasswordLinkPurpose, token: str) -> PasswordLink:
    """The link ``token`` is for ``purpose``'s page, if it still works; else
    :class:`InvalidLink` saying why (a token of the other purpose is unknown here)."""
    if not TOKEN_SHAPE.fullmatch(token):
        raise InvalidLink(MALFORMED)
    link = db.session.scalar(
        select(PasswordLink).where(
            PasswordLink.token_hash == _digest(token), PasswordLink.purpose == purpose
        )
    )
    if link is None:
        raise InvalidLink(MALFORMED)
    if link.used_at is not None:
        raise EndedLink(USED)
    if link.revoked_at is not None:
        raise EndedLink(REPLACED)
    if link.expires_at <= utcnow():
        raise EndedLink(EXPIRED)
    if not link.user.active:
        raise EndedLink(DISABLED)
    return link


def use_link(purpose: PasswordLinkPurpose, token: str, password: str, address: str) -> User:
    """Set the password of the account the link opens, end the link and return the account,
    recorded as logged in from ``address`` (the page signs the person in).

    The link is claimed by a conditional update, so of two requests with the same token
    only one sets a password. Every session of the account and every other link end.
    """
    link = open_link(purpose, token)
    claimed = db.session.execute(
        update(PasswordLink)
        .where(PasswordLink.id == link.id, PasswordLink.still_open())
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE's result has it
        raise EndedLink(USED)
    user = link.user
    set_password(user, password, actor=user, link=purpose)
    record(AuditAction.LOGIN, user, actor=user, after={"address": address, "link": True})
    return user


def request_link(email: str, address: str) -> None:
    """«¿Olvidó su contraseña?»: mail a link to the account ``email`` names, if it is an
    enabled one; throttled per e-mail and address like logins.

    The caller answers the same whatever happened here, and this does the same visible work
    (a request recorded, an audit entry) for an unknown e-mail as for an account's.
    """
    email = normalize_email(email)
    throttle(PasswordLinkRequest, email, address, "pedidos de enlace para la contraseña")
    attempt = PasswordLinkRequest(email=email, address=address, at=utcnow())
    db.session.add(attempt)
    db.session.flush()
    user = db.session.scalar(select(User).where(User.email == email))
    outcome = "unknown_email" if user is None else "sent" if user.active else "account_disabled"
    after = {"email": email, "address": address, "outcome": outcome}
    record(AccountAction.PASSWORD_LINK_REQUESTED, attempt, after=after)
    if user is not None and user.active:
        send_link(user, PasswordLinkPurpose.RESET, actor=None)
