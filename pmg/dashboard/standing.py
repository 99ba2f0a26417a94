"""Where an institution stands in a cycle for each kind of submission, as SQL: the
dashboard counts by these rules and the institution list filters by them, so a count and
the list it links to always agree.

An institution *takes part* in a cycle (:func:`taking_part`) when it is active and commits
the system, or when it has a submission in the cycle anyway (the consolidated workbook's
``estado`` sheet never leaves out an institution it has something about either). Its
*standing* for a kind (:func:`standing_value`) is the state of its submission, or «Sin
iniciar» when it has none. It is *late* (:func:`late`) when the kind's window closed
without a version sent (sin iniciar or borrador), or when it was sent back with
observations and the correction deadline passed.

The conditions ask about the institution's submission through a subquery, so any query of
institutions can filter with them (the institution list does); :func:`joined` gives the
same rules over a submission the query joins, one join instead of a subquery per
institution, for counting them all (the dashboard does). Both are built from the same
predicates on a submission row, and a test checks that they agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, exists, func, or_, select, type_coerce

from pmg.cycles.models import Cycle
from pmg.institutions.models import Institution
from pmg.review.queue import due_expression
from pmg.submissions.kinds import KindSpec
from pmg.submissions.models import Submission, SubmissionState

# The query-string value and the label of "no submission at all".
NOT_STARTED = "sin_iniciar"
NOT_STARTED_LABEL = "Sin iniciar"


@dataclass(frozen=True)
class Standing:
    """One of the places an institution can be in for a kind: «Sin iniciar» or a state."""

    value: str
    label: str
    state: SubmissionState | None

    @property
    def started(self) -> bool:
        return self.state is not None


STANDINGS: tuple[Standing, ...] = (
    Standing(NOT_STARTED, NOT_STARTED_LABEL, None),
    *(Standing(state.value, state.label, state) for state in SubmissionState),
)
BY_VALUE: dict[str, Standing] = {standing.value: standing for standing in STANDINGS}
# Sent at least once: what "done" counts towards (decided or on its way).
SENT = frozenset(SubmissionState) - {SubmissionState.DRAFT}
# Nothing sent yet: late once the kind's window closed.
UNSENT = (NOT_STARTED, SubmissionState.DRAFT.value)


def _submission(spec: KindSpec, cycle: Cycle) -> ColumnElement[bool]:
    """The institution's submission of this kind in this cycle (correlated to Institution)."""
    return and_(
        Submission.institution_id == Institution.id,
        Submission.cycle_id == cycle.id,
        Submission.kind == spec.kind,
    )


def _of_institution(*columns: Any) -> Select[Any]:
    """A subquery over submissions correlated to the enclosing query's Institution only,
    even when that query joins submissions too."""
    return select(*columns).correlate_except(Submission)


# What a submission row says: its state as a standing value, and whether it is observed
# past its correction deadline. The conditions below ask it of the institution's submission
# through a subquery (to filter any query of institutions); :func:`joined` asks it of a
# submission the query joins (to count many institutions at once).


def _row_state() -> ColumnElement[str]:
    return type_coerce(Submission.state, String)


def _row_observed_past_due(cycle: Cycle, today: date) -> ColumnElement[bool]:
    return and_(Submission.state == SubmissionState.OBSERVED, due_expression(cycle) < today)


def _late(
    spec: KindSpec,
    cycle: Cycle,
    today: date,
    standing: ColumnElement[str],
    observed_past_due: ColumnElement[bool],
) -> ColumnElement[bool]:
    """Late, given the institution's ``standing`` value and whether its submission is
    ``observed_past_due``."""
    if today <= cycle.window(spec.window)[1]:
        return observed_past_due
    return or_(and_(taking_part(cycle), standing.in_(UNSENT)), observed_past_due)


def taking_part(cycle: Cycle) -> ColumnElement[bool]:
    """Institutions counted in ``cycle``: active ones that commit the system, and any other
    one with a submission (even a draft) in the cycle."""
    expected = and_(Institution.active.is_(True), Institution.commits_system.is_(True))
    anything = exists(
        _of_institution(Submission.id).where(
            Submission.institution_id == Institution.id, Submission.cycle_id == cycle.id
        )
    )
    return or_(expected, anything)


def standing_value(spec: KindSpec, cycle: Cycle) -> ColumnElement[str]:
    """The :attr:`Standing.value` of the institution for ``spec`` in ``cycle`` (its
    submission's state, or ``sin_iniciar``), as a column to group or filter by."""
    state = _of_institution(_row_state()).where(_submission(spec, cycle)).scalar_subquery()
    return func.coalesce(state, NOT_STARTED)


def standing_is(spec: KindSpec, cycle: Cycle, standing: Standing) -> ColumnElement[bool]:
    """Institutions whose submission of ``spec`` in ``cycle`` is in ``standing``; «Sin
    iniciar» counts only institutions taking part (:func:`taking_part`)."""
    condition = standing_value(spec, cycle) == standing.value
    if standing.state is None:
        return and_(taking_part(cycle), condition)
    return condition


def late(spec: KindSpec, cycle: Cycle, today: date) -> ColumnElement[bool]:
    """Institutions late with ``spec`` in ``cycle`` on ``today``: taking part, its window
    closed (the day after its end) with nothing sent, or its correction deadline passed
    while observed."""
    observed_past_due = exists(
        _of_institution(Submission.id).where(
            _submission(spec, cycle), _row_observed_past_due(cycle, today)
        )
    )
    return _late(spec, cycle, today, standing_value(spec, cycle), observed_past_due)


@dataclass(frozen=True)
class Joined:
    """The same as :func:`standing_value` and :func:`late`, for a query of institutions that
    outer-joins ``Submission`` on :attr:`onclause`: one join instead of a subquery per
    institution, for counting them all."""

    onclause: ColumnElement[bool]
    standing: ColumnElement[str]
    late: ColumnElement[bool]


def joined(spec: KindSpec, cycle: Cycle, today: date) -> Joined:
    standing = func.coalesce(_row_state(), NOT_STARTED)
    observed_past_due = _row_observed_past_due(cycle, today)
    return Joined(
        _submission(spec, cycle), standing, _late(spec, cycle, today, standing, observed_past_due)
    )
