"""Reviewing: taking and assigning, the checklist and the decisions.

Every state change goes through :func:`pmg.submissions.workflow.transition`. A decision
writes the state change before anything else, and saving the checklist locks the
submission row first, so a concurrent second action waits and then finds the row changed.
Operations flush but never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, select

from pmg.audit.actions import AuditAction
from pmg.audit.operations import record
from pmg.auth.models import User
from pmg.core.errors import Conflict, DomainError, Forbidden
from pmg.core.forms import as_typed
from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.requirements.models import RequirementCatalog
from pmg.requirements.queries import current_catalog, get_catalog
from pmg.requirements.signals import used as catalog_used
from pmg.review.approval import missing_for_approval, pending_states
from pmg.review.fields import path_problem
from pmg.review.models import (
    Decision,
    ObservationAction,
    ObservationState,
    Outcome,
    Review,
    Verdict,
)
from pmg.review.observations import (
    Resolutions,
    apply_resolutions,
    check_text,
    lock,
    raise_observations,
    resolution_problem,
)
from pmg.review.queries import (
    current_review,
    observations_of,
    reviews_of,
    unanswered_observations,
)
from pmg.submissions.models import Action, Submission, SubmissionState, SubmissionVersion
from pmg.submissions.signals import frozen, resubmitting
from pmg.submissions.workflow import ensure_fresh, needs_reason, transition

DECISION_ACTIONS = {
    Decision.OBSERVE: Action.OBSERVE,
    Decision.APPROVE: Action.APPROVE,
    Decision.REJECT: Action.REJECT,
}


@dataclass(frozen=True)
class VerdictInput:
    outcome: Outcome | None
    note: str = ""
    # Where the note points (:mod:`pmg.review.fields`); empty: the requirement as a whole.
    path: str = ""


# What the reviewer answered, per requirement id.
Checklist = dict[int, VerdictInput]


def _sent_paths(checklist: Checklist) -> dict[int, str]:
    return {rid: given.path for rid, given in checklist.items()}


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


def returns_to(submission: Submission) -> User | None:
    """Who a resubmission of ``submission`` goes back to: the reviewer it is assigned to,
    while that account can still review; ``None``: it waits in the queue."""
    reviewer = submission.reviewer
    if reviewer is None or reviewer.role is not Role.REVIEWER or not reviewer.active:
        return None
    return reviewer


def _returned_note(reviewer: User) -> str:
    """The history's note on a resubmission gone back to ``reviewer``."""
    return f"Volvió automáticamente a {reviewer.name}, que revisó la versión anterior."


def return_to_reviewer(version: SubmissionVersion) -> Review | None:
    """A corrected version goes straight back to the reviewer who observed the last one
    (:func:`returns_to`): the review opens for them. The coordinator who resubmitted is
    recorded as its cause, with a note naming the reviewer. ``None`` when it waits."""
    submission = version.submission
    reviewer = returns_to(submission)
    if submission.state is not SubmissionState.RESUBMITTED or reviewer is None:
        return None
    catalog_for(version)  # refuse before anything changes
    transition(
        submission,
        Action.RETURN,
        version.submitted_by,
        submission.lock_version,
        note=_returned_note(reviewer),
        version_number=version.number,
        details={"reviewer": reviewer.email},
    )
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
            verdict.outcome = given.outcome
            verdict.note = check_text(given.note, verdict.requirement.code)
            verdict.path = given.path
        summary[verdict.requirement.code] = verdict.outcome.value if verdict.outcome else ""
    return summary


def saved_resolutions(review: Review) -> Resolutions:
    """The resolve/reopen choices kept by "Guardar avance", not yet decided."""
    return {
        int(key): (ObservationAction(choice["action"]), choice.get("note", ""))
        for key, choice in (review.pending_resolutions or {}).items()
    }


def save_review(
    review: Review, checklist: Checklist, resolutions: Resolutions, actor: User
) -> None:
    """Keep the reviewer's progress without deciding: verdicts, notes and the resolve or
    reopen choices, which reach the observations only with the decision."""
    lock(review.submission)
    db.session.refresh(review)
    _ensure_reviewing(review, actor)
    chosen = {**saved_resolutions(review), **resolutions}
    problem = resolution_problem(review, chosen) or path_problem(review, _sent_paths(checklist))
    if problem:
        raise DomainError(problem)
    summary = _apply_checklist(review, checklist)
    review.pending_resolutions = {
        str(key): {"action": action.value, "note": as_typed(note)}
        for key, (action, note) in chosen.items()
    }
    paths = {v.requirement.code: v.path for v in review.verdicts if v.path}
    record(
        AuditAction.REVIEW_SAVE,
        review,
        actor=actor,
        institution_id=review.submission.institution_id,
        after={
            "version": review.version.number,
            "verdicts": summary,
            **({"paths": paths} if paths else {}),
            **review.pending_resolutions,
        },
    )
    db.session.flush()


def proposed_verdicts(review: Review, checklist: Checklist) -> list[tuple[Verdict, VerdictInput]]:
    """Each verdict with the answer it will take: the one sent, else the one saved."""
    return [
        (v, checklist.get(v.requirement_id) or VerdictInput(v.outcome, v.note, v.path))
        for v in review.verdicts
    ]


def _proposed_states(review: Review, resolutions: Resolutions) -> list[ObservationState]:
    states = {o.id: o.state for o in observations_of(review.submission)}
    return pending_states(states, resolutions)


