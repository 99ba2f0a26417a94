"""Reviewing: taking and assigning, the checklist, observations and decisions.

Every state change goes through :func:`pmg.submissions.workflow.transition`, called
before anything else is written so that a concurrent second decision finds the row
changed and writes nothing. Operations flush but never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pmg.audit.actions import AuditAction
from pmg.audit.operations import record
from pmg.auth.models import Role, User
from pmg.core.errors import Conflict, DomainError, Forbidden
from pmg.core.models import utcnow
from pmg.extensions import db
from pmg.requirements.models import Requirement, RequirementCatalog
from pmg.requirements.queries import current_catalog, get_catalog
from pmg.review.models import (
    Decision,
    Observation,
    ObservationAction,
    ObservationEntry,
    ObservationState,
    Outcome,
    Review,
    Verdict,
)
from pmg.review.queries import (
    PENDING_ANSWER,
    UNRESOLVED,
    current_review,
    observations_of,
    reviews_of,
)
from pmg.submissions.models import Submission, SubmissionState, SubmissionVersion
from pmg.submissions.permissions import is_coordinator_of
from pmg.submissions.workflow import Action, ensure_fresh, transition

MAX_TEXT = 4000
DECISION_ACTIONS = {
    Decision.OBSERVE: Action.OBSERVE,
    Decision.APPROVE: Action.APPROVE,
    Decision.REJECT: Action.REJECT,
}


@dataclass(frozen=True)
class VerdictInput:
    outcome: Outcome | None
    note: str = ""


# What the reviewer answered: per requirement id, and per earlier observation id
# (resolve or reopen, with a note).
Checklist = dict[int, VerdictInput]
Resolutions = dict[int, tuple[ObservationAction, str]]


def catalog_for(version: SubmissionVersion) -> RequirementCatalog:
    """The catalog the version is reviewed against: the one it was submitted under, or the
    cycle's current one when it was submitted before any catalog was loaded."""
    cycle = version.submission.cycle
    catalog = (
        get_catalog(cycle, version.requirements_version) if version.requirements_version else None
    )
    catalog = catalog or current_catalog(cycle)
    if catalog is None:
        raise DomainError(
            f"El ciclo {cycle.year} no tiene catálogo de requisitos técnicos. "
            "Pida a un administrador que lo cargue antes de revisar."
        )
    return catalog


def applicable_requirements(review: Review) -> list[Requirement]:
    submission = review.submission
    return review.catalog.applicable(submission.institution, submission.kind)


def _latest(submission: Submission) -> SubmissionVersion:
    version = submission.latest_version
    if version is None:
        raise Conflict("El envío aún no tiene versiones enviadas.")
    return version


def _open_review(submission: Submission, reviewer: User) -> Review:
    """The review of the latest version, created with an empty checklist the first time."""
    review = current_review(submission)
    if review is not None:
        review.reviewer = reviewer
        return review
    version = _latest(submission)
    catalog = catalog_for(version)
    review = Review(submission=submission, version=version, catalog=catalog, reviewer=reviewer)
    # The last review's outcomes are the starting point; its notes became observations.
    earlier = {
        verdict.requirement_id: verdict.outcome
        for previous in reviews_of(submission)
        if previous.catalog_id == catalog.id
        for verdict in previous.verdicts
    }
    review.verdicts = [
        Verdict(requirement=requirement, outcome=earlier.get(requirement.id), note="")
        for requirement in catalog.applicable(submission.institution, submission.kind)
    ]
    db.session.add(review)
    db.session.flush()
    return review


def take(submission: Submission, reviewer: User, seen_lock_version: int | None) -> Review:
    """``reviewer`` takes a submitted or resubmitted version for review."""
    catalog_for(_latest(submission))  # refuse before anything changes
    transition(submission, Action.TAKE, reviewer, seen_lock_version, changes={"reviewer": reviewer})
    return _open_review(submission, reviewer)


def assign(
    submission: Submission, reviewer: User, admin: User, seen_lock_version: int | None
) -> Review:
    """An admin gives the submission to ``reviewer`` (also to move it to someone else)."""
    if reviewer.role is not Role.REVIEWER or not reviewer.active:
        raise DomainError("Elija una cuenta activa con rol de revisor/a.")
    catalog_for(_latest(submission))
    transition(
        submission,
        Action.ASSIGN,
        admin,
        seen_lock_version,
        details={"reviewer": reviewer.email},
        changes={"reviewer": reviewer},
    )
    return _open_review(submission, reviewer)


