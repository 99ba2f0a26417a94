from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, ColumnElement, ForeignKey, Index, String, Text, and_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pmg.core.caching import unseen_writes
from pmg.core.models import LabelledEnum, UTCDateTime, enum_column, utcnow
from pmg.core.permissions import Role
from pmg.core.search import keeps_search_text
from pmg.extensions import Model
from pmg.institutions.models import Institution, user_institutions

if TYPE_CHECKING:

    class UserMixin:
        """Flask-Login ships no types, so its mixin would be ``Any`` and make a User fit
        any parameter. What it adds is only reached through ``current_user``."""

else:
    from flask_login import UserMixin


# The password hash of an account whose person has not chosen a password yet: no password
# matches it, so the account cannot log in until its link is used.
NO_PASSWORD = ""


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, Model):
    """A person with exactly one role; coordinators are linked to their institutions."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role, "user_role"))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Rotated on logout, disable and password change: every older session stops working.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What the users list's search box ("Nombre o correo") looks in; see pmg.core.search.
    search_text: Mapped[str] = mapped_column(Text)

    institutions: Mapped[list[Institution]] = relationship(
        secondary=user_institutions, order_by="Institution.name"
    )

    _refresh_search_text = keeps_search_text("name", "email")

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def has_password(self) -> bool:
        """False for a new account until its person sets a password with the link mailed."""
        return self.password_hash != NO_PASSWORD

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role.value}>"


class Attempt:
    """Something tried with an e-mail from an address, counted to throttle (see
    :func:`pmg.auth.operations.throttle`): each table indexes ``(email, at)`` and
    ``(address, at)``."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @staticmethod
    def indexes(table: str) -> tuple[Index, Index]:
        return (
            Index(f"ix_{table}_email_at", "email", "at"),
            Index(f"ix_{table}_address_at", "address", "at"),
        )


class LoginAttempt(Attempt, Model):
    """One login attempt, kept to throttle failures per account and per address."""

    __tablename__ = "login_attempts"
    __table_args__ = Attempt.indexes(__tablename__)

    succeeded: Mapped[bool] = mapped_column(Boolean)


class PreservedForm(Model):
    """What a person had typed when their session expired, kept until they log in again.

    Only the same user, back on the same page, gets it back.
    """

    __tablename__ = "preserved_forms"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(500))
    data: Mapped[dict[str, list[str]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PasswordLinkPurpose(LabelledEnum):
    """Why a link to set a password was sent: each opens its own page (its own URL)."""

    INVITATION = ("invitation", "Creación de la contraseña de una cuenta nueva")
    RESET = ("reset", "Nueva contraseña")


class PasswordLink(Model):
    """A single-use, time-limited link to set an account's password.

    Only the SHA-256 of its token is kept: the token itself travels in the mail alone. A
    link ends when used, when a newer one is sent or the password is set another way
    (``revoked_at``), or when it expires.
    """

    __tablename__ = "password_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[PasswordLinkPurpose] = mapped_column(
        enum_column(PasswordLinkPurpose, "password_link_purpose")
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @classmethod
    def still_open(cls) -> ColumnElement[bool]:
        """Neither used nor revoked (it may have expired)."""
        return and_(cls.used_at.is_(None), cls.revoked_at.is_(None))


class PasswordLinkRequest(Attempt, Model):
    """One «¿Olvidó su contraseña?» request, kept to throttle them per e-mail and address,
    whether or not the e-mail is an account's."""

    __tablename__ = "password_link_requests"
    __table_args__ = Attempt.indexes(__tablename__)


# Bookkeeping of sign-ins and of typed input kept across an expired session: no kept page
# shows it (pmg.core.caching).
unseen_writes(
    LoginAttempt.__tablename__, PreservedForm.__tablename__, PasswordLinkRequest.__tablename__
)
