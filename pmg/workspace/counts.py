"""What the Secretaría's and DIPRES's homes count: the cycle's submissions by state, and a
reviewer's own work. Each count links to the review queue filtered to the same submissions
(its query-string filters: ``pmg.review.routes.FILTER_KEYS``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pmg.review.queue import QUEUE_STATES
from pmg.submissions.kinds import KINDS
from pmg.submissions.models import SubmissionKind, SubmissionState
from pmg.workspace.status import Link

QUEUE = "review.queue"
S = SubmissionState
# Assigned to a reviewer and waiting for them: to decide, or to take again once corrected.
WAITING_FOR_REVIEWER = (S.IN_REVIEW, S.RESUBMITTED)


@dataclass(frozen=True)
class CountRow:
    """How many submissions of one kind are in one state with one reviewer (or none)."""

    kind: SubmissionKind
    state: SubmissionState
    reviewer_id: int | None
    number: int


@dataclass(frozen=True)
class Count:
    label: str
    number: int
    # Where the queue lists them; ``None`` for what the queue does not list (drafts).
    link: Link | None


def _queue(text: str, **filters: str) -> Link:
    return Link(text, QUEUE, filters)


def reviewer_work(rows: Sequence[CountRow], reviewer_id: int) -> list[Count]:
    """What waits for the reviewer ``reviewer_id``: a count per :data:`WAITING_FOR_REVIEWER`."""
    labels = {S.IN_REVIEW: "En revisión por usted", S.RESUBMITTED: "Reenviados con correcciones"}
    return [
        Count(
            labels[state],
            sum(r.number for r in rows if r.state is state and r.reviewer_id == reviewer_id),
            _queue(labels[state], estado=state.value, revisor=str(reviewer_id)),
        )
        for state in WAITING_FOR_REVIEWER
    ]


def unassigned(rows: Sequence[CountRow]) -> Count:
    """Sent and not taken by anyone: what the queue lists as «Sin asignar»."""
    label = "Sin asignar"
    number = sum(r.number for r in rows if r.reviewer_id is None and r.state in QUEUE_STATES)
    return Count(label, number, _queue(label, revisor="0"))


@dataclass(frozen=True)
class StateRow:
    state: SubmissionState
    # One count per kind, in the kinds' order, then the total.
    by_kind: tuple[Count, ...]
    total: Count


def by_state(rows: Sequence[CountRow]) -> list[StateRow]:
    """The cycle's submissions by state (drafts first, not linked: the queue leaves them
    out) and kind, with the totals."""
    table = []
    for state in SubmissionState:
        listed = state in QUEUE_STATES
        cells = []
        for spec in KINDS.values():
            number = sum(r.number for r in rows if r.state is state and r.kind is spec.kind)
            label = f"{spec.kind.label}: {state.label}"
            link = _queue(label, estado=state.value, tipo=spec.kind.value) if listed else None
            cells.append(Count(label, number, link))
        total = sum(cell.number for cell in cells)
        label = f"Total: {state.label}"
        table.append(
            StateRow(
                state,
                tuple(cells),
                Count(label, total, _queue(label, estado=state.value) if listed else None),
            )
        )
    return table
