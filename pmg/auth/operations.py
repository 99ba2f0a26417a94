"""Every change to a user, and the login check with its throttling.

Operations flush but never commit: the route or CLI command owns the transaction.
Each change is recorded in the audit trail: field names and values, never a password
or its hash. ``actor`` is ``None`` for the command line.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, func, or_, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from pmg.audit.actions import AuditAction
from pmg.audit.operations import record, split_changes
from pmg.auth.models import (
    NO_PASSWORD,
    Attempt,
    LoginAttempt,
    PasswordLink,
    PasswordLinkPurpose,
    User,
    new_session_token,
)
from pmg.core.errors import Conflict, DomainError, TooManyAttempts
from pmg.core.models import utcnow
from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.institutions.models import Institution

MIN_PASSWORD_LENGTH = 10
INVALID_CREDENTIALS = "Correo o contraseña incorrectos."


@cache
def _dummy_hash(method: str) -> str:
    """Compared against when the e-mail is unknown, so both answers take the same time."""
    return generate_password_hash("pmg-cseu-dummy-password", method=method)


class InvalidCredentials(DomainError):
    status_code = 200


class AccountDisabled(DomainError):
    status_code = 200


class WrongPassword(DomainError):
    """The current password typed to change one's own is not the account's."""


def normalize_email(email: str) -> str:
    return email.strip().lower()


def password_problem(password: str) -> str | None:
    """The reason a password is not acceptable, or ``None``."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"La contraseña debe tener al menos {MIN_PASSWORD_LENGTH} caracteres."
    if not password.strip():
        return "La contraseña no puede estar formada solo por espacios."
    return None


def _hash_password(password: str) -> str:
    problem = password_problem(password)
    if problem:
        raise DomainError(problem)
    return generate_password_hash(password, method=current_app.config["PMG_PASSWORD_METHOD"])


def throttle(
    attempts: type[Attempt],
    email: str,
    address: str,
    what: str,
    *counted: ColumnElement[bool],
) -> None:
    """Refuse when ``email`` or ``address`` made the configured number of ``counted``
    attempts within the window; ``what`` names them in the message."""
    window = current_app.config["PMG_LOGIN_WINDOW"]
    limit = current_app.config["PMG_LOGIN_MAX_FAILURES"]
    by_email, by_address = db.session.execute(
        select(
            func.count().filter(attempts.email == email),
            func.count().filter(attempts.address == address),
        ).where(
            attempts.at >= utcnow() - window,
            or_(attempts.email == email, attempts.address == address),
            *counted,
        )
    ).one()
    if by_email >= limit or by_address >= limit:
        minutes = int(window.total_seconds() // 60)
        raise TooManyAttempts(
            f"Demasiados {what}. Espere {minutes} minutos antes de intentar nuevamente."
        )


def check_throttle(email: str, address: str) -> None:
    """Refuse when the account or the address has too many recent failures."""
    throttle(
        LoginAttempt,
        email,
        address,
        "intentos fallidos de inicio de sesión",
        LoginAttempt.succeeded.is_(False),
    )


def authenticate(email: str, password: str, address: str) -> User:
    """Return the user these credentials belong to, recording the attempt.

    An unknown e-mail and a wrong password get the same answer.
    """
    email = normalize_email(email)
    check_throttle(email, address)
    user = db.session.scalar(select(User).where(User.email == email))
    method = current_app.config["PMG_PASSWORD_METHOD"]
    # An account without a password yet is compared as an unknown e-mail is: same time.
    stored = user.password_hash if user is not None and user.has_password else None
    matches = check_password_hash(stored or _dummy_hash(method), password)
    valid = stored is not None and matches
    attempt = LoginAttempt(
        email=email, address=address, succeeded=bool(valid and user and user.active)
    )
    db.session.add(attempt)
    db.session.flush()
    if user is None or not valid:
        _record_failure(attempt, "invalid_credentials")
        raise InvalidCredentials(INVALID_CREDENTIALS)
    if not user.active:
        _record_failure(attempt, "account_disabled")
        raise AccountDisabled(
            "Su cuenta está deshabilitada. Contacte a la administración del sistema."
        )
    record(AuditAction.LOGIN, user, actor=user, after={"address": address})
    return user


def _record_failure(attempt: LoginAttempt, reason: str) -> None:
    """A refused login, by nobody: the e-mail typed, never the password."""
    after = {"email": attempt.email, "address": attempt.address, "reason": reason}
    record(AuditAction.LOGIN_FAILED, attempt, after=after)


def _ensure_email_free(email: str, user: User | None = None) -> None:
    query = select(User.id).where(User.email == email)
    if user is not None:
        query = query.where(User.id != user.id)
    if db.session.scalar(query) is not None:
        raise Conflict(f"Ya existe una cuenta con el correo {email}.")


def _check_institutions(role: Role, institutions: Iterable[Institution]) -> list[Institution]:
    chosen = list(institutions)
    if role is Role.COORDINATOR and not chosen:
        raise DomainError("Un coordinador debe estar asociado al menos a una institución.")
    return chosen if role is Role.COORDINATOR else []


def describe(user: User) -> dict[str, Any]:
    """What the audit trail keeps about an account (no password, no hash, no token)."""
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role.value,
        "active": user.active,
        "institutions": sorted(institution.code for institution in user.institutions),
    }


