"""The suggested gaps on the diagnostic's form page: the pending ones for the block «Brechas
sugeridas», and its two buttons, which save what was typed like every button of the page
(:attr:`pmg.submissions.kinds.FormPage.act`).

``aceptar-sugerencia:<key>`` adds the suggestion as the last gap, with its key: a gap like
any other, editable and removable (removed, the suggestion is pending again).
``descartar-sugerencia:<key>`` records that it is not to be proposed again for this
submission. A key that is not pending (already accepted or dismissed, no longer found in the
figures as typed now, or made up) changes nothing and says so.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, cast

from pmg.auth.models import User
from pmg.core.caching import cached
from pmg.cycles.models import Cycle
from pmg.diagnostics.operations import accept_suggestion, dismiss_suggestion
from pmg.diagnostics.queries import dismissed_keys, load_basis
from pmg.diagnostics.rules import evaluate
from pmg.diagnostics.schema import GAPS
from pmg.diagnostics.suggestions import Suggestion, pending, suggest
from pmg.indicators.queries import History, history_before
from pmg.submissions.evaluation import SubmissionContext
from pmg.submissions.kinds import PageAction
from pmg.submissions.models import Submission

ACCEPT = "aceptar-sugerencia"
DISMISS = "descartar-sugerencia"
GAPS_ANCHOR = f"seccion-{GAPS.key}"
NOT_PENDING = (
    "Esa brecha sugerida ya no está pendiente: ya se agregó o se descartó, o las cifras "
    "ingresadas ya no la muestran."
)

Draft = dict[str, Any]


def pending_suggestions(
    context: SubmissionContext, content: Mapping[str, Any], history: History
) -> list[Suggestion]:
    """The suggestions for the draft's typed ``content`` that are neither among its gaps nor
    dismissed: worked out once for the same content while the data is unchanged (the
    history, the peers, the targets and the dismissed ones are all data)."""
    cycle = cast(Cycle, context.cycle)  # the form page's context: made with the current cycle
    institution = context.institution

    def work_out() -> list[Suggestion]:
        basis = load_basis(institution, cycle, content, history)
        gaps = content.get(GAPS.key) or []
        return pending(suggest(basis), gaps, dismissed_keys(institution, cycle))

    # Typed values apart from texts that read the same (Decimal('1') is not '1').
    typed = json.dumps(content, sort_keys=True, default=repr).encode()
    vary = (institution.id, cycle.id, hashlib.sha256(typed).hexdigest())
    return cached("diagnostics.suggestions", vary, work_out)


def suggestion_action(
    submission: Submission, draft: Draft, context: SubmissionContext, action: str, actor: User
) -> PageAction | None:
    """Accept or dismiss the suggestion the button names; ``None`` for another button."""
    verb, _, key = action.partition(":")
    if verb not in (ACCEPT, DISMISS):
        return None
    cycle = cast(Cycle, context.cycle)
    content = evaluate(draft, context.institution, complete=False).content
    history = history_before(context.institution.id, cycle.reference_year)
    found = next((s for s in pending_suggestions(context, content, history) if s.key == key), None)
    if found is None:
        return PageAction(draft, NOT_PENDING, "error", GAPS_ANCHOR)
    if verb == DISMISS:
        dismiss_suggestion(submission, found.key, actor)
        message = f"Se descartó la brecha sugerida «{found.label}»: no se volverá a proponer."
        return PageAction(draft, message, anchor=GAPS_ANCHOR)
    accepted = accept_suggestion(draft, found)
    if accepted is None:
        message = f"No se agregó la brecha sugerida: {GAPS.row_limit()}. Quite una para agregarla."
        return PageAction(draft, message, "error", GAPS_ANCHOR)
    number = len(accepted[GAPS.key])
    message = (
        f"Se agregó la brecha sugerida «{found.label}» como brecha {number}: "
        "complete sus causas y su prioridad."
    )
    return PageAction(accepted, message, anchor=f"{GAPS.key}-{number - 1}")
