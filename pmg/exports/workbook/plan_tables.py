"""The ``acciones`` sheet: the actions of each institution's latest submitted plan. Pure.

One row per action, in the plan's order. The gaps it addresses are their numbers in
the institution's latest submitted diagnostic (``B1; B2``, as the ``brechas`` sheet
numbers them), found from the ids the action holds (:func:`pmg.plans.rules.gap_id`),
so they follow the gaps when a diagnostic sent again removes or reorders them. An id
that diagnostic no longer has is written as it is (:func:`pmg.plans.rules.unknown_gap`),
after the numbers, rather than dropped: the cell shows all the action refers to. Its
evidence is the files attached to that action, their names and SHA-256 in the same
order. Files attached to the whole plan are in no action's row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pmg.core.xlsx import CellValue, Table
from pmg.diagnostics.schema import GAPS
from pmg.exports.workbook.records import (
    IDENTITY_HEADERS,
    ConsolidatedData,
    InstitutionRecord,
    SubmissionRecord,
    calendar_date,
    cell,
    code_cell,
    text,
)
from pmg.indicators.layouts import Kind
from pmg.plans.rules import gaps_by_id, unknown_gap
from pmg.plans.schema import ACTIONS

SEPARATOR = "; "
ACTION_HEADERS = (
    *IDENTITY_HEADERS,
    "version",
    "accion",
    "descripcion",
    "brechas",
    "unidad_responsable",
    "persona_responsable",
    "fecha_inicio",
    "fecha_termino",
    "indicador",
    "meta",
    "unidad_meta",
    "medios_de_verificacion",
    "evidencia_archivos",
    "evidencia_sha256",
)


def actions_table(data: ConsolidatedData) -> Table:
    """One row per action of each institution's latest submitted plan."""
    rows: list[tuple[CellValue, ...]] = []
    for institution in data.institutions:
        plan = data.plans.get(institution.id)
        actions = plan.section(ACTIONS) if plan is not None else None
        if plan is None or not isinstance(actions, list):
            continue
        files = _files_by_action(plan)
        numbers = _gap_numbers_by_id(data.diagnostics.get(institution.id))
        for number, action in enumerate(actions, start=1):
            if isinstance(action, Mapping):
                evidence = files.get(str(action.get("key") or ""), [])
                gaps = gap_numbers(action.get("gaps"), numbers)
                rows.append(_row(institution, plan, number, action, gaps, evidence))
    return Table("acciones", ACTION_HEADERS, rows)


def _row(
    institution: InstitutionRecord,
    plan: SubmissionRecord,
    number: int,
    action: Mapping[str, Any],
    gaps: str | None,
    evidence: list[Mapping[str, Any]],
) -> tuple[CellValue, ...]:
    return (
        code_cell(institution.code),
        institution.name,
        plan.number,
        number,
        text(action.get("description")),
        gaps,
        text(action.get("owner_unit")),
        text(action.get("owner_person")),
        calendar_date(action.get("start_date")),
        calendar_date(action.get("end_date")),
        text(action.get("indicator")),
        cell(action.get("target_value"), Kind.NUMBER),
        text(action.get("target_unit")),
        text(action.get("verification")),
        _joined(str(item.get("name") or "") for item in evidence),
        _joined(str(item.get("sha256") or "") for item in evidence),
    )


def _gap_numbers_by_id(diagnostic: SubmissionRecord | None) -> dict[str, int]:
    gaps = diagnostic.section(GAPS) if diagnostic is not None else None
    rows = [gap for gap in gaps if isinstance(gap, Mapping)] if isinstance(gaps, list) else []
    return {reference: number for reference, (number, _) in gaps_by_id(rows).items()}


def gap_numbers(references: Any, numbers: Mapping[str, int]) -> str | None:
    """``["k2", "k1"]`` → ``B1; B2`` when ``numbers`` (each gap's number by its id) is
    ``{"k1": 1, "k2": 2}``: the gaps in the diagnostic's order. An id ``numbers`` lacks is
    written as it is: a number as ``B9``, in its place; a key after the numbers.
    """
    if not isinstance(references, list):
        return None

    def order(reference: str) -> tuple[int, int, str]:
        number = numbers.get(reference)
        if number is None and reference.isdigit():
            number = int(reference)
        return (0, number, "") if number is not None else (1, 0, reference)

    written = sorted((str(item).strip() for item in references if str(item).strip()), key=order)
    return _joined(
        f"B{numbers[reference]}" if reference in numbers else unknown_gap(reference)
        for reference in written
    )


def _files_by_action(plan: SubmissionRecord) -> dict[str, list[Mapping[str, Any]]]:
    found: dict[str, list[Mapping[str, Any]]] = {}
    for item in plan.evidence:
        if item.get("action_key"):
            found.setdefault(str(item["action_key"]), []).append(item)
    return found


def _joined(values: Iterable[str]) -> str | None:
    return SEPARATOR.join(values) or None
