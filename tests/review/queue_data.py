"""Rows for the reviewers' queue in every situation a row can be in, made through the real
operations: submitted, taken (checklist empty, met, failing), assigned to someone else,
observed, resubmitted with an answer to resolve, approved."""

from __future__ import annotations

from datetime import date
from typing import Any

from pmg.auth.models import User
from pmg.cycles.models import Cycle
from pmg.extensions import db
from pmg.institutions.models import Institution
from pmg.review import operations
from pmg.review.models import Decision, ObservationAction, Outcome
from pmg.review.observations import answer_observation
from pmg.review.operations import VerdictInput
from pmg.review.queries import current_review
from pmg.submissions.models import Submission, SubmissionState
from pmg.submissions.operations import save_draft, submit
from tests.factories import (
    create_institution,
    create_submitted_diagnostic,
    observe_one,
    with_value,
)


def submitted(cycle: Cycle, name: str, code: str | None = None, **institution: Any) -> Submission:
    """A diagnostic of a new institution called ``name``, submitted."""
    place: Institution = create_institution(code, name, **institution)
    return create_submitted_diagnostic(place, cycle).submission  # type: ignore[no-any-return]


def taken(submission: Submission, reviewer: User, outcome: Outcome | None = None) -> Submission:
    """``submission`` taken by ``reviewer`` (or already back with them, as a corrected
    version returns to whoever observed it), with every requirement saved as ``outcome``
    (none: the checklist left empty)."""
    if submission.state is SubmissionState.IN_REVIEW and submission.reviewer_id == reviewer.id:
        review = current_review(submission)
        assert review is not None
    else:
        review = operations.take(submission, reviewer, submission.lock_version)
    if outcome is not None:
        checklist = {v.requirement_id: VerdictInput(outcome) for v in review.verdicts}
        operations.save_review(review, checklist, {}, reviewer)
    db.session.commit()
    return submission


def approved(submission: Submission, reviewer: User) -> Submission:
    taken(submission, reviewer, Outcome.MEETS)
    review = current_review(submission)
    assert review is not None
    operations.decide(review, Decision.APPROVE, reviewer, submission.lock_version, date.today())
    db.session.commit()
    return submission


def resubmitted_and_taken(submission: Submission, reviewer: User, *, resolve: bool) -> Submission:
    """Observed by ``reviewer``, answered, corrected and resubmitted, taken again with every
    requirement met; the answered observation resolved (saved, not yet decided) or not."""
    observation = observe_one(submission, reviewer)
    latest = submission.latest_version
    assert latest is not None
    coordinator = latest.submitted_by
    answer_observation(observation, "Se completó el equipo.", coordinator)
    draft = with_value(submission.draft, "responsible.team", "Equipo completo")
    save_draft(submission, draft, coordinator, submission.lock_version)
    submit(submission, coordinator, date.today(), submission.lock_version)
    taken(submission, reviewer, Outcome.MEETS)
    if resolve:
        review = current_review(submission)
        assert review is not None
        resolutions = {observation.id: (ObservationAction.RESOLVE, "")}
        operations.save_review(review, {}, resolutions, reviewer)
        db.session.commit()
    return submission
