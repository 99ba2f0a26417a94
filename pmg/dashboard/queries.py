"""What the dashboard reads, in a fixed number of queries whatever the number of
institutions, submissions or reviewers: per kind, one for the standings and one for the
most overdue; one for the submissions by state and reviewer, one for the reviewers and one
for the decisions. Nothing is cached: every figure is as fresh as the page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Date, and_, case, func, literal, select, type_coerce

from pmg.auth.queries import active_reviewers
from pmg.cycles.models import Cycle
from pmg.dashboard.figures import (
    OVERDUE_SHOWN,
    GroupFigures,
    KindFigures,
    OverdueList,
    OverdueRow,
    Tally,
    by_ministry,
    by_stage,
    overall,
    overdue_row,
)
from pmg.dashboard.standing import joined, taking_part
from pmg.dashboard.workload import DECISIONS, CountRow, DecisionRow, ReviewerLoad, workload
from pmg.extensions import db
from pmg.institutions.models import Institution, Ministry
from pmg.review.queue import due_expression
from pmg.submissions.kinds import KINDS, KindSpec
from pmg.submissions.models import (
    StateChange,
    Submission,
    SubmissionKind,
    SubmissionState,
    SubmissionVersion,
)


@dataclass(frozen=True)
class Dashboard:
    """Where a cycle stands on a day: what the dashboard shows."""

    cycle: Cycle
    today: date
    kinds: tuple[KindFigures, ...]
    ministries: list[GroupFigures]
    stages: list[GroupFigures]
    overdue: tuple[OverdueList, ...]
    workload: list[ReviewerLoad]
    # The cycle's submissions by kind, state and reviewer: what waits for whom.
    rows: list[CountRow]

    @property
    def participants(self) -> int:
        return self.kinds[0].total if self.kinds else 0

    @property
    def queue_linked(self) -> bool:
        """Whether the review queue lists this cycle (it lists the current one)."""
        return self.cycle.is_current

    @property
    def queue_rows(self) -> list[CountRow] | None:
        """:attr:`rows` if the review queue lists this cycle."""
        return self.rows if self.queue_linked else None


def tallies(spec: KindSpec, cycle: Cycle, today: date) -> list[Tally]:
    """How many institutions taking part in ``cycle`` there are per ministry, stage,
    standing with ``spec`` and lateness (one query)."""
    row = joined(spec, cycle, today)
    places = (
        select(
            Institution.ministry_id.label("ministry_id"),
            Institution.stage.label("stage"),
            row.standing.label("standing"),
            case((row.late, 1), else_=0).label("late"),
        )
        .outerjoin(Submission, row.onclause)
        .where(taking_part(cycle))
        .subquery()
    )
    columns = (places.c.ministry_id, Ministry.name, places.c.stage, places.c.standing)
    query = (
        select(*columns, places.c.late, func.count())
        .join(Ministry, Ministry.id == places.c.ministry_id)
        .group_by(*columns, places.c.late)
    )
    return [
        Tally(ministry_id, ministry, stage, standing, bool(is_late), number)
        for ministry_id, ministry, stage, standing, is_late, number in db.session.execute(query)
    ]


def most_overdue(
    spec: KindSpec, cycle: Cycle, today: date, limit: int = OVERDUE_SHOWN
) -> list[OverdueRow]:
    """The institutions late with ``spec`` whose deadline passed first (then by name), at
    most ``limit`` (one query)."""
    row = joined(spec, cycle, today)
    due = type_coerce(
        case(
            (Submission.state == SubmissionState.OBSERVED, due_expression(cycle)),
            else_=literal(cycle.window(spec.window)[1], Date),
        ),
        Date,
    )
    query = (
        select(Institution.code, Institution.name, Ministry.name, row.standing, due)
        .join(Institution.ministry)
        .outerjoin(Submission, row.onclause)
        .where(row.late)
        .order_by(due, Institution.name, Institution.id)
        .limit(limit)
    )
    return [overdue_row(*found, today) for found in db.session.execute(query)]


def count_rows(cycle: Cycle) -> list[CountRow]:
    """How many submissions of ``cycle`` there are per kind, state and reviewer (one query)."""
    rows = db.session.execute(
        select(Submission.kind, Submission.state, Submission.reviewer_id, func.count())
        .where(Submission.cycle_id == cycle.id)
        .group_by(Submission.kind, Submission.state, Submission.reviewer_id)
    )
    return [CountRow(kind, state, reviewer_id, number) for kind, state, reviewer_id, number in rows]


def decisions(cycle: Cycle) -> list[DecisionRow]:
    """Every decision (observe, approve, reject) on a version of ``cycle``, with when the
    version was sent (one query)."""
    query = (
        select(
            StateChange.submission_id,
            StateChange.version_number,
            StateChange.actor_id,
            SubmissionVersion.submitted_at,
            StateChange.at,
        )
        .join(Submission, Submission.id == StateChange.submission_id)
        .join(
            SubmissionVersion,
            and_(
                SubmissionVersion.submission_id == StateChange.submission_id,
                SubmissionVersion.number == StateChange.version_number,
            ),
        )
        .where(Submission.cycle_id == cycle.id, StateChange.to_state.in_(DECISIONS))
    )
    return [
        DecisionRow(submission_id, version, actor_id, sent_at, decided_at)
        for submission_id, version, actor_id, sent_at, decided_at in db.session.execute(query)
        if version is not None  # the join leaves none out; this tells the type checker
    ]


def dashboard(cycle: Cycle, today: date) -> Dashboard:
    """Where ``cycle`` stands on ``today``."""
    counted: dict[SubmissionKind, list[Tally]] = {
        spec.kind: tallies(spec, cycle, today) for spec in KINDS.values()
    }
    figures = overall(counted, cycle)
    overdue = tuple(
        OverdueList(spec, kind.late, tuple(most_overdue(spec, cycle, today)))
        for spec, kind in zip(KINDS.values(), figures, strict=True)
    )
    rows = count_rows(cycle)
    reviewers = [(user.id, user.name) for user in active_reviewers()]
    return Dashboard(
        cycle,
        today,
        figures,
        by_ministry(counted, cycle),
        by_stage(counted, cycle),
        overdue,
        workload(reviewers, rows, decisions(cycle), linked=cycle.is_current),
        rows,
    )
