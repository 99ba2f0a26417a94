"""The consolidated workbook as tables: domain data in, headers and rows out. Pure.

The three indicator sheets follow :mod:`pmg.indicators.layouts` (the import reads
the same definitions), so the official column names and order live in one place.
Cells are numbers (``int``/``float``), text, a ``datetime`` or ``None`` (empty);
``-`` (:data:`NOT_AVAILABLE`) is written where a figure was not reported or a
percentage has no denominator, as the official files do.

The reference year's figures (and procedures) come from the institution's latest
submitted diagnostic of the cycle, when there is one; the history tables supply
every other year.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from pmg.core.filters import CHILE
from pmg.core.numbers import NOT_REPORTED
from pmg.diagnostics.schema import COMPLAINTS as COMPLAINTS_SECTION
from pmg.diagnostics.schema import GAPS as GAPS_SECTION
from pmg.diagnostics.schema import PROCEDURES as PROCEDURES_SECTION
from pmg.diagnostics.schema import SAIP as SAIP_SECTION
from pmg.diagnostics.schema import GapDimension, Priority
from pmg.indicators import figures
from pmg.indicators.layouts import (
    COMPLAINTS,
    INSTITUTION_COLUMNS,
    LAYOUTS,
    PROCEDURES,
    SAIP,
    Column,
    DerivedPercent,
    Kind,
    Layout,
)
from pmg.indicators.models import Justification, TimeUnit
from pmg.institutions.importer import COLUMNS as CATALOG_COLUMNS
from pmg.institutions.models import FunctionalCategory, MesuCommitment, Stage
from pmg.submissions.content import SectionSpec
from pmg.submissions.models import SubmissionState

NOT_AVAILABLE = NOT_REPORTED
NO_SUBMISSION = "Sin envío"
CellValue = int | float | str | datetime | None
Figures = Mapping[str, Any]


@dataclass(frozen=True)
class Table:
    """One sheet: its title, header row and data rows."""

    title: str
    headers: tuple[str, ...]
    rows: list[tuple[CellValue, ...]]


# --- What the tables are made from (loaded by :mod:`pmg.exports.queries`) -------------------


@dataclass(frozen=True)
class InstitutionRecord:
    id: int
    code: str
    name: str
    ministry: str
    stage: Stage
    mesu: MesuCommitment
    category: FunctionalCategory
    commits_system: bool
    active: bool


@dataclass(frozen=True)
class ProcedureRecord:
    """A procedure with its description and its figures by year."""

    name: str
    justification: Justification | None = None
    other_reason: str = ""
    start_milestone: str = ""
    end_milestone: str = ""
    expected_time: float | None = None
    time_unit: TimeUnit | None = None
    figures: dict[int, Figures] = field(default_factory=dict)  # of the exported years


@dataclass(frozen=True)
class DiagnosticRecord:
    """The institution's diagnostic submission in the cycle and its latest version, if any."""

    state: SubmissionState
    number: int | None = None
    submitted_at: datetime | None = None
    content_hash: str | None = None
    document: Mapping[str, Any] | None = None  # SubmissionVersion.content

    def section(self, section: SectionSpec) -> Any:
        content = (self.document or {}).get("content") or {}
        return content.get(section.key)


@dataclass(frozen=True)
class ConsolidatedData:
    cycle_year: int
    reference_year: int
    years: tuple[int, ...]  # oldest first
    institutions: list[InstitutionRecord]  # in the order the rows are written
    complaints: dict[int, dict[int, Figures]] = field(default_factory=dict)  # by id, year
    saip: dict[int, dict[int, Figures]] = field(default_factory=dict)
    # Procedures with figures in the years, or with none in any year (all `-` when imported).
    procedures: dict[int, list[ProcedureRecord]] = field(default_factory=dict)
    targets: dict[int, Figures] = field(default_factory=dict)  # CycleTargets attributes
    diagnostics: dict[int, DiagnosticRecord] = field(default_factory=dict)


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
    """A ``plan_*_meta`` value: today the cycle's imported targets."""
    return data.targets.get(institution_id, {}).get(column.attribute or "")


