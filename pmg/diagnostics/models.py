"""What the diagnostic keeps beside its draft."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pmg.core.models import UTCDateTime, utcnow
from pmg.extensions import Model

if TYPE_CHECKING:
    from pmg.auth.models import User
    from pmg.submissions.models import Submission

# Suggestion keys are short and bounded (pmg.diagnostics.suggestions).
KEY_LENGTH = 100


class DismissedSuggestion(Model):
    """A suggested gap the coordinator dismissed: it is not proposed again for the submission.

    Kept in a table of its own, never in the draft: the draft is what was typed, rebuilt
    from the form at every save, and everything made from it (versions, their hash, the
    PDF, the exports) stays free of the page's own bookkeeping.
    """

    __tablename__ = "dismissed_suggestions"
    __table_args__ = (UniqueConstraint("submission_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    dismissed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    dismissed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    submission: Mapped[Submission] = relationship()
    dismissed_by: Mapped[User] = relationship()
