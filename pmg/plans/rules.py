"""Validation of an improvement plan against its cycle and the submitted diagnostic."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from pmg.core.filters import format_date
from pmg.cycles.models import Cycle
from pmg.diagnostics.schema import Priority
from pmg.plans.schema import ACTIONS, sections_for
from pmg.submissions.content import Finding, jsonable
from pmg.submissions.evaluation import (
    Evaluation,
    SectionRules,
    SubmissionContext,
    Values,
    evaluate_sections,
)

PERCENT_UNITS = ("%", "porcentaje", "por ciento")


def diagnostic_gaps(context: SubmissionContext) -> list[dict[str, Any]]:
    """The gaps of the submitted diagnostic, in its order (gap ``n`` is ``Bn``)."""
    return list(((context.diagnostic or {}).get("content") or {}).get("gaps") or [])


def gap_id(number: int, gap: Mapping[str, Any]) -> str:
    """How an action refers to a gap: its key, which stays when gaps are removed or
    reordered; its number for a gap without one (added before gaps had keys)."""
    return str(gap.get("key") or number)


def gaps_by_id(gaps: Iterable[Mapping[str, Any]]) -> dict[str, tuple[int, Mapping[str, Any]]]:
    """Each gap with its current number, by the id actions refer to it with."""
    return {gap_id(number, gap): (number, gap) for number, gap in enumerate(gaps, start=1)}


# How much of a gap's description names it (form choices, messages, the plan's PDF).
GAP_NAME_LENGTH = 60


def gap_reference(number: int, gap: Mapping[str, Any]) -> str:
    """``B2 · Tiempos de respuesta de reclamos (alta)``: how people name a gap.

    The description is on one line, and one longer than :data:`GAP_NAME_LENGTH` is cut
    with «…» after its last whole word there (or there, for a longer word): the name is
    repeated wherever an action refers to the gap, and the diagnostic holds it whole.
    """
    priority = Priority(gap["priority"]).label.lower() if gap.get("priority") else "sin prioridad"
    description = " ".join(str(gap.get("description") or "sin descripción").split())
    if len(description) > GAP_NAME_LENGTH:
        cut = description[:GAP_NAME_LENGTH]
        if description[GAP_NAME_LENGTH] != " " and " " in cut:
            cut = cut.rsplit(" ", 1)[0]
        description = cut.rstrip() + "…"
    return f"B{number} · {description} ({priority})"


def unknown_gap(reference: str) -> str:
    """A reference no gap of the diagnostic has, as written: a number as ``B9`` (as
    actions referred to gaps before gaps had keys), a key as it is."""
    return f"B{reference}" if reference.isdigit() else reference


def dates_in_order(values: Values, prefix: str) -> list[Finding]:
    start, end = values.get("start_date"), values.get("end_date")
    if start and end and start > end:
        return [
            Finding(
                f"{prefix}.start_date", "La fecha de inicio no puede ser posterior a la de término."
            )
        ]
    return []


def percentage_target_in_range(values: Values, prefix: str) -> list[Finding]:
    unit = (values.get("target_unit") or "").strip().casefold()
    target = values.get("target_value")
    if target is not None and unit in PERCENT_UNITS and target > 100:
        return [
            Finding(f"{prefix}.target_value", "Una meta en porcentaje debe estar entre 0 y 100.")
        ]
    return []


RULES = {ACTIONS.key: SectionRules(errors=(dates_in_order, percentage_target_in_range))}


def execution_problem(cycle: Cycle) -> str:
    """What a date outside the cycle's execution period is told."""
    start, end = cycle.execution_period
    return (
        f"La fecha debe estar entre el {format_date(start)} y el {format_date(end)}, "
        "el período de ejecución del plan."
    )


def _check_dates_in_cycle(result: Evaluation, context: SubmissionContext) -> None:
    if context.cycle is None:
        return
    start, end = context.cycle.execution_period
    close = context.cycle.close_end
    for index, action in enumerate(result.content.get(ACTIONS.key, [])):
        for name in ("start_date", "end_date"):
            value = action.get(name)
            if value and not start <= date.fromisoformat(value) <= end:
                result.errors.append(
                    Finding(f"actions.{index}.{name}", execution_problem(context.cycle))
                )
        ends = action.get("end_date")
        if ends and close < date.fromisoformat(ends) <= end:
            result.warnings.append(
                Finding(
                    f"actions.{index}.end_date",
                    f"La acción termina después del cierre del ciclo ({format_date(close)}).",
                )
            )


def _check_gap_coverage(result: Evaluation, context: SubmissionContext, complete: bool) -> None:
    gaps = gaps_by_id(diagnostic_gaps(context))
    covered: set[str] = set()
    for index, action in enumerate(result.content.get(ACTIONS.key, [])):
        chosen = set(action.get("gaps") or [])
        if chosen - gaps.keys():
            result.errors.append(
                Finding(f"actions.{index}.gaps", "Elija solo brechas del diagnóstico enviado.")
            )
        covered |= chosen
    uncovered = {
        priority: [
            gap_reference(number, gap)
            for reference, (number, gap) in gaps.items()
            if gap.get("priority") == priority.value and reference not in covered
        ]
        for priority in (Priority.HIGH, Priority.MEDIUM)
    }
    if uncovered[Priority.HIGH] and complete:
        result.errors.append(
            Finding(
                ACTIONS.key,
                "Cada brecha de prioridad alta necesita al menos una acción. Sin acción: "
                + "; ".join(uncovered[Priority.HIGH])
                + ".",
            )
        )
    if uncovered[Priority.MEDIUM]:
        result.warnings.append(
            Finding(
                ACTIONS.key,
                "Brechas de prioridad media sin acción: "
                + "; ".join(uncovered[Priority.MEDIUM])
                + ".",
            )
        )


def evaluate(draft: dict[str, Any], context: SubmissionContext, *, complete: bool) -> Evaluation:
    """Parse and check a plan draft; ``complete`` adds what submitting requires."""
    result = evaluate_sections(draft, sections_for(context.institution), RULES, complete=complete)
    if complete and context.diagnostic is None:
        result.errors.append(
            Finding(ACTIONS.key, "Primero debe enviarse el diagnóstico de brechas del ciclo.")
        )
    _check_dates_in_cycle(result, context)
    _check_gap_coverage(result, context, complete)
    result.content = jsonable(result.content)
    return result
