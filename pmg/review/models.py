from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pmg.core.models import LabelledEnum, UTCDateTime, enum_column, utcnow
from pmg.extensions import Model

if TYPE_CHECKING:
    from pmg.auth.models import User
    from pmg.requirements.models import Requirement, RequirementCatalog
    from pmg.submissions.models import Submission, SubmissionVersion


MAX_PATH = 200


class Outcome(LabelledEnum):
    MEETS = ("meets", "Cumple")
    FAILS = ("fails", "No cumple")
    NOT_APPLICABLE = ("not_applicable", "No aplica")


class Decision(LabelledEnum):
    OBSERVE = ("observe", "Con observaciones")
    APPROVE = ("approve", "Aprobado")
    REJECT = ("reject", "Rechazado")


class Review(Model):
    """The review of one submitted version against one requirement catalog."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("submission_versions.id"), unique=True)
    catalog_id: Mapped[int] = mapped_column(ForeignKey("requirement_catalogs.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decision: Mapped[Decision | None] = mapped_column(enum_column(Decision, "review_decision"))
    decision_note: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    correction_due: Mapped[date | None] = mapped_column(Date)
    # The reviewer's resolve/reopen choices saved before deciding: ``{observation id:
    # {"action": …, "note": …}}``. They reach the observations only with the decision.
    pending_resolutions: Mapped[dict[str, dict[str, str]] | None] = mapped_column(JSON)

    submission: Mapped[Submission] = relationship()
    version: Mapped[SubmissionVersion] = relationship()
    catalog: Mapped[RequirementCatalog] = relationship()
    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    verdicts: Mapped[list[Verdict]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="Verdict.id"
    )

    def verdict_for(self, requirement: Requirement) -> Verdict | None:
        return next((v for v in self.verdicts if v.requirement_id == requirement.id), None)


class Verdict(Model):
    """The reviewer's answer for one requirement: an outcome and, if needed, an observation."""

    __tablename__ = "verdicts"
    __table_args__ = (UniqueConstraint("review_id", "requirement_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirements.id"))
    outcome: Mapped[Outcome | None] = mapped_column(enum_column(Outcome, "verdict_outcome"))
    note: Mapped[str] = mapped_column(Text, default="")
    # Where the note points, kept by «Guardar avance»: the path of the observation the note
    # becomes with the decision (see ``Observation.path``).
    path: Mapped[str] = mapped_column(String(MAX_PATH), default="")

    review: Mapped[Review] = relationship(back_populates="verdicts")
    requirement: Mapped[Requirement] = relationship()


class ObservationState(LabelledEnum):
    OPEN = ("open", "Abierta")
    ANSWERED = ("answered", "Respondida")
    RESOLVED = ("resolved", "Resuelta")
    REOPENED = ("reopened", "Reabierta")


class ObservationAction(LabelledEnum):
    RAISE = ("raise", "Observación")
    ANSWER = ("answer", "Respuesta")
    RESOLVE = ("resolve", "Resuelta")
    REOPEN = ("reopen", "Reabierta")


class Observation(Model):
    """What the reviewer asks the institution to fix, tracked until it is resolved."""

    __tablename__ = "observations"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirements.id"))
    raised_in_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    # Where it points: ``section``, ``section.field`` or ``section.<row key>.field``; empty
    # when it concerns the requirement as a whole. The form shows it beside that field.
    path: Mapped[str] = mapped_column(String(MAX_PATH), default="")
    state: Mapped[ObservationState] = mapped_column(
        enum_column(ObservationState, "observation_state"), default=ObservationState.OPEN
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    submission: Mapped[Submission] = relationship()
    requirement: Mapped[Requirement] = relationship()
    raised_in: Mapped[Review] = relationship()
    entries: Mapped[list[ObservationEntry]] = relationship(
        back_populates="observation", order_by="ObservationEntry.id"
    )

    @property
    def answer(self) -> str:
        answers = [e.text for e in self.entries if e.action is ObservationAction.ANSWER]
        return answers[-1] if answers else ""


class ObservationEntry(Model):
    """One step in an observation's life: raised, answered, resolved or reopened (append-only)."""

    __tablename__ = "observation_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    observation_id: Mapped[int] = mapped_column(ForeignKey("observations.id"), index=True)
    action: Mapped[ObservationAction] = mapped_column(
        enum_column(ObservationAction, "observation_action")
    )
    text: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    version_number: Mapped[int] = mapped_column()

    observation: Mapped[Observation] = relationship(back_populates="entries")
    actor: Mapped[User] = relationship()
