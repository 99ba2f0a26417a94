"""Loading the ``revision`` sheet: where the review of each submission of the cycle stands.

It takes three queries whatever the number of submissions: the submissions
of the cycle that have a version, with their version counts and dates, reviewer,
the decision about the latest version and the latest decided review (catalog
version); that review's verdicts; and the observation counts. Columns are selected
and become :class:`~pmg.exports.workbook.records.ReviewRecord`, so nothing downstream
loads lazily. Which review fills which field:

- ``decision`` and ``decided_at``: the review of the latest version, once decided;
  ``None`` while that version waits to be taken or is being reviewed;
- ``catalog_version`` and ``verdicts``: the latest *decided* review, whichever
  version it was about; ``None`` and empty before the first decision. A review in
  progress never shows: taking a resubmitted version copies the previous outcomes
  into it as the reviewer's starting point, and they are not a verdict yet.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import and_, case, func, select

from pmg.auth.models import User
from pmg.cycles.models import Cycle
from pmg.exports.workbook.records import ReviewRecord
from pmg.extensions import db
from pmg.requirements.models import Requirement, RequirementCatalog
from pmg.review.models import Observation, Review, Verdict
from pmg.review.queries import UNRESOLVED
from pmg.submissions.models import Submission, SubmissionVersion


def load_reviews(cycle: Cycle) -> list[ReviewRecord]:
    """Each submission of ``cycle`` with at least one version, and where its review stands."""
    versions = (
        select(
            SubmissionVersion.submission_id,
            func.count().label("count"),
            func.max(SubmissionVersion.number).label("latest"),
            func.min(SubmissionVersion.submitted_at).label("first"),
            func.max(SubmissionVersion.submitted_at).label("last"),
        )
        .join(SubmissionVersion.submission)
        .where(Submission.cycle_id == cycle.id)
        .group_by(SubmissionVersion.submission_id)
        .subquery()
    )
    decided = _latest_decided_reviews(cycle)
    query = (
        select(
            Submission.id,
            Submission.institution_id,
            Submission.kind,
            Submission.state,
            versions.c.count,
            versions.c.latest,
            versions.c.first,
            versions.c.last,
            User.name,
            decided.c.id,
            decided.c.number,
            decided.c.catalog_version,
            decided.c.decision,
            decided.c.decided_at,
        )
        .join(versions, versions.c.submission_id == Submission.id)
        .outerjoin(User, User.id == Submission.reviewer_id)
        .outerjoin(decided, decided.c.submission_id == Submission.id)
        .where(Submission.cycle_id == cycle.id)
        .order_by(Submission.id)
    )
    verdicts = _verdicts(select(decided.c.id))
    counts = _observation_counts(cycle)
    return [_record(row, verdicts, counts) for row in db.session.execute(query)]


def _record(
    row: Any, verdicts: dict[int, dict[str, Any]], counts: dict[int, tuple[int, int]]
) -> ReviewRecord:
    submission_id, institution_id, kind, state, count, number, first, last, *review = row
    reviewer, review_id, reviewed_number, catalog_version, decision, decided_at = review
    unresolved, total = counts.get(submission_id, (0, 0))
    # The decision shows only while it is about the latest version; a later version waits.
    current = reviewed_number == number
    return ReviewRecord(
        institution_id=institution_id,
        kind=kind,
        state=state,
        versions=count,
        latest_number=number,
        first_submitted_at=first,
        last_submitted_at=last,
        reviewer=reviewer,
        catalog_version=catalog_version,
        decision=decision if current else None,
        decided_at=decided_at if current else None,
        verdicts=verdicts.get(review_id, {}) if review_id is not None else {},
        unresolved_observations=unresolved,
        observations=total,
    )


def _latest_decided_reviews(cycle: Cycle) -> Any:
    """A subquery: per submission of ``cycle``, the decided review of the highest version
    number, with that number, its catalog version and its decision."""
    highest = (
        select(Review.submission_id, func.max(SubmissionVersion.number).label("number"))
        .join(Review.version)
        .join(Review.submission)
        .where(Submission.cycle_id == cycle.id, Review.decision.is_not(None))
        .group_by(Review.submission_id)
        .subquery()
    )
    return (
        select(
            Review.id,
            Review.submission_id,
            SubmissionVersion.number,
            RequirementCatalog.version.label("catalog_version"),
            Review.decision,
            Review.decided_at,
        )
        .join(Review.version)
        .join(Review.catalog)
        .join(
            highest,
            and_(
                highest.c.submission_id == Review.submission_id,
                highest.c.number == SubmissionVersion.number,
            ),
        )
        .subquery()
    )


def _verdicts(review_ids: Any) -> dict[int, dict[str, Any]]:
    """The outcome (or ``None``) of each requirement, by code, of the reviews selected."""
    query = (
        select(Verdict.review_id, Requirement.code, Verdict.outcome)
        .join(Verdict.requirement)
        .where(Verdict.review_id.in_(review_ids))
    )
    found: dict[int, dict[str, Any]] = defaultdict(dict)
    for review_id, code, outcome in db.session.execute(query):
        found[review_id][code] = outcome
    return dict(found)


def _observation_counts(cycle: Cycle) -> dict[int, tuple[int, int]]:
    """``{submission id: (not yet resolved, all)}`` for the observations of ``cycle``."""
    unresolved = func.sum(case((Observation.state.in_(UNRESOLVED), 1), else_=0))
    query = (
        select(Observation.submission_id, unresolved, func.count())
        .join(Observation.submission)
        .where(Submission.cycle_id == cycle.id)
        .group_by(Observation.submission_id)
    )
    return {
        submission_id: (int(pending or 0), total)
        for submission_id, pending, total in db.session.execute(query)
    }
