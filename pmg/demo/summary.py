"""What the demo tells people to try: what waits for the reviewer, in the review queue,
and the next step each of the coordinator's institutions shows on its home page."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from pmg.auth.models import User
from pmg.cycles.models import Cycle
from pmg.institutions.models import Institution
from pmg.review import bulk
from pmg.review.queue import QueueFilters, QueueSort, review_queue
from pmg.submissions.models import SubmissionState
from pmg.workspace.queries import institutions_progress

UNASSIGNED = 0  # the queue's reviewer filter for «Sin asignar»
WITH_REVIEWER = (SubmissionState.IN_REVIEW, SubmissionState.RESUBMITTED)


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


def reviewer_sentence(cycle: Cycle, reviewer: User) -> str:
    """«revisor@… tiene 4 envíos por revisar: 2 sin asignar en la cola y 2 en revisión a su
    nombre (1 listo para aprobar en bloque, 1 corregido por la institución).»"""
    waiting = review_queue(cycle, QueueFilters(reviewer_id=UNASSIGNED), QueueSort())
    unassigned = waiting.pages.total or 0
    mine = review_queue(cycle, QueueFilters(reviewer_id=reviewer.id), QueueSort())
    assigned = sum(mine.counts[state.value] for state in WITH_REVIEWER)
    # The first page of the queue: in a demo, all of it.
    rows = [row for row in mine.rows if row.submission.state in WITH_REVIEWER]
    refusals = bulk.refusals(reviewer, [row.submission for row in rows])
    ready = sum(1 for reason in refusals.values() if reason is None)
    corrected = sum(1 for row in rows if row.versions > 1)
    details = [
        _count(ready, "listo para aprobar en bloque", "listos para aprobar en bloque"),
        _count(corrected, "corregido por la institución", "corregidos por la institución"),
    ]
    return (
        f"{reviewer.email} tiene {_count(unassigned + assigned, 'envío', 'envíos')} por "
        f"revisar: {unassigned} sin asignar en la cola y {assigned} en revisión a su nombre "
        f"({', '.join(details)})."
    )


def what_to_try(
    cycle: Cycle,
    today: date,
    reviewer: User,
    coordinator: User,
    institutions: Sequence[Institution],
) -> tuple[str, ...]:
    """A sentence for the reviewer and one for each of ``institutions`` (the demo
    coordinator's), as their homes say it."""
    coordinated = [
        f"{coordinator.email}, {card.institution.code} {card.institution.name}: "
        f"{card.next_step.sentence}"
        for card in institutions_progress(institutions, cycle, today)
    ]
    return (reviewer_sentence(cycle, reviewer), *coordinated)
