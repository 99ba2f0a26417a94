"""The gap diagnostic in the registry of kinds: its rules, sections, pre-fill and pages."""

from __future__ import annotations

from typing import Any, cast

from pmg.cycles.models import Cycle, WindowKind
from pmg.diagnostics.page import ACCEPT, DISMISS, pending_suggestions, suggestion_action
from pmg.diagnostics.prefill import prefill
from pmg.diagnostics.rules import evaluate
from pmg.diagnostics.schema import COMPLAINTS, GAPS, PERCENTAGES, SAIP, SECTIONS, sections_for
from pmg.indicators.figures import derived_label
from pmg.indicators.queries import history_before
from pmg.submissions.evaluation import Evaluation, SubmissionContext
from pmg.submissions.kinds import FormPage, KindSpec, register_kind
from pmg.submissions.models import SubmissionKind

# The sections shown as a table of years, with their percentages beside the figures.
TABLE_SECTIONS = (COMPLAINTS.key, SAIP.key)


def _page_variables(context: SubmissionContext, evaluation: Evaluation) -> dict[str, Any]:
    """Earlier years beside the reference year, the percentages as they will be exported, and
    the suggested gaps still pending."""
    content = evaluation.content
    cycle = cast(Cycle, context.cycle)  # the form page's context: made with the current cycle
    history = history_before(context.institution.id, cycle.reference_year)
    return {
        "history": history,
        "derived": {key: PERCENTAGES[key](content.get(key) or {}) for key in TABLE_SECTIONS},
        "percentages": PERCENTAGES,
        "derived_label": derived_label,
        "section_templates": {
            **dict.fromkeys(TABLE_SECTIONS, "diagnostics/_indicator_table.html"),
            GAPS.key: "diagnostics/_gaps.html",
        },
        "suggestions": pending_suggestions(context, content, history),
        "suggestion_actions": {"accept": ACCEPT, "dismiss": DISMISS},
    }


DIAGNOSTIC = register_kind(
    KindSpec(
        kind=SubmissionKind.DIAGNOSTIC,
        slug="diagnostico",
        short_name="Diagnóstico",
        whole="Todo el diagnóstico",
        window=WindowKind.DIAGNOSTIC,
        evaluator=lambda draft, context, complete: evaluate(
            draft, context.institution, complete=complete
        ),
        all_sections=SECTIONS,
        sections=sections_for,
        prefill=prefill,
        pdf_template="exports/pdf/diagnostic.html",
        page=FormPage(variables=_page_variables, act=suggestion_action),
    )
)
