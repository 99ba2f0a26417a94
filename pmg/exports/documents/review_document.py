"""What the «Revisión» section of a version's PDF (and page) says, as plain data. Pure.

:func:`build_review` turns the version's review, the submission's observations and
its history (models, or any objects with their attributes) into a
:class:`VersionReview`; the caller loads them first
(:func:`pmg.exports.documents.queries.load_version_review`, as
:func:`pmg.exports.documents.version_context` does). Dates stay dates: the template
shows them with the ``date_es`` and ``datetime_es`` filters.

What a version's section shows:

- its review: the catalog version, the reviewer and, once decided, the decision
  (who, when, why) and the outcome and note of each applicable requirement. A
  review not yet decided shows no verdicts: they are the reviewer's work in
  progress, which the institution does not see either;
- the observations that concern it, each with its whole life: those raised in its
  review and those raised before that were not yet resolved when it was sent (or
  that its review resolved or reopened);
- the submission's history up to and including the decisions about it: each
  transition named as the audit trail names it
  (:func:`pmg.audit.actions.action_label`) and its states by their labels.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pmg.audit.actions import SUBMISSION_PREFIX, action_label
from pmg.review.models import ObservationAction
from pmg.review.queries import published_verdicts
from pmg.submissions.models import Action, SubmissionState

UNCHECKED = "Sin revisar"


@dataclass(frozen=True)
class VerdictLine:
    code: str
    title: str
    outcome: str  # Cumple / No cumple / No aplica / Sin revisar
    note: str


@dataclass(frozen=True)
class ObservationStep:
    action: str  # Observación / Respuesta / Resuelta / Reabierta
    actor: str
    at: datetime
    version_number: int
    text: str


@dataclass(frozen=True)
class ObservationLife:
    code: str
    title: str
    state: str
    raised_in: int  # the version whose review raised it
    steps: tuple[ObservationStep, ...]


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    actor: str
    action: str  # Envío presentado / Envío tomado para revisión / …
    from_state: str
    to_state: str
    version_number: int | None
    note: str


@dataclass(frozen=True)
class VersionReview:
    version_number: int
    reviewed: bool = False  # someone took it for review
    decided: bool = False
    catalog_version: str = ""
    reviewer: str = ""
    decision: str = ""
    decided_at: datetime | None = None
    decided_by: str = ""
    decision_note: str = ""
    correction_due: date | None = None
    verdicts: tuple[VerdictLine, ...] = ()
    observations: tuple[ObservationLife, ...] = ()
    history: tuple[HistoryLine, ...] = ()


def build_review(
    version_number: int, review: Any | None, observations: Iterable[Any], history: Iterable[Any]
) -> VersionReview:
    """The section of version ``version_number``: ``review`` is its review (or ``None``),
    ``observations`` and ``history`` those of the whole submission, oldest first."""
    concerned = tuple(
        _life(observation)
        for observation in observations
        if concerns(observation.entries, version_number)
    )
    lines = tuple(
        _history_line(change)
        for change in history
        if (change.version_number or 0) <= version_number
    )
    if review is None:
        return VersionReview(version_number, observations=concerned, history=lines)
    decided = review.decision is not None
    return VersionReview(
        version_number,
        reviewed=True,
        decided=decided,
        catalog_version=review.catalog.version,
        reviewer=_name(review.reviewer),
        decision=review.decision.label if decided else "",
        decided_at=review.decided_at,
        decided_by=_name(review.decided_by),
        decision_note=review.decision_note or "",
        correction_due=review.correction_due,
        verdicts=_verdicts(published_verdicts(review)),
        observations=concerned,
        history=lines,
    )


def concerns(entries: Iterable[Any], version_number: int) -> bool:
    """Whether an observation with these steps concerns version ``version_number``: raised
    in its review, or raised earlier and not resolved before it (or acted on in it)."""
    steps = list(entries)
    raised = next((s.version_number for s in steps if s.action is ObservationAction.RAISE), None)
    if raised is None or raised > version_number:
        return False
    if raised == version_number or any(s.version_number == version_number for s in steps):
        return True
    verdicts = (ObservationAction.RESOLVE, ObservationAction.REOPEN)
    earlier = [s for s in steps if s.action in verdicts and s.version_number < version_number]
    return not earlier or earlier[-1].action is not ObservationAction.RESOLVE


def _verdicts(verdicts: Iterable[Any]) -> tuple[VerdictLine, ...]:
    return tuple(
        VerdictLine(
            code=verdict.requirement.code,
            title=verdict.requirement.title,
            outcome=verdict.outcome.label if verdict.outcome is not None else UNCHECKED,
            note=verdict.note or "",
        )
        for verdict in verdicts
    )


def _life(observation: Any) -> ObservationLife:
    steps = tuple(
        ObservationStep(
            action=entry.action.label,
            actor=_name(entry.actor),
            at=entry.at,
            version_number=entry.version_number,
            text=entry.text or "",
        )
        for entry in observation.entries
    )
    raised = next(
        (e.version_number for e in observation.entries if e.action is ObservationAction.RAISE), 0
    )
    return ObservationLife(
        code=observation.requirement.code,
        title=observation.requirement.title,
        state=observation.state.label,
        raised_in=raised,
        steps=steps,
    )


def _history_line(change: Any) -> HistoryLine:
    return HistoryLine(
        at=change.at,
        actor=_name(change.actor),
        action=action_label(SUBMISSION_PREFIX + Action(change.action).value),
        from_state=SubmissionState(change.from_state).label,
        to_state=SubmissionState(change.to_state).label,
        version_number=change.version_number,
        note=change.note or "",
    )


def _name(user: Any | None) -> str:
    return user.name if user is not None else ""
