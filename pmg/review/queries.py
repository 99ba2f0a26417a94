"""Loading reviews and observations of a submission."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from pmg.extensions import db
from pmg.review.models import Decision, Observation, ObservationState, Review, Verdict
from pmg.submissions.models import Submission, SubmissionState, SubmissionVersion

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
    """The version's review with its catalog and checklist (each verdict and its
    requirement), in one query."""
    query = (
        select(Review)
        .where(Review.version_id == version.id)
        .options(
            joinedload(Review.catalog),
            joinedload(Review.verdicts).joinedload(Verdict.requirement),
        )
    )
    return db.session.scalars(query).unique().one_or_none()


def current_review(submission: Submission) -> Review | None:
    """The review of the latest version, if someone has taken it."""
    latest = submission.latest_version
    return review_of_version(latest) if latest is not None else None


def last_observed_review(submission: Submission) -> Review | None:
    """The latest review that sent observations back, before the current version."""
    latest = submission.latest_version
    if latest is None:
        return None
    return db.session.scalar(
        select(Review)
        .join(Review.version)
        .where(
            Review.submission_id == submission.id,
            Review.decision == Decision.OBSERVE,
            SubmissionVersion.number < latest.number,
        )
        .options(contains_eager(Review.version))
        .order_by(SubmissionVersion.number.desc())
        .limit(1)
    )


QUEUE_STATES = [state for state in SubmissionState if state is not SubmissionState.DRAFT]


def due_date(submission: Submission) -> date | None:
    """The date the next step is due: the correction deadline while the institution corrects,
    the end of the review window while the Secretaría reviews; none once decided."""
    if submission.state is SubmissionState.OBSERVED:
        return submission.correction_deadline
    if submission.state in (SubmissionState.APPROVED, SubmissionState.REJECTED):
        return None
    return submission.cycle.review_end
