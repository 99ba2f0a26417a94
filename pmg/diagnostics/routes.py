"""The coordinator's diagnostic form for the current cycle."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from werkzeug.wrappers import Response

from pmg.auth.models import Role
from pmg.auth.sessions import preserves_input
from pmg.core.permissions import roles_required
from pmg.indicators.figures import complaint_percentages, derived_label, saip_percentages
from pmg.indicators.queries import history_before
from pmg.submissions.drafts import DraftPage, edit_draft
from pmg.submissions.evaluation import Evaluation, SubmissionContext
from pmg.submissions.kinds import KINDS
from pmg.submissions.models import SubmissionKind

bp = Blueprint("diagnostics", __name__, url_prefix="/instituciones/<code>/diagnostico")
PERCENTAGES = {"complaints": complaint_percentages, "saip": saip_percentages}


def _history_and_percentages(
    context: SubmissionContext, evaluation: Evaluation
) -> dict[str, Any]:
    """Earlier years beside the reference year, and the percentages as they will be exported."""
    content = evaluation.content
    return {
        "history": history_before(context.institution.id, context.cycle.reference_year),
        "derived": {key: rule(content.get(key) or {}) for key, rule in PERCENTAGES.items()},
        "percentages": PERCENTAGES,
        "derived_label": derived_label,
        "section_templates": {
            "complaints": "diagnostics/_indicator_table.html",
            "saip": "diagnostics/_indicator_table.html",
        },
    }


PAGE = DraftPage(
    kind=KINDS[SubmissionKind.DIAGNOSTIC],
    template="submissions/form.html",
    variables=_history_and_percentages,
    evidence_whole="Todo el diagnóstico",
)


@bp.route("", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
@preserves_input
def edit(code: str) -> tuple[str, int] | Response:
    return edit_draft(code, PAGE)
