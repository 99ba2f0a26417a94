"""Observations through their life: raised with a decision, answered by the coordinator,
resolved or reopened by the next review's decision. Every step is an append-only entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from sqlalchemy import Table, update

from pmg.audit.actions import AuditAction
from pmg.audit.operations import record
from pmg.auth.models import User
from pmg.core.errors import Conflict, DomainError, Forbidden
from pmg.core.forms import as_typed, typed_length
from pmg.core.models import utcnow
from pmg.extensions import db
from pmg.review.models import (
    Observation,
    ObservationAction,
    ObservationEntry,
    ObservationState,
    Review,
)
from pmg.review.queries import PENDING_ANSWER, observations_of
from pmg.review.signals import answered
from pmg.submissions.models import Submission, SubmissionState
from pmg.submissions.permissions import is_coordinator_of
from pmg.submissions.signals import announce

MAX_TEXT = 4000
# The reviewer's choice per earlier observation: ``{observation id: (resolve|reopen, note)}``.
Resolutions = dict[int, tuple[ObservationAction, str]]
RESOLUTION_STATES = {
    ObservationAction.RESOLVE: ObservationState.RESOLVED,
    ObservationAction.REOPEN: ObservationState.REOPENED,
}


def lock(submission: Submission) -> None:
    """Hold the submission's row until the commit, then read it again: whoever acts on it
    at the same time waits, and then sees this change.

    An UPDATE that changes nothing takes the lock on both databases (a row lock on
    PostgreSQL, the write lock on SQLite, which ignores ``FOR UPDATE``). It comes before
    anything else is written, so the row lock always precedes the audit trail's lock.
    """
    table = cast(Table, Submission.__table__)  # typed as any FromClause; a model's is a Table
    db.session.execute(
        update(table).where(table.c.id == submission.id).values(lock_version=table.c.lock_version)
    )
    db.session.refresh(submission)


def check_text(text: str, what: str) -> str:
    """``text`` as typed (:func:`as_typed`); refused when longer than :data:`MAX_TEXT`."""
    text = as_typed(text)
    if typed_length(text) > MAX_TEXT:
        raise DomainError(f"{what}: use como máximo {MAX_TEXT} caracteres.")
    return text


def resolvable_observations(
    review: Review, observations: Iterable[Observation] | None = None
) -> dict[int, Observation]:
    """The observations answered for this version: its review resolves or reopens each.
    Picked from ``observations`` (the submission's, already read) or read."""
    if observations is None:
        observations = observations_of(review.submission)
    return {
        o.id: o
        for o in observations
        if o.raised_in_id != review.id and o.state is ObservationState.ANSWERED
    }


def resolution_problem(review: Review, resolutions: Resolutions) -> str | None:
    """Why these choices cannot be kept, or ``None``."""
    candidates = resolvable_observations(review)
    for observation_id, (action, note) in resolutions.items():
        observation = candidates.get(observation_id)
        if observation is None or action not in RESOLUTION_STATES:
            return (
                "Una de las observaciones ya no se puede resolver ni reabrir. Recargue la página."
            )
        if action is ObservationAction.REOPEN and not note.strip():
            return f"Explique por qué reabre la observación de {observation.requirement.code}."
        if typed_length(note.strip()) > MAX_TEXT:
            return f"{observation.requirement.code}: use como máximo {MAX_TEXT} caracteres."
    return None


def add_entry(
    observation: Observation, action: ObservationAction, text: str, actor: User, number: int
) -> None:
    observation.entries.append(
        ObservationEntry(action=action, text=text, at=utcnow(), actor=actor, version_number=number)
    )


def apply_resolutions(review: Review, resolutions: Resolutions, actor: User) -> None:
    """Resolve or reopen each answered observation as the decision says."""
    candidates = resolvable_observations(review)
    for observation_id, (action, note) in resolutions.items():
        observation, note = candidates[observation_id], as_typed(note)
        observation.state = RESOLUTION_STATES[action]
        add_entry(observation, action, note, actor, review.version.number)
        record(
            AuditAction.OBSERVATION_RESOLVE
            if action is ObservationAction.RESOLVE
            else AuditAction.OBSERVATION_REOPEN,
            observation,
            actor=actor,
            institution_id=review.submission.institution_id,
            after={"requirement": observation.requirement.code, "note": note},
        )


def raise_observations(review: Review, actor: User) -> None:
    """Each verdict note of the review becomes an open observation, pointing where the
    verdict's ``path`` says."""
    for verdict in review.verdicts:
        if verdict.note:
            observation = Observation(
                submission=review.submission,
                requirement=verdict.requirement,
                raised_in=review,
                text=verdict.note,
                path=verdict.path,
                state=ObservationState.OPEN,
            )
            db.session.add(observation)
            add_entry(
                observation, ObservationAction.RAISE, verdict.note, actor, review.version.number
            )


def answer_observation(observation: Observation, text: str, actor: User) -> None:
    """The coordinator's answer to one observation, kept until the next review decides."""
    submission = observation.submission
    if not is_coordinator_of(actor, submission.institution_id):
        raise Forbidden("Solo la coordinación de la institución puede responder observaciones.")
    lock(submission)
    if submission.state is not SubmissionState.OBSERVED:
        raise Conflict(
            f"El envío está en estado «{submission.state.label}»; "
            "ya no se pueden responder observaciones."
        )
    db.session.refresh(observation)
    if observation.state not in PENDING_ANSWER | {ObservationState.ANSWERED}:
        raise Conflict("Esta observación ya fue resuelta por la revisión.")
    text = check_text(text, "Respuesta")
    if not text:
        raise DomainError("Escriba la respuesta: qué corrigió y en qué sección.")
    observation.state = ObservationState.ANSWERED
    add_entry(observation, ObservationAction.ANSWER, text, actor, submission.versions[-1].number)
    record(
        AuditAction.OBSERVATION_ANSWER,
        observation,
        actor=actor,
        institution_id=submission.institution_id,
        after={"requirement": observation.requirement.code, "answer": text},
    )
    db.session.flush()
    announce(answered, submission)
