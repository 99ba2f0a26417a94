"""Loading what a version's document needs beyond the version: the diagnostic a plan
answers, and the review, observations and history of its «Revisión» section.

The review comes with its verdicts and people (eager), the submission's observations
with every step and who took it, so that building the section loads nothing lazily.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from pmg.extensions import db
from pmg.review.models import Observation, ObservationEntry, Review, Verdict
from pmg.submissions.models import StateChange, Submission, SubmissionKind, SubmissionVersion
from pmg.submissions.queries import history_of


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
    review = db.session.scalar(
        select(Review)
        .where(Review.version_id == version.id)
        .options(
            joinedload(Review.catalog),
            joinedload(Review.reviewer),
            joinedload(Review.decided_by),
            selectinload(Review.verdicts).joinedload(Verdict.requirement),
        )
    )
    observations = db.session.scalars(
        select(Observation)
        .where(Observation.submission_id == version.submission_id)
        .options(
            joinedload(Observation.requirement),
            selectinload(Observation.entries).joinedload(ObservationEntry.actor),
        )
        .order_by(Observation.id)
    )
    return VersionReviewData(review, list(observations), history_of(version.submission))
