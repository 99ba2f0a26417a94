from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pmg.core.models import LabelledEnum, UTCDateTime, enum_column, utcnow
from pmg.extensions import Model

if TYPE_CHECKING:
    from pmg.auth.models import User
    from pmg.cycles.models import Cycle
    from pmg.evidence.models import EvidenceFile
    from pmg.institutions.models import Institution

Document = JSON().with_variant(JSONB(), "postgresql")


class SubmissionKind(LabelledEnum):
    DIAGNOSTIC = ("diagnostic", "Diagnóstico de brechas")
    PLAN = ("plan", "Plan de mejora")


class SubmissionState(LabelledEnum):
    DRAFT = ("draft", "Borrador")
    SUBMITTED = ("submitted", "Enviado")
    IN_REVIEW = ("in_review", "En revisión")
    OBSERVED = ("observed", "Con observaciones")
    RESUBMITTED = ("resubmitted", "Reenviado")
    APPROVED = ("approved", "Aprobado")
    REJECTED = ("rejected", "Rechazado")


class Action(LabelledEnum):
    """What moves a submission from one state to another (the table is in ``workflow``)."""

    SUBMIT = ("submit", "enviar")
    TAKE = ("take", "tomar para revisión")
    ASSIGN = ("assign", "asignar")
    OBSERVE = ("observe", "enviar observaciones de")
    RESUBMIT = ("resubmit", "reenviar")
    # A resubmission going back, by itself, to whoever reviewed it: the coordinator's
    # resubmitting causes it (pmg.review), no page offers it.
    RETURN = ("return", "devolver a quien lo revisó")
    APPROVE = ("approve", "aprobar")
    REJECT = ("reject", "rechazar")


class Submission(Model):
    """What one institution sends for one kind in one cycle: a draft and its versions.

    ``lock_version`` is SQLAlchemy's version counter: an UPDATE that finds another
    number than the one it read changes nothing and raises, so two people acting on
    the same page cannot both win.
    """

    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("institution_id", "cycle_id", "kind"),
        # The reviewers' queue: its default order, and its counts per state.
        Index("ix_submissions_cycle_sent", "cycle_id", "last_sent_at", "id"),
        Index("ix_submissions_cycle_state", "cycle_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    kind: Mapped[SubmissionKind] = mapped_column(enum_column(SubmissionKind, "submission_kind"))
    state: Mapped[SubmissionState] = mapped_column(
        enum_column(SubmissionState, "submission_state"), default=SubmissionState.DRAFT, index=True
    )
    draft: Mapped[dict[str, Any]] = mapped_column(Document, default=dict)
    # What the draft started with from the official consolidated files, kept apart from the
    # draft so that the form cannot forge it (shape in pmg.submissions.prefill).
    prefilled: Mapped[dict[str, Any]] = mapped_column(Document, default=dict)
    draft_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    draft_saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The ``submitted_at`` of the latest version, kept by ``submit``: none until sent.
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who moved it last, for the message to someone acting on an older page.
    state_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state_changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Set when observed: the last day to answer, correct and resubmit.
    correction_due: Mapped[date | None] = mapped_column(Date)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    institution: Mapped[Institution] = relationship()
    cycle: Mapped[Cycle] = relationship()
    draft_saved_by: Mapped[User | None] = relationship(foreign_keys=[draft_saved_by_id])
    state_changed_by: Mapped[User | None] = relationship(foreign_keys=[state_changed_by_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])
    versions: Mapped[list[SubmissionVersion]] = relationship(
        back_populates="submission", order_by="SubmissionVersion.number"
    )
    evidence: Mapped[list[EvidenceFile]] = relationship(
        back_populates="submission", order_by="EvidenceFile.id"
    )

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def latest_version(self) -> SubmissionVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def correction_deadline(self) -> date | None:
        """The last day to resubmit after observations: the date given when observed, or
        the end of the cycle's correction window if an admin extended it since."""
        if self.correction_due is None:
            return None
        return max(self.correction_due, self.cycle.correction_end)


class SubmissionVersion(Model):
    """A submitted, numbered, immutable copy of the content with its SHA-256.

    The database refuses UPDATE and DELETE on this table (triggers in the migration).
    """

    __tablename__ = "submission_versions"
    __table_args__ = (UniqueConstraint("submission_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    # The exact canonical JSON text that was hashed: what was sent, byte for byte.
    content_json: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    warnings: Mapped[list[dict[str, str]]] = mapped_column(Document, default=list)
    requirements_version: Mapped[str | None] = mapped_column(String(40))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    submission: Mapped[Submission] = relationship(back_populates="versions")
    submitted_by: Mapped[User] = relationship()

    @property
    def content(self) -> dict[str, Any]:
        return version_document(self.content_json)


def version_document(text: str) -> dict[str, Any]:
    """A version's ``content_json`` as data: what every reader of a version decodes.

    orjson reads it in about half the time the standard library takes (an export reads
    every latest version of a cycle). It reads all that ``canonical_json`` writes: strict
    JSON, with no whole number past 64 bits (a version's numbers have at most
    ``pmg.core.numbers.MAX_DIGITS`` digits).
    """
    document: dict[str, Any] = orjson.loads(text)
    return document


class StateChange(Model):
    """One transition of a submission: who, when, from which state to which, on which
    version, and why. Append-only (the database refuses changes)."""

    __tablename__ = "state_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    version_number: Mapped[int | None] = mapped_column()
    action: Mapped[Action] = mapped_column(enum_column(Action, "state_change_action"))
    from_state: Mapped[SubmissionState] = mapped_column(
        enum_column(SubmissionState, "state_change_from")
    )
    to_state: Mapped[SubmissionState] = mapped_column(
        enum_column(SubmissionState, "state_change_to")
    )
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")

    actor: Mapped[User] = relationship()
