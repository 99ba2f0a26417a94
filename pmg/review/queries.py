"""Loading reviews and observations of a submission."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from pmg.cycles.models import Cycle
from pmg.cycles.queries import chile_today
from pmg.extensions import db
from pmg.institutions.models import Institution, Stage
from pmg.review.models import Decision, Observation, ObservationState, Review
from pmg.submissions.models import (
    Submission,
    SubmissionKind,
    SubmissionState,
    SubmissionVersion,
)

PENDING_ANSWER = frozenset({ObservationState.OPEN, ObservationState.REOPENED})
# Still in the way of an approval: not yet resolved by the reviewer.
UNRESOLVED = frozenset(
    {ObservationState.OPEN, ObservationState.REOPENED, ObservationState.ANSWERED}
)


def observations_of(submission: Submission) -> list[Observation]:
    """Every observation of the submission, in the catalog's order, oldest first."""
    return list(
        db.session.scalars(
            select(Observation)
            .where(Observation.submission_id == submission.id)
            .options(selectinload(Observation.entries), selectinload(Observation.requirement))
            .order_by(Observation.id)
        )
    )


def unanswered_observations(submission: Submission) -> list[Observation]:
    return [o for o in observations_of(submission) if o.state in PENDING_ANSWER]


def reviews_of(submission: Submission) -> list[Review]:
    return list(
        db.session.scalars(
            select(Review)
            .join(Review.version)
            .where(Review.submission_id == submission.id)
            .options(selectinload(Review.verdicts))
            .order_by(SubmissionVersion.number)
        )
    )


def review_of_version(version: SubmissionVersion) -> Review | None:
    return db.session.scalar(select(Review).where(Review.version_id == version.id))


def current_review(submission: Submission) -> Review | None:
    """The review of the latest version, if someone has taken it."""
    latest = submission.latest_version
    return review_of_version(latest) if latest is not None else None


def last_observed_review(submission: Submission) -> Review | None:
    """The latest review that sent observations back, before the current version."""
    latest = submission.latest_version
    observed = [
        review
        for review in reviews_of(submission)
        if review.decision is Decision.OBSERVE
        and latest is not None
        and review.version.number < latest.number
    ]
    return observed[-1] if observed else None


@dataclass(frozen=True)
class QueueFilters:
    state: SubmissionState | None = None
    kind: SubmissionKind | None = None
    ministry_id: int | None = None
    stage: Stage | None = None
    # A reviewer's id; 0 means "not assigned yet".
    reviewer_id: int | None = None
    due_by: date | None = None


@dataclass(frozen=True)
class QueueRow:
    submission: Submission
    due: date | None

    @property
    def overdue(self) -> bool:
        return self.due is not None and self.due < chile_today()


QUEUE_STATES = [state for state in SubmissionState if state is not SubmissionState.DRAFT]


def due_date(submission: Submission) -> date | None:
    """The date the next step is due: the correction deadline while the institution corrects,
    the end of the review window while the Secretaría reviews; none once decided."""
    if submission.state is SubmissionState.OBSERVED:
        return submission.correction_deadline
    if submission.state in (SubmissionState.APPROVED, SubmissionState.REJECTED):
        return None
    return submission.cycle.review_end


def review_queue(cycle: Cycle, filters: QueueFilters) -> tuple[list[QueueRow], dict[str, int]]:
    """Submitted work of ``cycle`` matching ``filters``, oldest first, and the count per state
    among those matching every filter but the state."""
    query = (
        select(Submission)
        .join(Submission.institution)
        .where(Submission.cycle_id == cycle.id, Submission.state != SubmissionState.DRAFT)
        .options(
            contains_eager(Submission.institution).selectinload(Institution.ministry),
            selectinload(Submission.versions),
            selectinload(Submission.reviewer),
        )
        .order_by(Submission.state_changed_at, Institution.code, Submission.kind)
    )
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
    rows = [QueueRow(s, due_date(s)) for s in db.session.scalars(query).unique()]
    if filters.due_by is not None:
        rows = [row for row in rows if row.due is not None and row.due <= filters.due_by]
    counts = {state.value: 0 for state in QUEUE_STATES}
    for row in rows:
        counts[row.submission.state.value] += 1
    if filters.state is not None:
        rows = [row for row in rows if row.submission.state is filters.state]
    return rows, counts
