from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pmg.core.caching import unseen_writes, watch_writes
from pmg.core.models import UTCDateTime, utcnow
from pmg.extensions import Model


class AuditEntry(Model):
    """One fact of the trail. Rows are never updated or deleted (the database refuses).

    ``entry_hash`` covers every field and the previous entry's hash, so a changed
    or removed entry breaks the chain from that point on.
    """

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor_email: Mapped[str] = mapped_column(String(254), default="")
    actor_role: Mapped[str] = mapped_column(String(20), default="")
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    after: Mapped[Any] = mapped_column(JSON, nullable=True)
    previous_hash: Mapped[str] = mapped_column(String(64), unique=True)
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)

    # Named, not imported: the trail sits below the institutions it refers to.
    institution: Mapped[Any] = relationship("Institution", viewonly=True, lazy="raise")


# The trail is shown only by its own page (pmg.core.caching): recording a download alone
# leaves what the other pages keep as it is, and changes the trail's own stamp, under
# which its page keeps its table.
unseen_writes(AuditEntry.__tablename__)
watch_writes(AuditEntry.__tablename__)
