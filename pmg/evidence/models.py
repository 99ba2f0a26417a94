from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pmg.core.models import LabelledEnum, UTCDateTime, enum_column, utcnow
from pmg.extensions import Model

if TYPE_CHECKING:
    from pmg.auth.models import User
    from pmg.submissions.models import Submission, SubmissionVersion


class EvidenceType(LabelledEnum):
    """The accepted file types, decided by content, never by the file name."""

    PDF = ("pdf", "PDF")
    PNG = ("png", "Imagen PNG")
    JPEG = ("jpeg", "Imagen JPEG")
    DOCX = ("docx", "Documento Word (.docx)")
    XLSX = ("xlsx", "Planilla Excel (.xlsx)")
    ODT = ("odt", "Documento OpenDocument (.odt)")
    ODS = ("ods", "Planilla OpenDocument (.ods)")
    CSV = ("csv", "Datos separados por comas (.csv)")


class EvidenceFile(Model):
    """An uploaded file attached to a submission, or to one action of a plan.

    Stored under ``stored_name`` (generated) outside anything served as static.
    Once a submitted version lists it (``first_version_id``), it can no longer be
    removed or replaced.
    """

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    action_key: Mapped[str | None] = mapped_column(String(36))
    declared_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    file_type: Mapped[EvidenceType] = mapped_column(enum_column(EvidenceType, "evidence_type"))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    first_version_id: Mapped[int | None] = mapped_column(ForeignKey("submission_versions.id"))

    submission: Mapped[Submission] = relationship(back_populates="evidence")
    uploaded_by: Mapped[User] = relationship()
    first_version: Mapped[SubmissionVersion | None] = relationship()

    @property
    def frozen(self) -> bool:
        return self.first_version_id is not None
