from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, ForeignKey, String, and_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pmg.auth.models import Attempt, User
from pmg.core.caching import unseen_writes
from pmg.core.models import UTCDateTime, utcnow
from pmg.extensions import Model


class ApiToken(Model):
    """A person's token for the API: it acts as its account, with what the account may see.

    Only the SHA-256 of the token is kept; its ``prefix`` (also written at its start) is not
    secret and finds the row. A token ends when it expires or is revoked.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(12), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @classmethod
    def working(cls, now: datetime) -> ColumnElement[bool]:
        """Neither revoked nor expired at ``now``: the rule as SQL, for finding tokens."""
        return and_(cls.revoked_at.is_(None), cls.expires_at > now)

    def works(self, now: datetime) -> bool:
        """:meth:`working` of this token: what its row on the tokens page offers."""
        return self.revoked_at is None and self.expires_at > now


class ApiTokenFailure(Attempt, Model):
    """A request refused for its token, kept to throttle them (see
    :func:`pmg.auth.operations.throttle`): ``email`` holds what was tried, the prefix of the
    token presented, or the address itself when it had none."""

    __tablename__ = "api_token_failures"
    __table_args__ = Attempt.indexes(__tablename__)


# A token's last use and a refused request change no page that keeps what it computed.
unseen_writes(ApiToken.__tablename__, ApiTokenFailure.__tablename__)
