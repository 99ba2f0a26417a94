"""What the workspace reads, in a fixed number of queries whatever the number of
institutions or submissions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from pmg.cycles.models import Cycle
from pmg.extensions import db
from pmg.institutions.models import Institution
from pmg.review.models import Observation
from pmg.review.queries import UNRESOLVED
from pmg.submissions.models import Submission, SubmissionKind
from pmg.workspace.status import Progress, progress


def institutions_progress(
    institutions: Sequence[Institution], cycle: Cycle, today: date
) -> list[Progress]:
    """Where each of ``institutions`` stands in ``cycle``: two queries for the submissions
    and their versions, two for the unresolved observations and their requirements."""
    ids = [institution.id for institution in institutions]
    submissions = list(
        db.session.scalars(
            select(Submission)
            .where(Submission.cycle_id == cycle.id, Submission.institution_id.in_(ids))
            .options(selectinload(Submission.versions))
        )
    )
    observations: defaultdict[int, list[Observation]] = defaultdict(list)
    for observation in db.session.scalars(
        select(Observation)
        .where(
            Observation.submission_id.in_([s.id for s in submissions]),
            Observation.state.in_(UNRESOLVED),
        )
        .options(selectinload(Observation.requirement))
        .order_by(Observation.id)
    ):
        observations[observation.submission_id].append(observation)
    found: defaultdict[int, dict[SubmissionKind, Submission]] = defaultdict(dict)
    for submission in submissions:
        found[submission.institution_id][submission.kind] = submission
    return [
        progress(institution, cycle, found[institution.id], observations, today)
        for institution in institutions
    ]