def _ensure_reviewing(review: Review, actor: User) -> None:
    submission = review.submission
    if submission.state is not SubmissionState.IN_REVIEW or review.decision is not None:
        raise Conflict(f"El envío está en estado «{submission.state.label}»; no se puede revisar.")
    if submission.reviewer_id != actor.id or review.version is not submission.latest_version:
        raise Forbidden("Esta revisión está asignada a otra persona.")


def _apply_checklist(review: Review, checklist: Checklist) -> dict[str, str]:
    """Store the answers; returns ``{code: outcome}`` for the audit trail."""
    summary: dict[str, str] = {}
    for verdict in review.verdicts:
        given = checklist.get(verdict.requirement_id)
        if given is not None:
            note = given.note.strip()
            if len(note) > MAX_TEXT:
                raise DomainError(
                    f"{verdict.requirement.code}: use como máximo {MAX_TEXT} caracteres."
                )
            verdict.outcome, verdict.note = given.outcome, note
        summary[verdict.requirement.code] = verdict.outcome.value if verdict.outcome else ""
    return summary


def resolvable_observations(review: Review) -> dict[int, Observation]:
    """Observations the reviewer of this version may resolve or reopen: those answered
    for it (and those already resolved or reopened in it, to change their mind)."""
    return {
        o.id: o
        for o in observations_of(review.submission)
        if o.raised_in_id != review.id and o.state is not ObservationState.OPEN
    }


def _add_entry(
    observation: Observation, action: ObservationAction, text: str, actor: User, number: int
) -> None:
    observation.entries.append(
        ObservationEntry(action=action, text=text, at=utcnow(), actor=actor, version_number=number)
    )


RESOLUTION_STATES = {
    ObservationAction.RESOLVE: ObservationState.RESOLVED,
    ObservationAction.REOPEN: ObservationState.REOPENED,
}


def _apply_resolutions(review: Review, resolutions: Resolutions, actor: User) -> None:
    candidates = resolvable_observations(review)
    for observation_id, (action, note) in resolutions.items():
        observation = candidates.get(observation_id)
        target = RESOLUTION_STATES.get(action)
        if observation is None or target is None:
            raise DomainError("Una de las observaciones ya no se puede resolver ni reabrir.")
        if observation.state is target:
            continue
        if action is ObservationAction.REOPEN and not note.strip():
            raise DomainError(
                f"Explique por qué reabre la observación de {observation.requirement.code}."
            )
        observation.state = target
        _add_entry(observation, action, note.strip(), actor, review.version.number)
        audit_action = (
            AuditAction.OBSERVATION_RESOLVE
            if target is ObservationState.RESOLVED
            else AuditAction.OBSERVATION_REOPEN
        )
        record(
            audit_action,
            observation,
            actor=actor,
            institution_id=review.submission.institution_id,
            after={"requirement": observation.requirement.code, "note": note.strip()},
        )


def save_review(
    review: Review, checklist: Checklist, resolutions: Resolutions, actor: User
) -> None:
    """Keep the reviewer's progress: verdicts, notes and resolutions, without deciding."""
    _ensure_reviewing(review, actor)
    summary = _apply_checklist(review, checklist)
    _apply_resolutions(review, resolutions, actor)
    record(
        AuditAction.REVIEW_SAVE,
        review,
        actor=actor,
        institution_id=review.submission.institution_id,
        after={"version": review.version.number, "verdicts": summary},
    )
    db.session.flush()


def _proposed_verdicts(review: Review, checklist: Checklist) -> list[tuple[Verdict, VerdictInput]]:
    return [
        (v, checklist.get(v.requirement_id) or VerdictInput(v.outcome, v.note))
        for v in review.verdicts
    ]


def _proposed_states(review: Review, resolutions: Resolutions) -> list[ObservationState]:
    return [
        RESOLUTION_STATES.get(resolutions.get(o.id, (None, ""))[0], o.state)  # type: ignore[arg-type]
        for o in observations_of(review.submission)
    ]


def _codes(pairs: list[tuple[Verdict, VerdictInput]]) -> str:
    return ", ".join(verdict.requirement.code for verdict, _ in pairs)


