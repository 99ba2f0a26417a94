"""How the audit trail names submissions, their versions and their state changes (see
:mod:`pmg.audit.names` and :mod:`pmg.audit.actions`).

:func:`of_submission` and :func:`submission_name` also serve the objects that belong
to a submission (its evidence, its reviews and observations).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from pmg.audit.actions import SUBMISSION_PREFIX, register_action_labels
from pmg.audit.names import RowNamer, register_names
from pmg.cycles.models import Cycle
from pmg.institutions.models import Institution
from pmg.submissions.kinds import KINDS
from pmg.submissions.models import Action, Submission, SubmissionVersion

ACTION_LABELS = {
    Action.SUBMIT: "Envío presentado",
    Action.TAKE: "Envío tomado para revisión",
    Action.ASSIGN: "Envío asignado a revisor/a",
    Action.OBSERVE: "Envío observado",
    Action.RESUBMIT: "Envío corregido y reenviado",
    Action.RETURN: "Envío corregido devuelto a quien lo revisó",
    Action.APPROVE: "Envío aprobado",
    Action.REJECT: "Envío rechazado",
}


def submission_name(row: Any) -> str:
    """``Diagnóstico 2026 · 1306``: kind, cycle and institution code."""
    return f"{KINDS[row.kind].short_name} {row.cycle_year} · {row.institution_code}"


def of_submission(model: Any, submission_id: Any, *columns: Any) -> Select[Any]:
    """``model``'s id and ``columns``, with what names its submission (see
    :func:`submission_name`)."""
    query = select(
        model.id,
        *columns,
        Submission.kind,
        Cycle.year.label("cycle_year"),
        Institution.code.label("institution_code"),
    )
    if model is not Submission:
        query = query.join(Submission, Submission.id == submission_id)
    return query.join(Cycle, Cycle.id == Submission.cycle_id).join(
        Institution, Institution.id == Submission.institution_id
    )


register_names(
    "Submission",
    "Envío",
    RowNamer(Submission, lambda: of_submission(Submission, None), submission_name),
)
register_names(
    "SubmissionVersion",
    "Versión",
    RowNamer(
        SubmissionVersion,
        lambda: of_submission(
            SubmissionVersion, SubmissionVersion.submission_id, SubmissionVersion.number
        ),
        lambda r: f"{submission_name(r)} · versión {r.number}",
    ),
)
register_action_labels(
    {
        f"{SUBMISSION_PREFIX}{action.value}": ACTION_LABELS.get(action, f"Envío: {action.label}")
        for action in Action
    }
)
