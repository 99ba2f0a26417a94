"""The stored PDF of a version: rendered once for each state it shows, then kept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pmg.core.caching import unseen_writes
from pmg.core.models import UTCDateTime, utcnow
from pmg.extensions import Model


class StoredPdf(Model):
    """A version's PDF as it read at ``shows_as_of`` (the last change its document shows:
    :meth:`~pmg.exports.documents.queries.VersionReviewData.last_change`): the file's
    generated name in ``PMG_PDF_DIR``, its size and SHA-256.

    One per version and moment; the database refuses UPDATE and DELETE on this table
    (triggers in the migration): a PDF handed out as evidence is never replaced.
    """

    __tablename__ = "stored_pdfs"
    __table_args__ = (UniqueConstraint("version_id", "shows_as_of"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Looked up by the unique (version, moment), whose index leads with the version.
    version_id: Mapped[int] = mapped_column(ForeignKey("submission_versions.id"))
    shows_as_of: Mapped[datetime] = mapped_column(UTCDateTime)
    stored_name: Mapped[str] = mapped_column(String(32), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    rendered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# No kept page shows the stored PDFs (a version's page asks at each request whether its
# PDF is ready): storing one, at a download or in a worker, keeps what pages computed.
unseen_writes(StoredPdf.__tablename__)