def decision_problem(
    review: Review,
    decision: Decision,
    checklist: Checklist,
    resolutions: Resolutions,
    today: date,
) -> str | None:
    """Why ``decision`` cannot be taken with these answers, or ``None``."""
    verdicts = _proposed_verdicts(review, checklist)
    states = _proposed_states(review, resolutions)
    if decision is Decision.OBSERVE:
        noted = [pair for pair in verdicts if pair[1].note.strip()]
        if not noted and ObservationState.REOPENED not in states:
            return "Para observar, escriba la observación en al menos un requisito."
        due = review.submission.cycle.correction_end
        if due < today:
            return (
                f"El plazo de corrección del ciclo terminó el {due:%d-%m-%Y}; "
                "un administrador debe ampliarlo antes de enviar observaciones."
            )
        return None
    if decision is Decision.REJECT:
        if not any(given.outcome is Outcome.FAILS for _, given in verdicts):
            return "Para rechazar, marque al menos un requisito como «No cumple»."
        return None
    unchecked = [pair for pair in verdicts if pair[1].outcome is None]
    failing = [pair for pair in verdicts if pair[1].outcome is Outcome.FAILS]
    problems = []
    if unchecked:
        problems.append(f"sin revisar: {_codes(unchecked)}")
    if failing:
        problems.append(f"no cumplen: {_codes(failing)}")
    unresolved = sum(1 for state in states if state in UNRESOLVED)
    if unresolved:
        problems.append(f"{unresolved} observación(es) sin resolver")
    if problems:
        return "Para aprobar, cada requisito aplicable debe cumplir (" + "; ".join(problems) + ")."
    return None


def _raise_observations(review: Review, actor: User) -> None:
    for verdict in review.verdicts:
        if verdict.note:
            observation = Observation(
                submission=review.submission,
                requirement=verdict.requirement,
                raised_in=review,
                text=verdict.note,
                state=ObservationState.OPEN,
            )
            db.session.add(observation)
            _add_entry(
                observation, ObservationAction.RAISE, verdict.note, actor, review.version.number
            )


def decide(
    review: Review,
    decision: Decision,
    actor: User,
    seen_lock_version: int | None,
    today: date,
    *,
    note: str = "",
    checklist: Checklist | None = None,
    resolutions: Resolutions | None = None,
) -> None:
    """Observe, approve or reject the version under review, with the checklist as sent."""
    submission = review.submission
    checklist, resolutions = checklist or {}, resolutions or {}
    ensure_fresh(submission, seen_lock_version)
    _ensure_reviewing(review, actor)
    problem = decision_problem(review, decision, checklist, resolutions, today)
    if problem:
        raise DomainError(problem)
    due = submission.cycle.correction_end if decision is Decision.OBSERVE else None
    verdicts = {
        verdict.requirement.code: given.outcome.value if given.outcome else ""
        for verdict, given in _proposed_verdicts(review, checklist)
    }
    transition(
        submission,
        DECISION_ACTIONS[decision],
        actor,
        seen_lock_version,
        note=note,
        version_number=review.version.number,
        details={"verdicts": verdicts, "correction_due": due},
        changes={"correction_due": due},
    )
    _apply_checklist(review, checklist)
    _apply_resolutions(review, resolutions, actor)
    if decision is Decision.OBSERVE:
        _raise_observations(review, actor)
    review.decision = decision
    review.decision_note = note.strip()
    review.decided_at = submission.state_changed_at
    review.decided_by = actor
    review.correction_due = due
    db.session.flush()


def approve_if_met(
    submission: Submission, actor: User, seen_lock_version: int | None, today: date
) -> None:
    """Approve with the checklist as saved: for bulk approval of fully met submissions."""
    review = current_review(submission)
    if review is None or submission.state is not SubmissionState.IN_REVIEW:
        raise Conflict(f"El envío está en estado «{submission.state.label}».")
    decide(review, Decision.APPROVE, actor, seen_lock_version, today)


def answer_observation(observation: Observation, text: str, actor: User) -> None:
    """The coordinator's answer to one observation, kept until the reviewer resolves it."""
    submission = observation.submission
    if not is_coordinator_of(actor, submission.institution_id):
        raise Forbidden("Solo la coordinación de la institución puede responder observaciones.")
    if submission.state is not SubmissionState.OBSERVED:
        raise Conflict(
            f"El envío está en estado «{submission.state.label}»; "
            "ya no se pueden responder observaciones."
        )
    if observation.state not in PENDING_ANSWER | {ObservationState.ANSWERED}:
        raise Conflict("Esta observación ya fue resuelta por la revisión.")
    text = text.strip()
    if not text:
        raise DomainError("Escriba la respuesta: qué corrigió o por qué no corresponde.")
    if len(text) > MAX_TEXT:
        raise DomainError(f"Use como máximo {MAX_TEXT} caracteres.")
    observation.state = ObservationState.ANSWERED
    _add_entry(observation, ObservationAction.ANSWER, text, actor, submission.latest_version.number)
    record(
        AuditAction.OBSERVATION_ANSWER,
        observation,
        actor=actor,
        institution_id=submission.institution_id,
        after={"requirement": observation.requirement.code, "answer": text},
    )
    db.session.flush()
