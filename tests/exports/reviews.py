"""A diagnostic taken round the review loop through the real operations, step by step:
observe R01, answer, correct and resubmit (back to its reviewer), (save progress,) approve."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pmg.auth.models import User
from pmg.core.permissions import Role
from pmg.cycles.models import Cycle
from pmg.extensions import db
from pmg.institutions.models import Institution
from pmg.review.models import (
    Decision,
    Observation,
    ObservationAction,
    ObservationState,
    Outcome,
    Review,
)
from pmg.review.observations import answer_observation
from pmg.review.operations import VerdictInput, decide, save_review, take
from pmg.review.queries import current_review, observations_of
from pmg.submissions.models import Submission, SubmissionState, SubmissionVersion
from pmg.submissions.operations import save_draft, submit
from tests.factories import create_submitted_diagnostic, create_user, with_value

TODAY = date.today()
OBSERVATION = "Complete el equipo de trabajo."
OBSERVE_NOTE = "Hay requisitos por corregir."
ANSWER = "Se agregó a Luis Díaz al equipo."
NOT_APPLICABLE_NOTE = "La institución atiende solo en línea."


@dataclass
class Loop:
    institution: Institution
    coordinator: User
    reviewer: User
    submission: Submission
    first: SubmissionVersion


def start(
    cycle: Cycle,
    institution: Institution,
    *,
    coordinator: str = "Carla Coordinadora",
    reviewer: str = "Rosa Revisora",
) -> Loop:
    """A diagnostic of ``institution`` submitted (version 1); the cycle needs a catalog."""
    person = create_user(Role.COORDINATOR, institutions=[institution], name=coordinator)
    version = create_submitted_diagnostic(institution, cycle, person)
    return Loop(
        institution,
        person,
        create_user(Role.REVIEWER, name=reviewer),
        version.submission,
        version,
    )


def _checklist(review: Review, **outcomes: VerdictInput) -> dict[int, VerdictInput]:
    """Every requirement met, but those named by code."""
    return {
        verdict.requirement_id: outcomes.get(verdict.requirement.code, VerdictInput(Outcome.MEETS))
        for verdict in review.verdicts
    }


def reviewing(loop: Loop) -> Review:
    """The review of the latest version: taken now, unless it is already being reviewed
    (a resubmission goes back to its reviewer)."""
    submission = loop.submission
    taken = current_review(submission) if submission.state is SubmissionState.IN_REVIEW else None
    return taken or take(submission, loop.reviewer, submission.lock_version)


def observe(loop: Loop, *, note: str = OBSERVE_NOTE, text: str = OBSERVATION) -> Observation:
    """Take the latest version (unless it is already being reviewed) and send it back with
    one observation, on R01."""
    submission, reviewer = loop.submission, loop.reviewer
    review = reviewing(loop)
    checklist = _checklist(review, R01=VerdictInput(Outcome.FAILS, text))
    seen = submission.lock_version
    decide(review, Decision.OBSERVE, reviewer, seen, TODAY, note=note, checklist=checklist)
    db.session.commit()
    return observations_of(submission)[-1]


def answer_and_resubmit(loop: Loop, answer: str = ANSWER) -> SubmissionVersion:
    """Answer every pending observation, correct the team and resubmit (a new version)."""
    submission, coordinator = loop.submission, loop.coordinator
    for observation in observations_of(submission):
        if observation.state is not ObservationState.RESOLVED:
            answer_observation(observation, answer, coordinator)
    team = f"{submission.draft['responsible']['team']}\nLuis Díaz"
    draft = with_value(submission.draft, "responsible.team", team)
    save_draft(submission, draft, coordinator, submission.lock_version)
    db.session.commit()
    version = submit(submission, coordinator, TODAY, submission.lock_version)
    db.session.commit()
    return version


def save_progress(loop: Loop, **outcomes: Outcome) -> Review:
    """Take the latest version (unless it is already being reviewed) and save the
    checklist without deciding, with ``outcomes`` by code (the others as the review starts
    them: the previous review's outcomes)."""
    reviewer = loop.reviewer
    review = reviewing(loop)
    checklist = {
        verdict.requirement_id: VerdictInput(outcomes[verdict.requirement.code])
        for verdict in review.verdicts
        if verdict.requirement.code in outcomes
    }
    save_review(review, checklist, {}, reviewer)
    db.session.commit()
    return review


def approve(loop: Loop, note: str = "") -> Review:
    """Take the latest version (unless it is already being reviewed) and approve it,
    resolving the answered observations; R04 does not apply."""
    submission, reviewer = loop.submission, loop.reviewer
    review = reviewing(loop)
    resolutions = {
        observation.id: (ObservationAction.RESOLVE, "")
        for observation in observations_of(submission)
        if observation.state is ObservationState.ANSWERED
    }
    checklist = _checklist(review, R04=VerdictInput(Outcome.NOT_APPLICABLE, NOT_APPLICABLE_NOTE))
    decide(
        review,
        Decision.APPROVE,
        reviewer,
        submission.lock_version,
        TODAY,
        note=note,
        checklist=checklist,
        resolutions=resolutions,
    )
    db.session.commit()
    return review
