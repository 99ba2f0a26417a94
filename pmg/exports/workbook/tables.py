"""The consolidated workbook as tables: domain data in, headers and rows out. Pure.

The three indicator sheets follow :mod:`pmg.indicators.layouts` (the import reads
the same definitions), so the official column names and order live in one place.
Cell values are described in :mod:`pmg.exports.workbook.records`.

The reference year's figures (and procedures) come from the institution's latest
submitted diagnostic of the cycle, when there is one; the history tables supply
every other year. The ``plan_*_meta`` targets come from its latest submitted plan,
or else from the imported targets of the cycle (:func:`target_value`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import cache
from typing import Any

from pmg.core.spreadsheets import comparable
from pmg.core.xlsx import CellValue, Table
from pmg.diagnostics.schema import COMPLAINTS as COMPLAINTS_SECTION
from pmg.diagnostics.schema import GAPS as GAPS_SECTION
from pmg.diagnostics.schema import PROCEDURES as PROCEDURES_SECTION
from pmg.diagnostics.schema import SAIP as SAIP_SECTION
from pmg.diagnostics.schema import GapDimension, Priority
from pmg.exports.workbook.plan_tables import actions_table
from pmg.exports.workbook.records import (
    IDENTITY_HEADERS,
    NOT_AVAILABLE,
    ConsolidatedData,
    Figures,
    InstitutionRecord,
    ProcedureRecord,
    SubmissionRecord,
    cell,
    chile_time,
    code_cell,
    label,
    member,
    number_or_text,
    text,
)
from pmg.exports.workbook.review_tables import review_table
from pmg.indicators import figures
from pmg.indicators.cells import read_text
from pmg.indicators.layouts import (
    COMPLAINTS,
    LAYOUTS,
    PROCEDURES,
    SAIP,
    Column,
    DerivedPercent,
    Kind,
    Layout,
)
from pmg.indicators.models import UNREPORTED, Justification, TimeUnit
from pmg.institutions.importer import COLUMNS as CATALOG_COLUMNS
from pmg.plans.schema import COMPLAINT_TARGETS, SAIP_TARGETS
from pmg.submissions.content import SectionSpec

NO_SUBMISSION = "Sin envío"
# The plan sections whose fields are named like the CycleTargets attributes.
PLAN_TARGETS: tuple[SectionSpec, ...] = (COMPLAINT_TARGETS, SAIP_TARGETS)


# --- The indicator sheets ------------------------------------------------------------------

SECTIONS: dict[str, SectionSpec] = {
    COMPLAINTS.name: COMPLAINTS_SECTION,
    SAIP.name: SAIP_SECTION,
    PROCEDURES.name: PROCEDURES_SECTION,
}
# The layouts that show derived percentages (trámites shows none).
PERCENTAGES: dict[str, Callable[[Any], figures.Derived]] = {
    COMPLAINTS.name: figures.complaint_percentages,
    SAIP.name: figures.saip_percentages,
}


def target_value(data: ConsolidatedData, institution_id: int, column: Column) -> Any:
    """A ``plan_*_meta`` value: the latest submitted plan's target, else the imported one.

    The plan's targets are optional: one it leaves empty falls back to the cycle's
    imported :class:`~pmg.indicators.models.CycleTargets` too.
    """
    name = column.attribute
    plan = data.plans.get(institution_id)
    if plan is not None:
        for section in PLAN_TARGETS:
            values = plan.section(section)
            if isinstance(values, Mapping) and values.get(name) is not None:
                return values[name]
    return data.targets.get(institution_id, {}).get(name)


def indicator_table(layout: Layout, data: ConsolidatedData) -> Table:
    """The sheet of ``layout``: one row per institution (per procedure for trámites)."""
    rows: list[tuple[CellValue, ...]] = []
    for institution in data.institutions:
        # The diagnostic's own rule: SAIP-stage institutions report no complaints or procedures.
        if not SECTIONS[layout.name].applies(institution):
            continue
        diagnostic = data.diagnostics.get(institution.id)
        if layout.per_procedure:
            for procedure in procedures_of(institution.id, data):
                rows.append(_row(layout, data, institution, procedure, procedure.figures))
        elif _has_data(layout, data, institution.id):
            by_year = dict(_history(layout, data).get(institution.id, {}))
            section = diagnostic.section(SECTIONS[layout.name]) if diagnostic else None
            if isinstance(section, Mapping):
                by_year[data.reference_year] = _over(section, by_year.get(data.reference_year))
            rows.append(_row(layout, data, institution, None, by_year))
    return Table(layout.name, tuple(layout.headers(data.years)), rows)


def _history(layout: Layout, data: ConsolidatedData) -> dict[int, dict[int, Figures]]:
    return data.complaints if layout is COMPLAINTS else data.saip


def _has_data(layout: Layout, data: ConsolidatedData, institution_id: int) -> bool:
    """Figures in the years, targets for the layout, or a diagnostic with the section."""
    if _history(layout, data).get(institution_id):
        return True
    if any(target_value(data, institution_id, column) is not None for column in layout.targets):
        return True
    diagnostic = data.diagnostics.get(institution_id)
    return diagnostic is not None and diagnostic.section(SECTIONS[layout.name]) is not None


def _over(submitted: Figures, imported: Figures | None) -> Figures:
    """A diagnostic's figures of the reference year; one it leaves empty, like the imported
    year, is written as the file wrote it."""
    if not imported or not imported.get(UNREPORTED):
        return submitted
    return {**submitted, UNREPORTED: imported[UNREPORTED]}


def procedures_of(institution_id: int, data: ConsolidatedData) -> list[ProcedureRecord]:
    """The diagnostic's procedures (in its order), then the other ones of the history.

    A diagnostic's procedure takes its history by name, despite case, accents and spaces;
    its description and reference-year figures are the diagnostic's, in the history's
    words where they say the same (:func:`_in_imported_words`).
    """
    history = {_name_key(p.name): p for p in data.procedures.get(institution_id, [])}
    diagnostic = data.diagnostics.get(institution_id)
    rows = diagnostic.section(PROCEDURES_SECTION) if diagnostic else None
    merged: list[ProcedureRecord] = []
    for row in rows if isinstance(rows, list) else []:
        found = history.pop(_name_key(row.get("name") or ""), None)
        merged.append(_from_diagnostic(row, found, data.reference_year))
    return [*merged, *history.values()]


def _name_key(name: str) -> str:
    return comparable(name)


def _from_diagnostic(
    row: Mapping[str, Any], history: ProcedureRecord | None, reference_year: int
) -> ProcedureRecord:
    by_year = dict(history.figures) if history else {}
    by_year[reference_year] = _over(row, by_year.get(reference_year))
    submitted = ProcedureRecord(
        name=str(row.get("name") or ""),
        justification=member(Justification, row.get("justification")),
        other_reason=row.get("other_reason") or "",
        start_milestone=row.get("start_milestone") or "",
        end_milestone=row.get("end_milestone") or "",
        expected_time=row.get("expected_time"),
        time_unit=member(TimeUnit, row.get("time_unit")),
        figures=by_year,
    )
    return _in_imported_words(submitted, history) if history else submitted


def _in_imported_words(submitted: ProcedureRecord, imported: ProcedureRecord) -> ProcedureRecord:
    """``submitted`` written as the official file wrote ``imported`` where both say the same:
    the same words (:func:`_same_text`), the same choice, the same expected time.

    A diagnostic pre-filled from the history and sent unchanged gives the file back.
    """
    kept: dict[str, Any] = {}
    for name in ("name", "other_reason", "start_milestone", "end_milestone"):
        if _same_text(getattr(submitted, name), getattr(imported, name)):
            kept[name] = getattr(imported, name)
    for choice in ("justification", "time_unit"):
        if getattr(submitted, choice) == getattr(imported, choice):
            kept[f"{choice}_text"] = getattr(imported, f"{choice}_text")
    if submitted.expected_time == imported.expected_time:
        kept[UNREPORTED] = imported.unreported_as
    return replace(submitted, **kept)


def _row(
    layout: Layout,
    data: ConsolidatedData,
    institution: InstitutionRecord,
    procedure: ProcedureRecord | None,
    by_year: Mapping[int, Figures],
) -> tuple[CellValue, ...]:
    owners = {"institution": institution, "procedure": procedure}
    cells = [_leading_cell(column, owners) for column in layout.leading]
    plan = _year_plan(layout)
    percentages = PERCENTAGES.get(layout.name)
    for year in data.years:
        reported = by_year.get(year)
        if reported is None:
            cells.extend(cell(None, kind) for _, _, kind in plan)
            continue
        derived = percentages(reported) if percentages else {}
        unreported = reported.get(UNREPORTED) or {}
        for key, is_derived, kind in plan:
            if is_derived:
                cells.append(cell(derived[key], kind))
            else:
                cells.append(cell(reported.get(key), kind, unreported.get(key, NOT_AVAILABLE)))
    imported = data.targets.get(institution.id, {}).get(UNREPORTED) or {}
    for target in layout.targets:
        value = target_value(data, institution.id, target)
        written = imported.get(target.attribute, NOT_AVAILABLE)
        cells.append(cell(value, target.kind, written))
    return tuple(cells)


def _leading_cell(column: Column, owners: Mapping[str, Any]) -> CellValue:
    """An institution's or a procedure's own cell; the history's choices as the file
    wrote them, a diagnostic's by their label."""
    owner_name, _, attribute = column.source.partition(".")
    owner = owners[owner_name]
    if column.kind in (Kind.JUSTIFICATION, Kind.TIME_UNIT) and getattr(owner, f"{attribute}_text"):
        return cell(getattr(owner, f"{attribute}_text"), Kind.TEXT)
    unreported = getattr(owner, UNREPORTED, None) or {}
    return cell(getattr(owner, attribute), column.kind, unreported.get(attribute, NOT_AVAILABLE))