def indicator_table(layout: Layout, data: ConsolidatedData) -> Table:
    """The sheet of ``layout``: one row per institution (per procedure for trámites)."""
    rows: list[tuple[CellValue, ...]] = []
    for institution in data.institutions:
        # The diagnostic's own rule: SAIP-stage institutions report no complaints or procedures.
        if not SECTIONS[layout.name].applies(institution):  # type: ignore[arg-type]
            continue
        diagnostic = data.diagnostics.get(institution.id)
        if layout.per_procedure:
            for procedure in procedures_of(institution.id, data):
                rows.append(_row(layout, data, institution, procedure, procedure.figures))
        elif _has_data(layout, data, institution.id):
            by_year = dict(_history(layout, data).get(institution.id, {}))
            section = diagnostic.section(SECTIONS[layout.name]) if diagnostic else None
            if isinstance(section, Mapping):
                by_year[data.reference_year] = section
            rows.append(_row(layout, data, institution, None, by_year))
    return Table(layout.name, tuple(layout.headers(data.years)), _numbered(layout, rows))


def _numbered(layout: Layout, rows: list[tuple[CellValue, ...]]) -> list[tuple[CellValue, ...]]:
    """``codigo_reporte`` (the leading column with no source) as the row's number, 1…N."""
    at = next(index for index, column in enumerate(layout.leading) if column.source is None)
    return [(*row[:at], number, *row[at + 1 :]) for number, row in enumerate(rows, 1)]


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


