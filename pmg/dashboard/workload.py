"""The reviewers' part of the dashboard, as plain functions over what
:mod:`pmg.dashboard.queries` reads.

- Each reviewer's workload (:func:`workload`): their submissions of the cycle by state
  (assigned: any state; pending: in review or resubmitted; decided: approved or rejected),
  and the median of the calendar days (in Chile) from sending each version to its first
  decision (observe, approve or reject), counted for whoever took that decision.
- What waits for one reviewer and what nobody took (:func:`reviewer_work`,
  :func:`unassigned`).

Every count links to the review queue filtered to what it counts (its query-string filters:
``pmg.review.routes.FILTER_KEYS``); the queue lists the current cycle only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from statistics import median

from pmg.core.filters import CHILE
from pmg.core.links import Link
from pmg.core.permissions import Role
from pmg.dashboard.figures import Count
from pmg.review.queue import QUEUE_STATES
from pmg.submissions.models import SubmissionKind, SubmissionState

QUEUE = "review.queue"
S = SubmissionState
# Assigned to a reviewer and waiting for them: to decide, or to take again once corrected.
WAITING_FOR_REVIEWER = (S.IN_REVIEW, S.RESUBMITTED)
# A reviewer's submissions by state, in the workload table's order: pending, with the
# institution, decided.
WORKLOAD_STATES = (S.IN_REVIEW, S.RESUBMITTED, S.OBSERVED, S.APPROVED, S.REJECTED)
DECIDED = (S.APPROVED, S.REJECTED)
# What ends a version's review: the first of these on each version counts.
DECISIONS = (S.OBSERVED, S.APPROVED, S.REJECTED)


@dataclass(frozen=True)
class CountRow:
    """How many submissions of one kind are in one state with one reviewer (or none)."""

    kind: SubmissionKind
    state: SubmissionState
    reviewer_id: int | None
    number: int


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
class OwnWork:
    """What the home shows a person of the review queue: what waits for them (a reviewer)
    and what nobody took (reviewers take it, admins assign it); ``None``: not shown."""

    waiting: list[Count] | None = None
    unassigned: Count | None = None


def own_work(rows: Sequence[CountRow] | None, role: Role, user_id: int) -> OwnWork:
    """:class:`OwnWork` over the current cycle's ``rows`` (``None`` when the page shows
    another cycle: the queue lists the current one only)."""
    if rows is None:
        return OwnWork()
    return OwnWork(
        reviewer_work(rows, user_id) if role is Role.REVIEWER else None,
        unassigned(rows) if role in (Role.REVIEWER, Role.ADMIN) else None,
    )


@dataclass(frozen=True)
class DecisionRow:
    """A state change deciding on a version: who, when, and when the version was sent."""

    submission_id: int
    version: int
    actor_id: int
    sent_at: datetime
    decided_at: datetime


def chile_day(moment: datetime) -> date:
    return moment.astimezone(CHILE).date()


def decision_days(decisions: Iterable[DecisionRow]) -> dict[int, list[int]]:
    """Per reviewer, the calendar days (in Chile) from sending each version to its first
    decision, for the versions that reviewer decided first."""
    first: dict[tuple[int, int], DecisionRow] = {}
    for row in sorted(decisions, key=lambda row: row.decided_at):
        first.setdefault((row.submission_id, row.version), row)
    days: defaultdict[int, list[int]] = defaultdict(list)
    for row in first.values():
        days[row.actor_id].append((chile_day(row.decided_at) - chile_day(row.sent_at)).days)
    return dict(days)


@dataclass(frozen=True)
class ReviewerLoad:
    name: str
    # The reviewer's submissions of the cycle, whatever their state.
    assigned: Count
    # One per :data:`WORKLOAD_STATES`.
    states: tuple[Count, ...]
    # Versions they decided first, and the median days it took.
    decisions: int
    median_days: float | None

    def _sum(self, wanted: Sequence[SubmissionState]) -> int:
        by_state = dict(zip(WORKLOAD_STATES, self.states, strict=True))
        return sum(by_state[state].number for state in wanted)

    @property
    def pending(self) -> int:
        return self._sum(WAITING_FOR_REVIEWER)

    @property
    def decided(self) -> int:
        return self._sum(DECIDED)


def _reviewer_count(
    reviewer_id: int, label: str, number: int, linked: bool, **filters: str
) -> Count:
    link = _queue(label, revisor=str(reviewer_id), **filters) if linked else None
    return Count(label, number, link)


def workload(
    reviewers: Sequence[tuple[int, str]],
    rows: Sequence[CountRow],
    decisions: Iterable[DecisionRow],
    linked: bool,
) -> list[ReviewerLoad]:
    """A row per reviewer (``(id, name)``, in order): counts of ``rows`` linking to the
    review queue when ``linked`` (the queue lists the current cycle only), and the median
    of :func:`decision_days`."""
    days = decision_days(decisions)
    loads = []
    for reviewer_id, name in reviewers:
        mine = [row for row in rows if row.reviewer_id == reviewer_id]
        states = tuple(
            _reviewer_count(
                reviewer_id,
                f"{name}: {state.label}",
                sum(row.number for row in mine if row.state is state),
                linked,
                estado=state.value,
            )
            for state in WORKLOAD_STATES
        )
        assigned = sum(row.number for row in mine)
        taken = days.get(reviewer_id, [])
        loads.append(
            ReviewerLoad(
                name,
                _reviewer_count(reviewer_id, f"{name}: asignados", assigned, linked),
                states,
                len(taken),
                float(median(taken)) if taken else None,
            )
        )
    return loads
