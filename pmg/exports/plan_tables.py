"""The ``acciones`` sheet: the actions of each institution's latest submitted plan. Pure.

One row per action, in the plan's order. The gaps it addresses are the numbers of
the diagnostic's gaps (``B1; B2``, as the ``brechas`` sheet numbers them); its
evidence is the files attached to that action, their names and SHA-256 in the
same order. Files attached to the whole plan are in no action's row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pmg.exports.records import (
    IDENTITY_HEADERS,
    CellValue,
    ConsolidatedData,
    InstitutionRecord,
    SubmissionRecord,
    Table,
    calendar_date,
    cell,
    text,
)
from pmg.indicators.layouts import Kind
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
        for number, action in enumerate(actions, start=1):
            if isinstance(action, Mapping):
                evidence = files.get(str(action.get("key") or ""), [])
                rows.append(_row(institution, plan, number, action, evidence))
    return Table("acciones", ACTION_HEADERS, rows)


def _row(
    institution: InstitutionRecord,
    plan: SubmissionRecord,
    number: int,
    action: Mapping[str, Any],
    evidence: list[Mapping[str, Any]],
) -> tuple[CellValue, ...]:
    return (
        institution.code,
        institution.name,
        plan.number,
        number,
        text(action.get("description")),
        gap_numbers(action.get("gaps")),
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


def gap_numbers(gaps: Any) -> str | None:
    """``["1", "10", "2"]`` → ``B1; B2; B10``: the diagnostic's gap numbers, in order."""
    if not isinstance(gaps, list):
        return None
    numbers = sorted(
        (str(gap).strip() for gap in gaps if str(gap).strip()),
        key=lambda gap: (0, int(gap), "") if gap.isdigit() else (1, 0, gap),
    )
    return _joined(f"B{gap}" for gap in numbers)


def _files_by_action(plan: SubmissionRecord) -> dict[str, list[Mapping[str, Any]]]:
    found: dict[str, list[Mapping[str, Any]]] = {}
    for item in plan.evidence:
        if item.get("action_key"):
            found.setdefault(str(item["action_key"]), []).append(item)
    return found


def _joined(values: Iterable[str]) -> str | None:
    return SEPARATOR.join(values) or None