def procedures_of(institution_id: int, data: ConsolidatedData) -> list[ProcedureRecord]:
    """The diagnostic's procedures (in its order), then the other ones of the history.

    A diagnostic's procedure takes its history by name, ignoring case; its description
    and reference-year figures are the diagnostic's.
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
    return name.strip().casefold()


def _from_diagnostic(
    row: Mapping[str, Any], history: ProcedureRecord | None, reference_year: int
) -> ProcedureRecord:
    by_year = dict(history.figures) if history else {}
    by_year[reference_year] = row
    return ProcedureRecord(
        name=str(row.get("name") or ""),
        justification=_member(Justification, row.get("justification")),
        other_reason=row.get("other_reason") or "",
        start_milestone=row.get("start_milestone") or "",
        end_milestone=row.get("end_milestone") or "",
        expected_time=row.get("expected_time"),
        time_unit=_member(TimeUnit, row.get("time_unit")),
        figures=by_year,
    )


def _member(enum_class: Any, value: Any) -> Any:
    return enum_class._value2member_map_.get(value) if value else None


def _row(
    layout: Layout,
    data: ConsolidatedData,
    institution: InstitutionRecord,
    procedure: ProcedureRecord | None,
    by_year: Mapping[int, Figures],
) -> tuple[CellValue, ...]:
    owners = {"institution": institution, "procedure": procedure}
    cells: list[CellValue] = []
    for column in layout.leading:
        if column.source is None:  # codigo_reporte: numbered once the rows are known
            cells.append(None)
            continue
        owner, _, attribute = column.source.partition(".")
        cells.append(cell(getattr(owners[owner], attribute), column.kind))
    plan = _year_plan(layout)
    percentages = PERCENTAGES.get(layout.name)
    for year in data.years:
        reported = by_year.get(year)
        if reported is None:
            cells.extend(cell(None, kind) for _, _, kind in plan)
            continue
        derived = percentages(reported) if percentages else {}
        for key, is_derived, kind in plan:
            cells.append(cell(derived[key] if is_derived else reported.get(key), kind))
    for target in layout.targets:
        cells.append(cell(target_value(data, institution.id, target), target.kind))
    return tuple(cells)


@cache
def _year_plan(layout: Layout) -> tuple[tuple[str, bool, Kind], ...]:
    """Each year column as (figure attribute or derived name, is derived, kind)."""
    return tuple(
        (column.name, True, Kind.PERCENT)
        if isinstance(column, DerivedPercent)
        else (column.attribute, False, column.kind)
        for column in layout.per_year
    )


NUMERIC_KINDS = frozenset({Kind.COUNT, Kind.NUMBER, Kind.PERCENT})


def cell(value: Any, kind: Kind) -> CellValue:
    """A value as the official files write it: numbers as numbers, ``-`` when missing."""
    if kind in NUMERIC_KINDS:
        if value is None:
            return NOT_AVAILABLE
        return float(value) if isinstance(value, Decimal) else value
    if kind in (Kind.JUSTIFICATION, Kind.TIME_UNIT):
        return value.label if value is not None else None
    return str(value) if value not in (None, "") else None


# --- The other sheets ----------------------------------------------------------------------

# codigo_interno_SCSEU and nombre_institucion, as in the indicator sheets.
IDENTITY_HEADERS = tuple(column.header for column in INSTITUTION_COLUMNS if column.source)
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
STATUS_HEADERS = (
    *IDENTITY_HEADERS,
    "estado_diagnostico",
    "version",
    "enviado_el",
    "hash_sha256",
)


def listed(institution: InstitutionRecord, data: ConsolidatedData) -> bool:
    """Active institutions, and any other one the export has something about."""
    return (
        institution.active
        or institution.id in data.diagnostics
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
            "code": institution.code,
            "commits_system": "Sí" if institution.commits_system else "No",
            "stage": institution.stage.label,
            "mesu": institution.mesu.label,
            "category": institution.category.label,
        }
        rows.append(tuple(values[key] for key in CATALOG_COLUMNS))
    return Table("instituciones", tuple(CATALOG_COLUMNS.values()), rows)


def gaps_table(data: ConsolidatedData) -> Table:
    """One row per gap of each institution's latest submitted diagnostic."""
    rows: list[tuple[CellValue, ...]] = []
    for institution in data.institutions:
        diagnostic = data.diagnostics.get(institution.id)
        gaps = diagnostic.section(GAPS_SECTION) if diagnostic else None
        for index, gap in enumerate(gaps if isinstance(gaps, list) else [], 1):
            rows.append(
                (
                    institution.code,
                    institution.name,
                    diagnostic.number if diagnostic else None,
                    index,
                    _label(GapDimension, gap.get("dimension")),
                    _text(gap.get("procedure")),
                    _text(gap.get("description")),
                    _text(gap.get("current_value")),
                    _text(gap.get("expected_value")),
                    _text(gap.get("causes")),
                    _label(Priority, gap.get("priority")),
                )
            )
    return Table("brechas", GAP_HEADERS, rows)


def status_table(data: ConsolidatedData) -> Table:
    """One row per institution: where its diagnostic stands and what was last sent."""
    rows: list[tuple[CellValue, ...]] = []
    for institution in data.institutions:
        if not listed(institution, data):
            continue
        diagnostic = data.diagnostics.get(institution.id)
        if diagnostic is None:
            rows.append((institution.code, institution.name, NO_SUBMISSION, None, None, None))
            continue
        rows.append(
            (
                institution.code,
                institution.name,
                diagnostic.state.label,
                diagnostic.number,
                chile_time(diagnostic.submitted_at),
                diagnostic.content_hash,
            )
        )
    return Table("estado", STATUS_HEADERS, rows)


def chile_time(moment: datetime | None) -> datetime | None:
    """Chilean wall-clock time to the second, without a zone, as Excel stores date-times."""
    if moment is None:
        return None
    return moment.astimezone(CHILE).replace(tzinfo=None, microsecond=0)


def _label(enum_class: Any, value: Any) -> str | None:
    member = _member(enum_class, value)
    return member.label if member is not None else _text(value)


def _text(value: Any) -> str | None:
    return None if value is None or not str(value).strip() else str(value)


def consolidated_tables(data: ConsolidatedData) -> list[Table]:
    """Every sheet of the consolidated workbook, in order."""
    return [
        *(indicator_table(layout, data) for layout in LAYOUTS),
        institutions_table(data),
        gaps_table(data),
        status_table(data),
    ]
