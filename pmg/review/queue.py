"""The reviewers' queue: a cycle's submitted work, searched, filtered, sorted and paged.

A page costs the same few queries whatever the queue's length: the page itself (with its
institution, ministry and reviewer joined), its count, one query for the facts of its rows
(versions, last sent) and one for the count per state. Every order ends with the
submission's id, so the pages of a listing never share or skip a row.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    SQLColumnExpression,
    case,
    func,
    literal,
    null,
    select,
    type_coerce,
)
from sqlalchemy.orm import contains_eager

from pmg.auth.models import User
from pmg.core.models import LabelledEnum
from pmg.core.pagination import paginate
from pmg.core.search import searched
from pmg.cycles.models import Cycle
from pmg.cycles.queries import chile_today
from pmg.extensions import db
from pmg.institutions.models import Institution, Ministry, Stage
from pmg.review.queries import QUEUE_STATES, due_date
from pmg.submissions.models import (
    Submission,
    SubmissionKind,
    SubmissionState,
    SubmissionVersion,
)

DECIDED = (SubmissionState.APPROVED, SubmissionState.REJECTED)


@dataclass(frozen=True)
class QueueFilters:
    # Typed text looked for in the institution's code and name (see pmg.core.search).
    search: str = ""
    state: SubmissionState | None = None
    kind: SubmissionKind | None = None
    ministry_id: int | None = None
    stage: Stage | None = None
    # A reviewer's id; 0 means "not assigned yet".
    reviewer_id: int | None = None
    due_by: date | None = None


def due_expression(cycle: Cycle) -> ColumnElement[date | None]:
    """:func:`pmg.review.queries.due_date` of a submission of ``cycle``, in SQL, to sort and
    filter by: the correction deadline while the institution corrects (the date given, or
    the cycle's correction end if extended since), the end of the review window while the
    Secretaría reviews; none once decided."""
    correction_end = literal(cycle.correction_end, Date)
    deadline = case(
        (Submission.correction_due.is_(None), null()),
        (Submission.correction_due > correction_end, Submission.correction_due),
        else_=correction_end,
    )
    due = case(
        (Submission.state == SubmissionState.OBSERVED, deadline),
        (Submission.state.in_(DECIDED), null()),
        else_=literal(cycle.review_end, Date),
    )
    return type_coerce(due, Date)


def _version_count() -> SQLColumnExpression[int]:
    versions = select(func.count(SubmissionVersion.id)).where(
        SubmissionVersion.submission_id == Submission.id
    )
    return versions.scalar_subquery()


def _last_sent() -> SQLColumnExpression[datetime | None]:
    sent = select(func.max(SubmissionVersion.submitted_at)).where(
        SubmissionVersion.submission_id == Submission.id
    )
    return sent.scalar_subquery()


def _rank(column: Any, members: type[LabelledEnum]) -> ColumnElement[int]:
    """The member's place in its enum (the order people read it in), not its text."""
    return case({member: place for place, member in enumerate(members)}, value=column)


def _missing_last(value: SQLColumnExpression[Any]) -> list[SQLColumnExpression[Any]]:
    """A nullable column's order keys: rows without a value after the others, both ways."""
    return [case((value.is_(None), 1), else_=0), value]


@dataclass(frozen=True)
class SortColumn:
    label: str
    # The order keys of the column for a cycle: the last one flips when descending; those
    # before it (whether a value is missing) do not.
    keys: Callable[[Cycle], list[SQLColumnExpression[Any]]]


SORTS: dict[str, SortColumn] = {
    "institucion": SortColumn("Institución", lambda _: [Institution.name]),
    "ministerio": SortColumn("Ministerio", lambda _: [Ministry.name]),
    "etapa": SortColumn("Etapa", lambda _: [_rank(Institution.stage, Stage)]),
    "tipo": SortColumn("Tipo", lambda _: [_rank(Submission.kind, SubmissionKind)]),
    "estado": SortColumn("Estado", lambda _: [_rank(Submission.state, SubmissionState)]),
    "version": SortColumn("Versión", lambda _: [_version_count()]),
    "enviado": SortColumn("Enviado", lambda _: [_last_sent()]),
    "revisor": SortColumn("Revisor/a", lambda _: _missing_last(User.name)),
    "vence": SortColumn("Vence", lambda cycle: _missing_last(due_expression(cycle))),
}
DEFAULT_SORT = "enviado"
ASCENDING, DESCENDING = "asc", "desc"


@dataclass(frozen=True)
class QueueSort:
    key: str = DEFAULT_SORT
    descending: bool = False

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> QueueSort:
        """The order the query string asks for (``orden``, ``sentido``); an unknown column
        is the default one and an unknown direction ascending."""
        key = args.get("orden", "")
        return cls(key if key in SORTS else DEFAULT_SORT, args.get("sentido") == DESCENDING)

    def order_by(self, cycle: Cycle) -> list[SQLColumnExpression[Any]]:
        *fixed, value = SORTS[self.key].keys(cycle)
        return [*fixed, value.desc() if self.descending else value.asc(), Submission.id]

    def direction_of(self, key: str) -> str | None:
        """``ascending``/``descending`` for the column sorted by, as ``aria-sort`` says it."""
        if key != self.key:
            return None
        return "descending" if self.descending else "ascending"

    def args_for(self, key: str) -> dict[str, str]:
        """The query-string arguments of a click on ``key``'s heading: that column,
        ascending; the column already sorted by, the other way round."""
        flip = key == self.key and not self.descending
        return {"orden": key, "sentido": DESCENDING if flip else ASCENDING}


@dataclass(frozen=True)
class QueueRow:
    submission: Submission
    due: date | None
    versions: int
    sent: datetime | None

    @property
    def overdue(self) -> bool:
        return self.due is not None and self.due < chile_today()


@dataclass(frozen=True)
class QueuePage:
    pages: Pagination
    rows: list[QueueRow]
    # How many submissions of each state match every filter but the state.
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def submissions(self) -> list[Submission]:
        return [row.submission for row in self.rows]


def _submitted(cycle: Cycle) -> Select[Any]:
    """The cycle's submitted work with its institution, ministry and reviewer joined."""
    return (
        select(Submission)
        .join(Submission.institution)
        .join(Institution.ministry)
        .outerjoin(User, Submission.reviewer)
        .where(Submission.cycle_id == cycle.id, Submission.state != SubmissionState.DRAFT)
    )


def _loaded(query: Select[Any]) -> Select[Any]:
    """``query`` with the rows' institution, ministry and reviewer taken from its joins."""
    return query.options(
        contains_eager(Submission.institution).contains_eager(Institution.ministry),
        contains_eager(Submission.reviewer),
    )


def _filtered(query: Select[Any], cycle: Cycle, filters: QueueFilters) -> Select[Any]:
    """``query`` narrowed by every filter but the state."""
    query = searched(query, Institution.search_text, filters.search)
    if filters.kind is not None:
        query = query.where(Submission.kind == filters.kind)
    if filters.ministry_id is not None:
        query = query.where(Institution.ministry_id == filters.ministry_id)
    if filters.stage is not None:
        query = query.where(Institution.stage == filters.stage)
    if filters.reviewer_id == 0:
        query = query.where(Submission.reviewer_id.is_(None))
    elif filters.reviewer_id is not None:
        query = query.where(Submission.reviewer_id == filters.reviewer_id)
    if filters.due_by is not None:
        query = query.where(due_expression(cycle) <= filters.due_by)
    return query


def _counts(cycle: Cycle, filters: QueueFilters) -> dict[str, int]:
    query = _filtered(_submitted(cycle), cycle, filters)
    grouped = query.with_only_columns(Submission.state, func.count(Submission.id)).group_by(
        Submission.state
    )
    counts = {state.value: 0 for state in QUEUE_STATES}
    for state, number in db.session.execute(grouped):
        counts[state.value] = number
    return counts


def _rows(submissions: list[Submission]) -> list[QueueRow]:
    """The page's rows with their versions and last sending, read in one query."""
    if not submissions:
        return []
    facts = db.session.execute(
        select(Submission.id, _version_count(), _last_sent()).where(
            Submission.id.in_([s.id for s in submissions])
        )
    )
    by_id = {ident: (versions, sent) for ident, versions, sent in facts}
    return [QueueRow(s, due_date(s), *by_id[s.id]) for s in submissions]


def review_queue(cycle: Cycle, filters: QueueFilters, sort: QueueSort, page: int = 1) -> QueuePage:
    """Page ``page`` of the submitted work of ``cycle`` matching ``filters``, in ``sort``'s
    order (past the end, the last page), and the count per state among those matching
    every filter but the state."""
    query = _filtered(_submitted(cycle), cycle, filters)
    if filters.state is not None:
        query = query.where(Submission.state == filters.state)
    pages = paginate(_loaded(query).order_by(*sort.order_by(cycle)), page)
    return QueuePage(pages, _rows(list(pages.items)), _counts(cycle, filters))


def chosen_submissions(cycle: Cycle, ids: Collection[int]) -> dict[int, Submission]:
    """The submitted work of ``cycle`` among ``ids``, by id (an id of anything else is
    left out)."""
    if not ids:
        return {}
    query = _loaded(_submitted(cycle).where(Submission.id.in_(ids)))
    return {submission.id: submission for submission in db.session.scalars(query)}