@cache
def _year_plan(layout: Layout) -> tuple[tuple[str, bool, Kind], ...]:
    """Each year column as (figure attribute or derived name, is derived, kind)."""
    return tuple(
        (column.name, True, Kind.PERCENT)
        if isinstance(column, DerivedPercent)
        else (column.attribute, False, column.kind)
        for column in layout.per_year
    )


def _same_text(one: str, other: str) -> bool:
    """The same words, however spaced or broken into lines (a one-line field holds no line
    break); ``-`` says nothing, as empty does."""
    return read_text(one) == read_text(other)


# --- The other sheets ----------------------------------------------------------------------

GAP_HEADERS = (
    *IDENTITY_HEADERS,
    "version",
    "numero_brecha",
    "dimension",
    "tramite",
    "descripcion",
    "valor_actual",
    "valor_esperado",
    "causas",
    "prioridad",
)
# One row per institution: four columns for its diagnostic, then the same four for its plan.
STATUS_HEADERS = (
    *IDENTITY_HEADERS,
    "estado_diagnostico",
    "version_diagnostico",
    "diagnostico_enviado_el",
    "hash_diagnostico_sha256",
    "estado_plan",
    "version_plan",
    "plan_enviado_el",
    "hash_plan_sha256",
)


def listed(institution: InstitutionRecord, data: ConsolidatedData) -> bool:
    """Active institutions, and any other one the export has something about."""
    return (
        institution.active
        or institution.id in data.diagnostics
        or institution.id in data.plans
        or any(institution.id in source for source in (data.complaints, data.saip))
        or bool(data.procedures.get(institution.id))
    )


