from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pmg.core.caching import unseen_writes
from pmg.core.models import UTCDateTime, utcnow
from pmg.extensions import Model


class OutgoingMail(Model):
    """One message, written in the transaction of the change it tells about.

    Sending happens after the commit; a failure leaves the row unsent for the next try.
    ``dedupe_key`` makes a reminder go out once however often the command runs.
    """

    __tablename__ = "outgoing_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")


# The outbox has its own page; no kept page shows it (pmg.core.caching).
unseen_writes(OutgoingMail.__tablename__)
