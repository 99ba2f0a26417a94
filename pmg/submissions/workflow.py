"""The one place where a submission changes state.

``transition`` checks the table, writes the audit entry and flushes; the
version counter on :class:`Submission` makes a concurrent second change fail.
"""

from __future__ import annotations

from typing import Any

from pmg.audit.operations import record
from pmg.auth.models import User
from pmg.core.errors import Conflict
from pmg.core.models import LabelledEnum
from pmg.submissions.models import Submission, SubmissionState


class Action(LabelledEnum):
    SUBMIT = ("submit", "enviar")


TRANSITIONS: dict[tuple[SubmissionState, Action], SubmissionState] = {
    (SubmissionState.DRAFT, Action.SUBMIT): SubmissionState.SUBMITTED,
}


def next_state(state: SubmissionState, action: Action) -> SubmissionState:
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise Conflict(
            f"No se puede {action.label} un envío en estado «{state.label}»."
        ) from None


def transition(
    submission: Submission,
    action: Action,
    actor: User,
    *,
    details: dict[str, Any] | None = None,
) -> SubmissionState:
    """Move ``submission`` by ``action``, recording who, when and what in the audit trail."""
    before = submission.state
    after = next_state(before, action)
    submission.state = after
    record(
        f"submission.{action.value}",
        submission,
        actor=actor,
        institution_id=submission.institution_id,
        before={"state": before.value},
        after={"state": after.value, **(details or {})},
    )
    return after
