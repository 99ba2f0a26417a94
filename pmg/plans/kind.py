"""The improvement plan in the registry of kinds: its rules, sections, pre-fill and pages.

Its form is built on the submitted diagnostic: one target row per diagnostic procedure,
actions that choose among the diagnostic's gaps, dates inside the execution period.
"""

from __future__ import annotations

from typing import Any, cast

from wtforms import SelectChoice

from pmg.core.filters import format_date
from pmg.cycles.models import Cycle, WindowKind
from pmg.indicators.figures import procedure_percentages
from pmg.plans.prefill import prefill
from pmg.plans.rules import diagnostic_gaps, evaluate, gap_id, gap_reference
from pmg.plans.schema import ACTIONS, PROCEDURE_TARGETS, SECTIONS, sections_for
from pmg.submissions.evaluation import Evaluation, SubmissionContext
from pmg.submissions.kinds import FormPage, KindSpec, register_kind
from pmg.submissions.models import SubmissionKind

DATE_FIELDS = ("start_date", "end_date")


def _diagnostic_procedures(context: SubmissionContext) -> list[dict[str, Any]]:
    return list(((context.diagnostic or {}).get("content") or {}).get("procedures") or [])


def _needs_diagnostic(context: SubmissionContext) -> str | None:
    return "plans/needs_diagnostic.html" if context.diagnostic is None else None


def _one_row_per_procedure(draft: dict[str, Any], context: SubmissionContext) -> dict[str, Any]:
    """A target row for each procedure of the diagnostic, keeping targets already typed."""
    if not PROCEDURE_TARGETS.applies(context.institution):
        return draft
    typed = {row.get("procedure"): row for row in draft.get(PROCEDURE_TARGETS.key) or []}
    rows = [
        {
            "procedure": procedure["name"],
            "on_time_pct": typed.get(procedure["name"], {}).get("on_time_pct", ""),
        }
        for procedure in _diagnostic_procedures(context)
    ]
    return {**draft, PROCEDURE_TARGETS.key: rows}


def _configure_actions(form: Any, context: SubmissionContext) -> None:
    """Each action chooses among the diagnostic's gaps, and its dates show (and offer) the
    cycle's execution period before anything is typed."""
    choices = [
        SelectChoice(gap_id(number, gap), gap_reference(number, gap))
        for number, gap in enumerate(diagnostic_gaps(context), start=1)
    ]
    start, end = cast(Cycle, context.cycle).execution_period  # the form page's: it has one
    hint = (
        f"Entre el {format_date(start)} y el {format_date(end)} (período de ejecución del plan)."
    )
    for entry in form[ACTIONS.key].entries:
        entry.form.gaps.choices = choices
        for name in DATE_FIELDS:
            date_field = entry.form[name]
            date_field.description = hint
            date_field.render_kw = {
                **(date_field.render_kw or {}),
                "min": start.isoformat(),
                "max": end.isoformat(),
            }


def _diagnostic_figures(context: SubmissionContext, evaluation: Evaluation) -> dict[str, Any]:
    return {
        "section_templates": {PROCEDURE_TARGETS.key: "plans/_procedure_targets.html"},
        "current_on_time": {
            procedure["name"]: procedure_percentages(procedure)["on_time_pct"]
            for procedure in _diagnostic_procedures(context)
        },
    }


PLAN = register_kind(
    KindSpec(
        kind=SubmissionKind.PLAN,
        slug="plan",
        short_name="Plan de mejora",
        whole="Todo el plan",
        window=WindowKind.PLAN,
        evaluator=lambda draft, context, complete: evaluate(draft, context, complete=complete),
        all_sections=SECTIONS,
        sections=sections_for,
        prefill=prefill,
        pdf_template="exports/pdf/plan.html",
        page=FormPage(
            prepare=_one_row_per_procedure,
            configure=_configure_actions,
            variables=_diagnostic_figures,
            blocked=_needs_diagnostic,
        ),
    )
)
