"""Validation of a diagnostic, in the two levels of the domain.

Errors block submitting (and are shown at their field); warnings are real data
that looks inconsistent and never block. Each rule is a plain function over the
typed values of one section or row, returning findings.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from pmg.diagnostics.schema import (
    COMPLAINTS,
    GAPS,
    PROCEDURES,
    SAIP,
    GapDimension,
    sections_for,
)
from pmg.indicators.models import Justification
from pmg.institutions.models import Institution
from pmg.submissions.content import REQUIRED, Finding, jsonable
from pmg.submissions.evaluation import Evaluation, Rule, SectionRules, Values, evaluate_sections


def _present(*values: Any) -> bool:
    return all(value is not None for value in values)


# --- Errors ------------------------------------------------------------------------------


def part_not_above_total(part: str, total: str, message: str) -> Rule:
    """Error at ``part`` when it exceeds ``total`` (e.g. answered late > answered)."""

    def rule(values: Values, prefix: str) -> list[Finding]:
        if _present(values.get(part), values.get(total)) and values[part] > values[total]:
            return [Finding(f"{prefix}.{part}", message)]
        return []

    return rule


def minimum_not_above_maximum(minimum: str, maximum: str) -> Rule:
    def rule(values: Values, prefix: str) -> list[Finding]:
        low, high = values.get(minimum), values.get(maximum)
        if low is not None and high is not None and low > high:
            return [Finding(f"{prefix}.{minimum}", "El mínimo no puede ser mayor que el máximo.")]
        return []

    return rule


def other_reason_given(values: Values, prefix: str) -> list[Finding]:
    if values.get("justification") == Justification.OTHER.value and not values.get(
        "other_reason"
    ):
        return [Finding(f"{prefix}.other_reason", "Explique la otra razón de la selección.")]
    return []


# --- Warnings ----------------------------------------------------------------------------


def answered_not_above_received(phrase: str) -> Rule:
    """``phrase`` names what was counted, e.g. "reclamos respondidos que recibidos"."""

    def rule(values: Values, prefix: str) -> list[Finding]:
        answered, received = values.get("answered"), values.get("received")
        if answered is not None and received is not None and answered > received:
            return [
                Finding(
                    f"{prefix}.answered",
                    f"Se informan más {phrase} ({answered} y {received}); "
                    "puede deberse a ingresos de años anteriores.",
                )
            ]
        return []

    return rule


OUTSIDE_RANGE = "El valor queda fuera del rango entre el mínimo y el máximo."


def central_values_within_range(names: tuple[str, ...], minimum: str, maximum: str) -> Rule:
    def rule(values: Values, prefix: str) -> list[Finding]:
        low, high = values.get(minimum), values.get(maximum)
        if low is None or high is None or low > high:
            return []
        return [
            Finding(f"{prefix}.{name}", OUTSIDE_RANGE)
            for name in names
            if values.get(name) is not None and not low <= values[name] <= high
        ]

    return rule


SAIP_BANDS = ("answered_within_10", "answered_within_15", "answered_within_20")


def saip_bands_cumulative(values: Values, prefix: str) -> list[Finding]:
    findings = []
    for shorter, longer in pairwise(SAIP_BANDS):
        shorter_value, longer_value = values.get(shorter), values.get(longer)
        if shorter_value is not None and longer_value is not None and shorter_value > longer_value:
            findings.append(
                Finding(
                    f"{prefix}.{longer}",
                    "Los tramos son acumulativos: este valor no debería ser menor que el del "
                    "tramo anterior.",
                )
            )
    return findings


def saip_bands_add_up(values: Values, prefix: str) -> list[Finding]:
    within, over, answered = (
        values.get("answered_within_20"),
        values.get("answered_over_20"),
        values.get("answered"),
    )
    if (
        within is not None
        and over is not None
        and answered is not None
        and within + over != answered
    ):
        return [
            Finding(
                f"{prefix}.answered_over_20",
                f"Las respondidas en 20 días o menos más las respondidas en más de 20 días "
                f"({within} + {over}) no suman las respondidas ({answered}).",
            )
        ]
    return []


TIMES = ("mean_days", "median_days")
RULES: dict[str, SectionRules] = {
    COMPLAINTS.key: SectionRules(
        errors=(
            part_not_above_total(
                "answered_over_20",
                "answered",
                "No puede haber más reclamos respondidos en más de 20 días hábiles que "
                "reclamos respondidos.",
            ),
            minimum_not_above_maximum("min_days", "max_days"),
        ),
        warnings=(
            answered_not_above_received("reclamos respondidos que recibidos"),
            central_values_within_range(TIMES, "min_days", "max_days"),
        ),
    ),
    SAIP.key: SectionRules(
        errors=(
            *(
                part_not_above_total(
                    band,
                    "answered",
                    "No puede haber más solicitudes en este tramo que solicitudes respondidas.",
                )
                for band in (*SAIP_BANDS, "answered_over_20")
            ),
            minimum_not_above_maximum("min_days", "max_days"),
        ),
        warnings=(
            answered_not_above_received("solicitudes respondidas que recibidas"),
            central_values_within_range(TIMES, "min_days", "max_days"),
            saip_bands_cumulative,
            saip_bands_add_up,
        ),
    ),
    PROCEDURES.key: SectionRules(
        errors=(
            part_not_above_total(
                "handled_late",
                "handled",
                "No puede haber más transacciones fuera de plazo que transacciones gestionadas.",
            ),
            minimum_not_above_maximum("minimum", "maximum"),
        ),
        warnings=(central_values_within_range(("mean", "median"), "minimum", "maximum"),),
        completeness=(other_reason_given,),
    ),
}


# --- Evaluation --------------------------------------------------------------------------


def evaluate(draft: dict[str, Any], institution: Institution, *, complete: bool) -> Evaluation:
    """Parse and check ``draft``. ``complete`` adds what submitting requires (empty fields)."""
    result = evaluate_sections(draft, sections_for(institution), RULES, complete=complete)
    _check_procedure_names(result)
    if complete:
        _check_gap_procedures(result)
    result.content = jsonable(result.content)
    return result


def _check_procedure_names(result: Evaluation) -> None:
    seen: set[str] = set()
    for index, row in enumerate(result.content.get(PROCEDURES.key, [])):
        name = (row.get("name") or "").casefold()
        if name and name in seen:
            result.errors.append(
                Finding(f"{PROCEDURES.key}.{index}.name", "Ya hay otro trámite con este nombre.")
            )
        seen.add(name)


def _check_gap_procedures(result: Evaluation) -> None:
    names = {(row.get("name") or "").casefold() for row in result.content.get(PROCEDURES.key, [])}
    for index, gap in enumerate(result.content.get(GAPS.key, [])):
        if gap.get("dimension") != GapDimension.PROCEDURE.value:
            continue
        path = f"{GAPS.key}.{index}.procedure"
        if not gap.get("procedure"):
            result.errors.append(Finding(path, REQUIRED))
        elif PROCEDURES.key in result.content and gap["procedure"].casefold() not in names:
            result.errors.append(
                Finding(path, "Escriba el nombre de uno de los trámites de la sección de trámites.")
            )