def institutions_table(data: ConsolidatedData) -> Table:
    """The catalog's layout, with its values as the catalog writes them."""
    rows = []
    for institution in data.institutions:
        if not listed(institution, data):
            continue
        values = {
            "ministry": institution.ministry,
            "name": institution.name,
            "code": code_cell(institution.code),
            "commits_system": "Sí" if institution.commits_system else "No",
            "stage": institution.stage.label,
            "mesu": institution.mesu.label,
            "category": institution.category.label,
        }
        rows.append(tuple(values[key] for key in CATALOG_COLUMNS))
    return Table("instituciones", tuple(CATALOG_COLUMNS.values()), rows)


def gaps_table(data: ConsolidatedData) -> Table:
    """One row per gap of each institution's latest submitted diagnostic; a current or
    expected value typed as a number is a number (:func:`number_or_text`)."""
    rows: list[tuple[CellValue, ...]] = []
    for institution in data.institutions:
        diagnostic = data.diagnostics.get(institution.id)
        gaps = diagnostic.section(GAPS_SECTION) if diagnostic else None
        for index, gap in enumerate(gaps if isinstance(gaps, list) else [], 1):
            rows.append(
                (
                    code_cell(institution.code),
                    institution.name,
                    diagnostic.number if diagnostic else None,
                    index,
                    label(GapDimension, gap.get("dimension")),
                    text(gap.get("procedure")),
                    text(gap.get("description")),
                    number_or_text(gap.get("current_value")),
                    number_or_text(gap.get("expected_value")),
                    text(gap.get("causes")),
                    label(Priority, gap.get("priority")),
                )
            )
    return Table("brechas", GAP_HEADERS, rows)


def status_table(data: ConsolidatedData) -> Table:
    """One row per institution: where its diagnostic and its plan stand, and what was last
    sent of each (version, Chilean time, SHA-256)."""
    rows: list[tuple[CellValue, ...]] = []
    for institution in data.institutions:
        if not listed(institution, data):
            continue
        rows.append(
            (
                code_cell(institution.code),
                institution.name,
                *_status(data.diagnostics.get(institution.id)),
                *_status(data.plans.get(institution.id)),
            )
        )
    return Table("estado", STATUS_HEADERS, rows)


def _status(record: SubmissionRecord | None) -> tuple[CellValue, ...]:
    if record is None:
        return (NO_SUBMISSION, None, None, None)
    return (record.state.label, record.number, chile_time(record.submitted_at), record.content_hash)


def consolidated_tables(data: ConsolidatedData) -> list[Table]:
    """Every sheet of the consolidated workbook, in order."""
    return [
        *(indicator_table(layout, data) for layout in LAYOUTS),
        institutions_table(data),
        gaps_table(data),
        actions_table(data),
        status_table(data),
        review_table(data),
    ]