def create_user(
    *,
    email: str,
    name: str,
    role: Role,
    password: str | None,
    institutions: Iterable[Institution] = (),
    actor: User | None = None,
) -> User:
    """A new account; with ``password=None`` it cannot log in until its person sets one
    (:func:`pmg.auth.links.send_link` mails them the link)."""
    email = normalize_email(email)
    _ensure_email_free(email)
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        active=True,
        password_hash=NO_PASSWORD if password is None else _hash_password(password),
        institutions=_check_institutions(role, institutions),
    )
    db.session.add(user)
    db.session.flush()
    record(AuditAction.USER_CREATE, user, actor=actor, after=describe(user))
    return user


def update_user(
    user: User,
    *,
    email: str,
    name: str,
    role: Role,
    institutions: Iterable[Institution],
    actor: User | None = None,
) -> None:
    email = normalize_email(email)
    _ensure_email_free(email, user)
    old = describe(user)
    user.institutions = _check_institutions(role, institutions)
    if user.role is not role:
        user.session_token = new_session_token()
    if user.email != email:  # a link mailed to the old address must not open the account
        revoke_password_links(user)
    user.email, user.name, user.role = email, name.strip(), role
    db.session.flush()
    new = describe(user)
    changes = {key: (old[key], new[key]) for key in new if old[key] != new[key]}
    if changes:
        before, after = split_changes(changes)
        record(AuditAction.USER_UPDATE, user, actor=actor, before=before, after=after)


def set_password(
    user: User,
    password: str,
    *,
    actor: User | None = None,
    link: PasswordLinkPurpose | None = None,
) -> None:
    """Set a new password and end every existing session of the user and every link to
    set it still open; ``link``: the purpose of the link it was set with, if any."""
    user.password_hash = _hash_password(password)
    user.password_changed_at = utcnow()
    end_sessions(user)
    revoke_password_links(user)
    after: dict[str, Any] = {"changed": ["password"], "sessions_ended": True}
    if link is not None:
        after["link"] = link.value
    record(AuditAction.USER_PASSWORD_SET, user, actor=actor, after=after)


def revoke_password_links(user: User) -> None:
    """End every link to set ``user``'s password that is still open (see :mod:`pmg.auth.links`)."""
    db.session.execute(
        update(PasswordLink)
        .where(PasswordLink.user_id == user.id, PasswordLink.still_open())
        .values(revoked_at=utcnow())
    )


def change_own_password(user: User, current: str, password: str) -> None:
    """``user`` sets a new password, proving who they are with the one they have now."""
    if not check_password_hash(user.password_hash, current):
        raise WrongPassword("La contraseña actual no es correcta.")
    set_password(user, password, actor=user)


def set_active(user: User, active: bool, *, actor: User | None) -> None:
    if actor is not None and user.id == actor.id and not active:
        raise DomainError("No puede deshabilitar su propia cuenta.")
    if user.active == active:
        return
    user.active = active
    if not active:
        end_sessions(user)
        revoke_password_links(user)
    db.session.flush()
    action = AuditAction.USER_ENABLE if active else AuditAction.USER_DISABLE
    record(action, user, actor=actor, before={"active": not active}, after={"active": active})


def sign_out(user: User) -> None:
    """End the session ``user`` is using, and every other one."""
    end_sessions(user)
    record(AuditAction.LOGOUT, user, actor=user)


def end_sessions(user: User) -> None:
    """Invalidate every session cookie issued to ``user`` so far."""
    user.session_token = new_session_token()
    db.session.flush()
