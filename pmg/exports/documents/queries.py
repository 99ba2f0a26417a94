"""Loading what a version's document needs beyond the version: the diagnostic a plan
answers, and the review, observations and history of its «Revisión» section.

The review comes with its verdicts and people (eager), the submission's observations
with every step and who took it, so that building the section loads nothing lazily.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload, load_only, selectinload

from pmg.extensions import db
from pmg.review.models import Observation, ObservationEntry, Review, Verdict
from pmg.submissions.models import StateChange, Submission, SubmissionKind, SubmissionVersion
from pmg.submissions.queries import histories_of


def reference_diagnostic(plan: SubmissionVersion) -> SubmissionVersion | None:
    """The diagnostic version a plan version was built on: the institution's latest
    diagnostic version of the cycle submitted no later than the plan version.

    A plan's PDF numbers the gaps its actions name as that diagnostic does; a diagnostic
    sent again later may number them otherwise.
    """
    submission = plan.submission
    return db.session.scalar(
        select(SubmissionVersion)
        .join(SubmissionVersion.submission)
        .where(
            Submission.institution_id == submission.institution_id,
            Submission.cycle_id == submission.cycle_id,
            Submission.kind == SubmissionKind.DIAGNOSTIC,
            SubmissionVersion.submitted_at <= plan.submitted_at,
        )
        .order_by(SubmissionVersion.number.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class VersionReviewData:
    """What the «Revisión» section of a version is made from (models, loaded eagerly)."""

    review: Review | None
    observations: list[Observation]
    history: list[StateChange]

    def last_change(self, version: SubmissionVersion) -> datetime:
        """When the latest of what the version's document shows happened: its sending, its
        review's start and decision, a step of the submission's history or of one of its
        observations. The document is dated by it, and so reads the same until it changes."""
        moments: list[datetime | None] = [version.submitted_at]
        if self.review is not None:
            moments += [self.review.started_at, self.review.decided_at]
        moments += [change.at for change in self.history]
        for observation in self.observations:
            moments += [observation.created_at, *(entry.at for entry in observation.entries)]
        return max(moment for moment in moments if moment is not None)


def load_version_review(version: SubmissionVersion) -> VersionReviewData:
    return load_version_reviews([version])[version.id]


def load_version_reviews(
    versions: Sequence[SubmissionVersion], *, moments_only: bool = False
) -> dict[int, VersionReviewData]:
    """:func:`load_version_review` of each of ``versions``, by id: in three queries and the
    eager loads, however many versions there are. With ``moments_only``, what
    :meth:`VersionReviewData.last_change` reads and nothing else: when each thing happened,
    not who did it nor what it says (which version's PDF is stored as it reads now)."""
    if moments_only:
        review_loads = [load_only(Review.version_id, Review.started_at, Review.decided_at)]
        observation_loads = [
            load_only(Observation.submission_id, Observation.created_at),
            selectinload(Observation.entries).load_only(ObservationEntry.at),
        ]
    else:
        review_loads = [
            joinedload(Review.catalog),
            joinedload(Review.reviewer),
            joinedload(Review.decided_by),
            selectinload(Review.verdicts).selectinload(Verdict.requirement),
        ]
        observation_loads = [
            joinedload(Observation.requirement),
            selectinload(Observation.entries).joinedload(ObservationEntry.actor),
        ]
    reviews = {
        review.version_id: review
        for review in db.session.scalars(
            select(Review)
            .where(Review.version_id.in_([version.id for version in versions]))
            .options(*review_loads)
        ).unique()
    }
    submission_ids = {version.submission_id for version in versions}
    observations: dict[int, list[Observation]] = {number: [] for number in submission_ids}
    for observation in db.session.scalars(
        select(Observation)
        .where(Observation.submission_id.in_(submission_ids))
        .options(*observation_loads)
        .order_by(Observation.id)
    ):
        observations[observation.submission_id].append(observation)
    histories = histories_of(submission_ids, people=not moments_only)
    return {
        version.id: VersionReviewData(
            reviews.get(version.id),
            observations[version.submission_id],
            histories[version.submission_id],
        )
        for version in versions
    }
