"""The reviewers' queue: a cycle's submitted work, searched, filtered, sorted and paged.

A page costs two queries whatever the queue's length: the count per state (which gives the
page's total too) and the page's rows, with their institution, ministry and reviewer
joined and their versions and last sending counted in the same query, loading only the
columns the page shows. Every order ends with the submission's id, so the pages of a
listing never share or skip a row.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from math import ceil
from typing import Any

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import (
    ColumnElement,
    Date,
    Row,
    Select,
    SQLColumnExpression,
    case,
    func,
    literal,
    null,
    select,
    type_coerce,
)
from sqlalchemy.orm import contains_eager, load_only

from pmg.auth.models import User
from pmg.core.models import LabelledEnum
from pmg.core.search import searched
from pmg.cycles.models import Cycle
from pmg.cycles.queries import chile_today
from pmg.extensions import db
from pmg.institutions.models import Institution, Ministry, Stage
from pmg.review.queries import QUEUE_STATES, due_date
from pmg.submissions.models import Submission, SubmissionKind, SubmissionState, SubmissionVersion

DECIDED = (SubmissionState.APPROVED, SubmissionState.REJECTED)
# A select of any columns: the page's rows (a submission and its facts) or the counts.
Query = Select[*tuple[Any, ...]]


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
    "enviado": SortColumn("Enviado", lambda _: [Submission.last_sent_at]),
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
    overdue: bool


class _ReadPage(Pagination):
    """A page whose rows and total were read already: the total comes with the counts per
    state, so the page costs no count query of its own."""

    def _query_items(self) -> list[Any]:
        return list(self._query_args["rows"])

    def _query_count(self) -> int:
        return int(self._query_args["total"])


@dataclass(frozen=True)
class QueuePage:
    pages: Pagination
    rows: list[QueueRow]
    # How many submissions of each state match every filter but the state.
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def submissions(self) -> list[Submission]:
        return [row.submission for row in self.rows]


def _of_cycle(query: Query, cycle: Cycle) -> Query:
    """``query`` narrowed to the cycle's submitted work."""
    return query.where(Submission.cycle_id == cycle.id, Submission.state != SubmissionState.DRAFT)


def _submitted(query: Query, cycle: Cycle) -> Query:
    """``query`` of the cycle's submitted work, with each submission's institution joined."""
    return _of_cycle(query.join(Submission.institution), cycle)


def _with_people(query: Query) -> Query:
    """``query`` with the institution's ministry and the reviewer joined too."""
    return query.join(Institution.ministry).outerjoin(User, Submission.reviewer)


def _shown() -> tuple[Any, ...]:
    """The loader options of a row: what it shows, and what bulk approval asks of it
    (:func:`pmg.review.bulk.refusals`). The draft and the pre-filled figures, JSON and the
    bulk of a submission, stay in the database."""
    return (
        load_only(
            Submission.kind,
            Submission.state,
            Submission.reviewer_id,
            Submission.correction_due,
            Submission.lock_version,
            Submission.last_sent_at,
            Submission.cycle_id,
            Submission.institution_id,
        ),
        contains_eager(Submission.institution)
        .load_only(Institution.code, Institution.name, Institution.stage)
        .contains_eager(Institution.ministry)
        .load_only(Ministry.name),
        contains_eager(Submission.reviewer).load_only(User.name),
    )


def _filtered(query: Query, cycle: Cycle, filters: QueueFilters) -> Query:
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
    """How many submissions of each state match every filter but the state; the
    institution is joined only for a filter on it."""
    grouped = select(Submission.state, func.count(Submission.id)).group_by(Submission.state)
    on_institution = filters.search or filters.ministry_id is not None or filters.stage is not None
    of_cycle = _submitted(grouped, cycle) if on_institution else _of_cycle(grouped, cycle)
    counts = {state.value: 0 for state in QUEUE_STATES}
    for state, number in db.session.execute(_filtered(of_cycle, cycle, filters)):
        counts[state.value] = number
    return counts


def _rows(found: Iterable[Row[Submission, int]]) -> list[QueueRow]:
    """The page's rows, each with its due date said once against today."""
    today = chile_today()
    rows = []
    for submission, versions in found:
        due, sent = due_date(submission), submission.last_sent_at
        rows.append(QueueRow(submission, due, versions, sent, due is not None and due < today))
    return rows


def review_queue(cycle: Cycle, filters: QueueFilters, sort: QueueSort, page: int = 1) -> QueuePage:
    """Page ``page`` of the submitted work of ``cycle`` matching ``filters``, in ``sort``'s
    order (past the end, the last page), and the count per state among those matching
    every filter but the state: two queries, the counts and the page's rows."""
    counts = _counts(cycle, filters)
    total = counts[filters.state.value] if filters.state is not None else sum(counts.values())
    per_page = current_app.config["PMG_PAGE_SIZE"]
    page = min(page, max(ceil(total / per_page), 1))
    query = select(Submission, _version_count())
    query = _filtered(_with_people(_submitted(query, cycle)), cycle, filters)
    if filters.state is not None:
        query = query.where(Submission.state == filters.state)
    query = (
        query.options(*_shown())
        .order_by(*sort.order_by(cycle))
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = _rows(db.session.execute(query))
    pages = _ReadPage(page, per_page, max_per_page=None, error_out=False, rows=rows, total=total)
    return QueuePage(pages, rows, counts)


def chosen_submissions(cycle: Cycle, ids: Collection[int]) -> dict[int, Submission]:
    """The submitted work of ``cycle`` among ``ids``, by id (an id of anything else is
    left out)."""
    if not ids:
        return {}
    query = _with_people(_submitted(select(Submission), cycle)).where(Submission.id.in_(ids))
    query = query.options(
        contains_eager(Submission.institution).contains_eager(Institution.ministry),
        contains_eager(Submission.reviewer),
    )
    return {submission.id: submission for submission in db.session.scalars(query)}
