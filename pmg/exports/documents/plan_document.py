"""What the document of a plan version adds: the gaps named, the procedure targets as a
table, and which diagnostic the plan answers. Pure.

A plan's content names the diagnostic's gaps by id only (their key, or ``"2"`` for a
gap without one: see :func:`pmg.plans.rules.gap_id`); their number, description and
priority live in the diagnostic, which the caller finds and passes (``diagnostic``: a
diagnostic version's ``content``, or ``None`` when none is found).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pmg.core.filters import format_datetime
from pmg.exports.documents.blocks import (
    EMPTY,
    Fact,
    Grid,
    GridRow,
    Section,
    format_percent,
    format_raw,
    format_value,
)
from pmg.indicators.figures import procedure_percentages
from pmg.plans.rules import gap_reference, gaps_by_id, unknown_gap
from pmg.plans.schema import PROCEDURE_TARGETS

HASH_PREFIX_LENGTH = 12
REFERENCE_LABEL = "Diagnóstico de referencia"
NO_REFERENCE = (
    "No se encontró un diagnóstico enviado antes de este plan; las brechas se muestran solo "
    "por su número o su identificador."
)


def _diagnostic_rows(diagnostic: Mapping[str, Any] | None, key: str) -> list[Mapping[str, Any]]:
    rows = ((diagnostic or {}).get("content") or {}).get(key)
    return [row for row in rows if isinstance(row, Mapping)] if isinstance(rows, list) else []


def gap_namer(diagnostic: Mapping[str, Any] | None) -> Callable[[str], str]:
    """A gap's id → ``B2 · Tiempos de respuesta de reclamos (alta)``, numbered as in the
    diagnostic; the id alone (``B2`` for a number) without the diagnostic, and said so when
    the diagnostic has no such gap."""
    gaps = gaps_by_id(_diagnostic_rows(diagnostic, "gaps"))

    def name(reference: str) -> str:
        if reference in gaps:
            return gap_reference(*gaps[reference])
        if diagnostic is None:
            return unknown_gap(reference)
        return f"{unknown_gap(reference)} (no figura en el diagnóstico de referencia)"

    return name


def reference_fact(version: Any | None) -> Fact:
    """Which diagnostic version named the gaps: number, date and the start of its hash."""
    if version is None:
        return Fact(REFERENCE_LABEL, NO_REFERENCE)
    return Fact(
        REFERENCE_LABEL,
        f"Versión {version.number}, enviada el {format_datetime(version.submitted_at)} "
        f"(SHA-256 {version.content_hash[:HASH_PREFIX_LENGTH]}…)",
    )


def procedure_targets_section(
    data: Any, diagnostic: Mapping[str, Any] | None, notes: Mapping[str, list[int]]
) -> Section | None:
    """The procedure targets as one table, each beside the procedure's current share in the
    diagnostic; ``None`` when a row holds a field the schema no longer describes (it is then
    shown entry by entry, so that nothing hashed is left out).

    The row's key field is the procedure's name, as the plan form shows it: unlike an
    action's key it means something to a reader, so it names the row.
    """
    spec = PROCEDURE_TARGETS
    rows = [row for row in data if isinstance(row, Mapping)] if isinstance(data, list) else []
    known = {field.name for field in spec.fields}
    if any(set(row) - known for row in rows):
        return None
    current = {
        str(procedure.get("name") or "").strip().casefold(): procedure_percentages(procedure)[
            "on_time_pct"
        ]
        for procedure in _diagnostic_rows(diagnostic, "procedures")
    }
    target = spec.field("on_time_pct")
    grid_rows = []
    for index, row in enumerate(rows):
        name = str(row.get("procedure") or "").strip()
        prefix = f"{spec.key}.{index}"
        row_notes = sorted(
            number
            for path, numbers in notes.items()
            if path == prefix or path.startswith(f"{prefix}.")
            for number in numbers
        )
        now = current.get(name.casefold()) if diagnostic is not None else None
        cells = (
            format_raw(name) if name else EMPTY,
            format_percent(now),
            format_value(target, row.get(target.name)),
        )
        grid_rows.append(GridRow(cells, tuple(row_notes)))
    grid = Grid(
        headers=(
            spec.field("procedure").label,
            "% gestionadas dentro del plazo esperado (diagnóstico)",
            target.label,
        ),
        rows=tuple(grid_rows),
        numeric=(False, True, True),
    )
    return Section(spec.key, spec.title, True, grid=grid)
