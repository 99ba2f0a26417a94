"""Loading reviews and observations of a submission."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import defaultload, joinedload, selectinload

from pmg.extensions import db
from pmg.review.models import Decision, Observation, ObservationState, Review, Verdict
from pmg.submissions.models import Submission, SubmissionState, SubmissionVersion

PENDING_ANSWER = frozenset({ObservationState.OPEN, ObservationState.REOPENED})
# Still in the way of an approval: not yet resolved by the reviewer.
UNRESOLVED = frozenset(
    {ObservationState.OPEN, ObservationState.REOPENED, ObservationState.ANSWERED}
)


def observations_of(submission: Submission) -> list[Observation]:
    """Every observation of the submission, in the catalog's order, oldest first, with its
    entries and requirement (one query)."""
    query = (
        select(Observation)
        .where(Observation.submission_id == submission.id)
        .options(joinedload(Observation.entries), joinedload(Observation.requirement))
        .order_by(Observation.id)
    )
    return list(db.session.scalars(query).unique())


def unanswered_observations(submission: Submission) -> list[Observation]:
    return [o for o in observations_of(submission) if o.state in PENDING_ANSWER]


def published_verdicts(review: Any) -> list[Any]:
    """The verdicts of ``review`` as the institution, its PDF and the API show them, in the
    catalog's order: none until it is decided. Before, they are the reviewer's work in
    progress (the previous review's outcomes, at first), which nobody else reads.

    ``review``: a :class:`Review` with its verdicts and their requirements, or anything
    with those attributes."""
    if review.decision is None:
        return []
    return sorted(review.verdicts, key=lambda verdict: verdict.requirement.position)


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


def current_review(submission: Submission) -> Review | None:
    """The review of the latest version, if someone has taken it."""
    return current_and_last_observed(submission)[0]


def current_and_last_observed(submission: Submission) -> tuple[Review | None, Review | None]:
    """The review of the latest version, if someone has taken it, and the latest review
    that sent observations back before it; every review of the submission read in one
    query with its catalog, and each checklist with its requirements in one more if asked
    for."""
    latest = submission.latest_version
    if latest is None:
        return None, None
    # Each review's version is one of the submission's, already loaded with it: joined
    # only to order by (loading it here would read its content once per checklist row).
    query = (
        select(Review)
        .join(Review.version)
        .where(Review.submission_id == submission.id)
        .options(
            joinedload(Review.catalog),
            # Checklists read when asked for, each with its requirements in one query.
            defaultload(Review.verdicts).joinedload(Verdict.requirement),
        )
        .order_by(SubmissionVersion.number)
    )
    reviews = list(db.session.scalars(query).unique())
    current = next((review for review in reviews if review.version_id == latest.id), None)
    observed = [
        review
        for review in reviews
        if review.decision is Decision.OBSERVE and review.version.number < latest.number
    ]
    return current, observed[-1] if observed else None


QUEUE_STATES = [state for state in SubmissionState if state is not SubmissionState.DRAFT]


def due_date(submission: Submission) -> date | None:
    """The date the next step is due: the correction deadline while the institution corrects,
    the end of the review window while the Secretaría reviews; none once decided."""
    if submission.state is SubmissionState.OBSERVED:
        return submission.correction_deadline
    if submission.state in (SubmissionState.APPROVED, SubmissionState.REJECTED):
        return None
    return submission.cycle.review_end
