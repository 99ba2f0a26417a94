"""The one place where a submission changes state.

The table says which action moves which state to which, who may take it and whether
it needs a reason. :func:`transition` applies it: it refuses a page older than the
last change (naming who acted), writes the state change first (so that a concurrent
second decision waits on the row and then finds it changed), then the history row and
the audit entry, and announces it (:data:`pmg.submissions.signals.transitioned`; the
mail to send subscribes to it in :mod:`pmg.notifications`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm.exc import StaleDataError

from pmg.audit.operations import record
from pmg.auth.models import User
from pmg.core.errors import Conflict, DomainError, Forbidden
from pmg.core.filters import format_datetime
from pmg.core.forms import as_typed
from pmg.core.models import utcnow
from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.submissions.models import Action, StateChange, Submission, SubmissionState
from pmg.submissions.permissions import is_coordinator_of
from pmg.submissions.signals import announce, transitioned


@dataclass(frozen=True)
class Rule:
    target: SubmissionState
    role: Role
    needs_reason: bool = False


S = SubmissionState
TRANSITIONS: dict[tuple[SubmissionState, Action], Rule] = {
    (S.DRAFT, Action.SUBMIT): Rule(S.SUBMITTED, Role.COORDINATOR),
    (S.SUBMITTED, Action.TAKE): Rule(S.IN_REVIEW, Role.REVIEWER),
    (S.RESUBMITTED, Action.TAKE): Rule(S.IN_REVIEW, Role.REVIEWER),
    (S.SUBMITTED, Action.ASSIGN): Rule(S.IN_REVIEW, Role.ADMIN),
    (S.RESUBMITTED, Action.ASSIGN): Rule(S.IN_REVIEW, Role.ADMIN),
    (S.IN_REVIEW, Action.ASSIGN): Rule(S.IN_REVIEW, Role.ADMIN),
    (S.IN_REVIEW, Action.OBSERVE): Rule(S.OBSERVED, Role.REVIEWER, needs_reason=True),
    (S.OBSERVED, Action.RESUBMIT): Rule(S.RESUBMITTED, Role.COORDINATOR),
    # Right after the resubmission, by the coordinator who sent it (pmg.review).
    (S.RESUBMITTED, Action.RETURN): Rule(S.IN_REVIEW, Role.COORDINATOR),
    (S.IN_REVIEW, Action.APPROVE): Rule(S.APPROVED, Role.REVIEWER),
    (S.IN_REVIEW, Action.REJECT): Rule(S.REJECTED, Role.REVIEWER, needs_reason=True),
    # Not corrected in time (the review operation checks that the deadline passed).
    (S.OBSERVED, Action.REJECT): Rule(S.REJECTED, Role.REVIEWER, needs_reason=True),
}
# Decisions belong to the reviewer the submission is assigned to.
ASSIGNED_REVIEWER_ONLY = frozenset({Action.OBSERVE, Action.APPROVE, Action.REJECT})


def rule_for(state: SubmissionState, action: Action) -> Rule:
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise Conflict(f"No se puede {action.label} un envío en estado «{state.label}».") from None


def needs_reason(action: Action) -> bool:
    """Whether the table asks for a reason with ``action`` (to say so at the form's field)."""
    return any(rule.needs_reason for (_, taken), rule in TRANSITIONS.items() if taken is action)


def may_act(actor: User, submission: Submission, action: Action) -> bool:
    """Whether ``actor`` may take ``action`` on ``submission`` in its current state."""
    rule = TRANSITIONS.get((submission.state, action))
    if rule is None or actor.role is not rule.role:
        return False
    if rule.role is Role.COORDINATOR:
        return is_coordinator_of(actor, submission.institution_id)
    if action in ASSIGNED_REVIEWER_ONLY:
        return submission.reviewer_id == actor.id
    if action is Action.TAKE:  # a resubmission goes back to whoever reviewed it
        return submission.reviewer_id in (None, actor.id)
    return True


def stale_message(submission: Submission) -> str:
    """Who changed ``submission`` last and when, for someone acting on an older page."""
    moves = [
        (submission.state_changed_at, submission.state_changed_by),
        (submission.draft_saved_at, submission.draft_saved_by),
    ]
    known = [(at, who) for at, who in moves if at is not None and who is not None]
    if known:
        when, who = max(known, key=lambda move: move[0])
        name, moment = who.name, f" el {format_datetime(when)}"
    else:
        name, moment = "Otra persona", ""
    return (
        f"{name} modificó este envío{moment} (estado actual: «{submission.state.label}»), "
        "después de que usted abriera la página. Su acción no se aplicó; revise el estado "
        "actual antes de continuar."
    )


def ensure_fresh(submission: Submission, seen_lock_version: int | None) -> None:
    """Refuse an action sent from a page older than the submission's last change."""
    if seen_lock_version is None or seen_lock_version != submission.lock_version:
        raise Conflict(stale_message(submission))


def flush_or_conflict(submission: Submission) -> None:
    """Flush; if another transaction changed the row meanwhile, undo and say who did.

    The rollback comes first so that the message reads the row as the other
    transaction left it.
    """
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(stale_message(submission)) from None


def _write_history(
    submission: Submission,
    action: Action,
    actor: User,
    before: SubmissionState,
    note: str,
    version_number: int | None,
    details: dict[str, object] | None,
) -> None:
    """The history row and the audit entry of a transition just applied."""
    latest = submission.latest_version
    number = version_number or (latest.number if latest is not None else None)
    db.session.add(
        StateChange(
            submission_id=submission.id,
            version_number=number,
            action=action,
            from_state=before,
            to_state=submission.state,
            actor_id=actor.id,
            at=submission.state_changed_at,
            note=note,
        )
    )
    record(
        f"submission.{action.value}",
        submission,
        actor=actor,
        institution_id=submission.institution_id,
        before={"state": before.value},
        after={"state": submission.state.value, "version": number, "note": note, **(details or {})},
    )


def transition(
    submission: Submission,
    action: Action,
    actor: User,
    seen_lock_version: int | None,
    *,
    note: str = "",
    version_number: int | None = None,
    details: dict[str, object] | None = None,
    changes: dict[str, object] | None = None,
) -> SubmissionState:
    """Move ``submission`` by ``action``: checked, recorded, audited and announced.

    ``changes`` are other attributes of the submission that move with the state (the
    reviewer, the correction deadline); they are set only once the checks pass.
    """
    ensure_fresh(submission, seen_lock_version)
    before = submission.state
    rule = rule_for(before, action)
    if not may_act(actor, submission, action):
        raise Forbidden(f"Su cuenta no puede {action.label} este envío.")
    note = as_typed(note)
    if rule.needs_reason and not note:
        raise DomainError(f"Para {action.label} un envío escriba el motivo.")
    for name, value in (changes or {}).items():
        setattr(submission, name, value)
    submission.state = rule.target
    submission.state_changed_at = utcnow()
    submission.state_changed_by = actor
    flush_or_conflict(submission)
    _write_history(submission, action, actor, before, note, version_number, details)
    announce(transitioned, submission, action=action, actor=actor, note=note)
    return rule.target
