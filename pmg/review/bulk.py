"""Bulk approval: why a row of the queue cannot be approved in bulk, and approving one.

:func:`refusals` tells, for a whole page at once and in a fixed number of queries, what
:func:`approve` would refuse: the transition's rule (``may_act``: a submission in review,
assigned to this reviewer), then the approval rule that ``operations.approve_if_met``
applies (:mod:`pmg.review.approval`), asked with the checklist as saved and the
resolutions saved with the review. ``tests/review/test_queue_bulk.py`` holds both to the
same answers. :func:`approve` stays the authority: a row that changed between the page and
the click is refused there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import aliased, load_only

from pmg.auth.models import User
from pmg.extensions import db
from pmg.requirements.models import Requirement
from pmg.review import operations
from pmg.review.approval import missing_for_approval, pending_states
from pmg.review.models import Observation, ObservationState, Outcome, Review, Verdict
from pmg.submissions.models import Action, Submission, SubmissionState, SubmissionVersion
from pmg.submissions.workflow import ensure_fresh, may_act, stale_message

NOT_IN_QUEUE = "No está en la cola de revisión del ciclo vigente"
NOT_ASSIGNED = "No está asignado a usted"
NOT_TAKEN = "Falta tomarlo para revisión"
CORRECTING = "Espera la corrección de la institución"


def _decided(submission: Submission) -> str:
    return f"Ya fue decidido: «{submission.state.label}»"


def _state_reason(submission: Submission) -> str:
    """Why the transition table does not let this reviewer approve ``submission``."""
    if submission.state in (SubmissionState.APPROVED, SubmissionState.REJECTED):
        return _decided(submission)
    if submission.state is SubmissionState.OBSERVED:
        return CORRECTING
    if submission.state is SubmissionState.IN_REVIEW:
        return NOT_ASSIGNED
    return NOT_TAKEN


def _checklist_reason(
    review: Review, outcomes: Mapping[str, Outcome | None], states: Mapping[int, ObservationState]
) -> str | None:
    """The approval rule (:mod:`pmg.review.approval`) on the saved checklist (``outcomes``,
    by requirement code), worded for the queue's row."""
    missing = missing_for_approval(
        outcomes, pending_states(states, operations.saved_resolutions(review))
    )
    problems = missing.phrases(
        "Tiene requisitos sin revisar: {codes}",
        "Tiene requisitos que no cumplen: {codes}",
        lambda n: f"Tiene {n} {'observaciones' if n > 1 else 'observación'} sin resolver",
    )
    return "; ".join(problems) or None


def _current_checklists(ids: list[int]) -> dict[int, tuple[Review, dict[str, Outcome | None]]]:
    """The review of each submission's latest version (only what the approval rule reads
    of it) and its checklist's outcomes by requirement code, in the checklist's order: one
    query of columns, no verdict or requirement loaded whole."""
    latest = aliased(SubmissionVersion)
    newest = (
        select(func.max(latest.number))
        .where(latest.submission_id == Review.submission_id)
        .scalar_subquery()
    )
    query = (
        select(Review, Requirement.code, Verdict.outcome)
        .join(Review.version)
        .outerjoin(Review.verdicts)
        .outerjoin(Verdict.requirement)
        .where(Review.submission_id.in_(ids), SubmissionVersion.number == newest)
        .options(load_only(Review.submission_id, Review.pending_resolutions))
        .order_by(Review.id, Verdict.id)
    )
    found: dict[int, tuple[Review, dict[str, Outcome | None]]] = {}
    for review, code, outcome in db.session.execute(query):
        _, outcomes = found.setdefault(review.submission_id, (review, {}))
        if code is not None:
            outcomes[code] = outcome
    return found


def _observation_states(ids: list[int]) -> dict[int, dict[int, ObservationState]]:
    """``{submission id: {observation id: state}}``."""
    states: dict[int, dict[int, ObservationState]] = {ident: {} for ident in ids}
    rows = db.session.execute(
        select(Observation.submission_id, Observation.id, Observation.state).where(
            Observation.submission_id.in_(ids)
        )
    )
    for submission_id, ident, state in rows:
        states[submission_id][ident] = state
    return states


def refusals(
    reviewer: User,
    submissions: Iterable[Submission],
    seen: Mapping[int, int] | None = None,
) -> dict[int, str | None]:
    """Why ``reviewer`` cannot approve each submission in bulk now (``None``: they can),
    by submission id. With ``seen`` (``{id: lock version}``, what a page showed), a
    submission changed since is refused as such."""
    reasons: dict[int, str | None] = {}
    candidates = []
    for submission in submissions:
        if seen is not None and seen.get(submission.id) != submission.lock_version:
            reasons[submission.id] = stale_message(submission)
        elif not may_act(reviewer, submission, Action.APPROVE):
            reasons[submission.id] = _state_reason(submission)
        else:
            candidates.append(submission.id)
    if candidates:
        checklists = _current_checklists(candidates)
        states = _observation_states(candidates)
        for ident in candidates:
            if ident not in checklists:
                reasons[ident] = NOT_TAKEN
            else:
                review, outcomes = checklists[ident]
                reasons[ident] = _checklist_reason(review, outcomes, states[ident])
    return reasons


def approve(submission: Submission, reviewer: User, seen_lock_version: int, today: date) -> None:
    """Approve ``submission`` with its checklist as saved, as the queue showed it: a
    submission changed since (another reviewer decided, an admin reassigned it) is
    refused naming who changed it."""
    ensure_fresh(submission, seen_lock_version)
    operations.approve_if_met(submission, reviewer, seen_lock_version, today)


def row_name(submission: Submission) -> str:
    """«Servicio de Salud Arica · Plan de mejora»: a row of the queue, in a message."""
    return f"{submission.institution.name} · {submission.kind.label}"


def _envios(count: int) -> str:
    return f"{count} envío" if count == 1 else f"{count} envíos"


@dataclass(frozen=True)
class BulkPlan:
    """What approving the chosen rows will do: the submissions it approves, with the lock
    version the queue showed, and the rows it leaves as they are, with the reason."""

    approvable: list[tuple[Submission, int]]
    refused: list[tuple[str, str]]

    @property
    def headline(self) -> str:
        if not self.approvable:
            return "Ninguno de los envíos marcados se puede aprobar en bloque."
        will = "Se aprobará" if len(self.approvable) == 1 else "Se aprobarán"
        return f"{will} {_envios(len(self.approvable))}:"


def plan(reviewer: User, chosen: Mapping[int, int], found: Mapping[int, Submission]) -> BulkPlan:
    """What approving ``chosen`` (``{id: lock version seen}``) will do; ``found`` are the
    chosen submissions in the queue, by id."""
    reasons = refusals(reviewer, found.values(), seen=chosen)
    approvable, refused = [], []
    for ident, seen in chosen.items():
        submission = found.get(ident)
        reason = reasons[ident] if submission is not None else NOT_IN_QUEUE
        if submission is not None and reason is None:
            approvable.append((submission, seen))
        elif reason is not None:
            name = row_name(submission) if submission is not None else f"Envío {ident}"
            refused.append((name, reason))
    return BulkPlan(approvable, refused)


def approved_message(names: list[str]) -> str:
    """«Se aprobaron 2 envíos: A · Plan de mejora; B · Diagnóstico de brechas.»"""
    done = "Se aprobó" if len(names) == 1 else "Se aprobaron"
    return f"{done} {_envios(len(names))}: {'; '.join(names)}."