def _summary(review: Review, checklist: Checklist) -> dict[str, str]:
    """``{code: outcome}`` of the checklist as it will be decided, for the audit trail."""
    return {
        verdict.requirement.code: given.outcome.value if given.outcome else ""
        for verdict, given in proposed_verdicts(review, checklist)
    }


def _approval_problem(
    verdicts: list[tuple[Verdict, VerdictInput]], states: list[ObservationState]
) -> str | None:
    """The approval rule (:mod:`pmg.review.approval`), worded for the reviewer's page."""
    outcomes = {verdict.requirement.code: given.outcome for verdict, given in verdicts}
    missing = missing_for_approval(outcomes, states)
    if not missing:
        return None
    problems = missing.phrases(
        "sin revisar: {codes}", "no cumplen: {codes}", lambda n: f"{n} observación(es) sin resolver"
    )
    return "Para aprobar, cada requisito aplicable debe cumplir (" + "; ".join(problems) + ")."


def reason_problem(decision: Decision | None, note: str) -> str | None:
    """Why ``note`` cannot go with ``decision`` (``None`` only saves the checklist): a
    decision whose transition asks for a reason needs one written, sent to the institution."""
    if decision is not None and needs_reason(DECISION_ACTIONS[decision]) and not note.strip():
        return "Escriba el fundamento: se envía a la institución."
    return None


def decision_problem(
    review: Review,
    decision: Decision,
    checklist: Checklist,
    resolutions: Resolutions,
    today: date,
) -> str | None:
    """Why ``decision`` cannot be taken with these answers, or ``None``."""
    problem = resolution_problem(review, resolutions) or path_problem(
        review, _sent_paths(checklist)
    )
    if problem:
        return problem
    verdicts = proposed_verdicts(review, checklist)
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
    return _approval_problem(verdicts, states)


def check_decision(
    review: Review,
    decision: Decision,
    actor: User,
    seen_lock_version: int | None,
    today: date,
    checklist: Checklist,
    resolutions: Resolutions,
) -> Resolutions:
    """Refuse ``decision`` as :func:`decide` would, changing nothing: the page asks to
    confirm only a decision that can be taken. Returns the resolutions it would apply."""
    resolutions = {**saved_resolutions(review), **resolutions}
    ensure_fresh(review.submission, seen_lock_version)
    _ensure_reviewing(review, actor)
    problem = decision_problem(review, decision, checklist, resolutions, today)
    if problem:
        raise DomainError(problem)
    return resolutions


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
    """Observe, approve or reject the version under review, with the checklist as sent
    (and the resolve/reopen choices saved before, unless the form changes them)."""
    submission = review.submission
    checklist = checklist or {}
    resolutions = check_decision(
        review, decision, actor, seen_lock_version, today, checklist, resolutions or {}
    )
    due = submission.cycle.correction_end if decision is Decision.OBSERVE else None
    transition(
        submission,
        DECISION_ACTIONS[decision],
        actor,
        seen_lock_version,
        note=check_text(note, "Fundamento"),
        version_number=review.version.number,
        details={"verdicts": _summary(review, checklist), "correction_due": due},
        changes={"correction_due": due},
    )
    _apply_checklist(review, checklist)
    apply_resolutions(review, resolutions, actor)
    if decision is Decision.OBSERVE:
        raise_observations(review, actor)
    review.decision, review.decision_note = decision, as_typed(note)
    review.decided_at, review.decided_by = submission.state_changed_at, actor
    review.correction_due, review.pending_resolutions = due, None
    db.session.flush()


def approve_if_met(
    submission: Submission, actor: User, seen_lock_version: int | None, today: date
) -> None:
    """Approve with the checklist as saved: for bulk approval of fully met submissions."""
    review = current_review(submission)
    if review is None or submission.state is not SubmissionState.IN_REVIEW:
        raise Conflict(f"El envío está en estado «{submission.state.label}».")
    decide(review, Decision.APPROVE, actor, seen_lock_version, today)


def reject_overdue(
    submission: Submission, actor: User, seen_lock_version: int | None, today: date, note: str
) -> None:
    """Reject an observed submission whose correction deadline passed without a resubmission."""
    if submission.state is not SubmissionState.OBSERVED:
        raise Conflict(f"El envío está en estado «{submission.state.label}».")
    deadline = submission.correction_deadline
    if deadline is None or today <= deadline:
        raise DomainError(
            f"El plazo de corrección vence el {deadline:%d-%m-%Y}; aún no se puede rechazar "
            "por falta de corrección."
        )
    transition(
        submission,
        Action.REJECT,
        actor,
        seen_lock_version,
        note=check_text(note, "Fundamento"),
        details={"overdue_since": deadline},
    )


def _answers_first(submission: Submission) -> str | None:
    """Why an observed submission cannot be sent again yet: observations to answer."""
    count = len(unanswered_observations(submission))
    if not count:
        return None
    plural = "n" if count > 1 else ""
    return f"Responda cada observación antes de reenviar: falta{plural} {count} por responder."


def _reviewed_with(catalog: RequirementCatalog) -> bool:
    reviewed = exists().where(Review.catalog_id == catalog.id)
    return bool(db.session.scalar(select(reviewed)))


def subscribe() -> None:
    """A resubmission waits for every observation's answer and then goes back to its
    reviewer, and a catalog a review used may not change (the application does it once)."""
    resubmitting.connect(_answers_first)
    frozen.connect(return_to_reviewer)
    catalog_used.connect(_reviewed_with)
