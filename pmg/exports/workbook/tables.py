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
from functools import lru_cache
from operator import itemgetter
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
    FigureValues,
    InstitutionRecord,
    ProcedureRecord,
    SubmissionRecord,
    cell,
    chile_time,
    code_cell,
    label,
    member,
    number_cell,
    number_or_text,
    text,
)
from pmg.exports.workbook.review_tables import review_table
from pmg.indicators import figures
from pmg.indicators.cells import NOT_REPORTED as NOTHING_REPORTED
from pmg.indicators.layouts import (
    COMPLAINTS,
    LAYOUTS,
    NUMERIC_KINDS,
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
    section = SECTIONS[layout.name]
    plan = _RowPlan(layout, data)
    for institution in data.institutions:
        # The diagnostic's own rule: SAIP-stage institutions report no complaints or procedures.
        if not section.applies(institution):
            continue
        diagnostic = data.diagnostics.get(institution.id)
        if layout.per_procedure:
            own = plan.institution_cells(institution)
            for procedure in procedures_of(institution.id, data):
                rows.append(plan.row(own, institution, procedure, procedure.figures))
        elif _has_data(layout, data, institution.id):
            by_year = dict(_history(layout, data).get(institution.id, {}))
            submitted = diagnostic.section(section) if diagnostic else None
            if isinstance(submitted, Mapping):
                by_year[data.reference_year] = _over(submitted, by_year.get(data.reference_year))
            own = plan.institution_cells(institution)
            rows.append(plan.row(own, institution, None, by_year))
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


def _over(submitted: Figures, imported: Figures | FigureValues | None) -> Figures:
    """A diagnostic's figures of the reference year; one it leaves empty, like the imported
    year, is written as the file wrote it."""
    if not isinstance(imported, Mapping) or not imported.get(UNREPORTED):
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


@lru_cache(maxsize=4096)
def _name_key(name: str) -> str:
    """:func:`comparable`, kept: a diagnostic's procedure is looked up by the name its
    history row was keyed by just before, and institutions share many names."""
    return comparable(name)


def _from_diagnostic(
    row: Mapping[str, Any], history: ProcedureRecord | None, reference_year: int
) -> ProcedureRecord:
    by_year = dict(history.figures) if history else {}
    by_year[reference_year] = _over(row, by_year.get(reference_year))
    record = ProcedureRecord(
        name=str(row.get("name") or ""),
        justification=member(Justification, row.get("justification")),
        other_reason=row.get("other_reason") or "",
        start_milestone=row.get("start_milestone") or "",
        end_milestone=row.get("end_milestone") or "",
        expected_time=row.get("expected_time"),
        time_unit=member(TimeUnit, row.get("time_unit")),
        figures=by_year,
    )
    if history:
        _in_imported_words(record, history)
    return record


# A procedure's texts, kept in the history's words where a diagnostic's say the same.
WORDED = ("name", "other_reason", "start_milestone", "end_milestone")


def _in_imported_words(submitted: ProcedureRecord, imported: ProcedureRecord) -> None:
    """What of ``submitted`` (a diagnostic's procedure, just made) to write as the official
    file wrote ``imported``, where both say the same: the same words (:func:`same_text`),
    the same choice, the same expected time. Changes ``submitted``.

    A diagnostic pre-filled from the history and sent unchanged gives the file back.
    """
    for name in WORDED:
        words = getattr(imported, name)
        if same_text(getattr(submitted, name), words):
            setattr(submitted, name, words)
    if submitted.justification == imported.justification:
        submitted.justification_text = imported.justification_text
    if submitted.time_unit == imported.time_unit:
        submitted.time_unit_text = imported.time_unit_text
    if submitted.expected_time == imported.expected_time:
        submitted.unreported_as = imported.unreported_as


CHOICES = (Kind.JUSTIFICATION, Kind.TIME_UNIT)
# The types of a figure written as it is.
NUMBERS = frozenset({int, float})


class _RowPlan:
    """How each cell of a row of ``layout`` is made, worked out once per sheet: a sheet
    has a cell per column, year and row, and trámites a row per procedure."""

    def __init__(self, layout: Layout, data: ConsolidatedData) -> None:
        self.layout, self.data = layout, data
        # (of the procedure, attribute, kind, where the history keeps its wording if it is
        # a choice, is a number)
        self.leading = tuple(
            (
                column.source.startswith("procedure."),
                column.attribute,
                column.kind,
                f"{column.attribute}_text" if column.kind in CHOICES else None,
                column.kind in NUMERIC_KINDS,
            )
            for column in layout.leading
        )
        # Where the procedure's own cells go in a row: (index, then as in ``leading``); its
        # texts apart, (index, attribute): each is a str, written as it is (empty: nothing).
        self.of_procedure: tuple[tuple[int, str, Kind, str | None, bool], ...] = tuple(
            (index, attribute, kind, wording, number)
            for index, (of_procedure, attribute, kind, wording, number) in enumerate(self.leading)
            if of_procedure and kind is not Kind.TEXT
        )
        self.procedure_texts = tuple(
            (index, attribute)
            for index, (of_procedure, attribute, kind, *_) in enumerate(self.leading)
            if of_procedure and kind is Kind.TEXT
        )
        # (figure attribute or derived name, is derived, is a number, kind)
        self.per_year = tuple(
            (column.name, True, True, Kind.PERCENT)
            if isinstance(column, DerivedPercent)
            else (column.attribute, False, column.kind in NUMERIC_KINDS, column.kind)
            for column in layout.per_year
        )
        # A year without figures: every column empty, a number as the files write it.
        self.missing_year = tuple(cell(None, kind) for *_, kind in self.per_year)
        self.percentages = PERCENTAGES.get(layout.name)
        # A sheet without percentages (trámites) takes a year's figures in one step when
        # they are all there and all numbers: nearly every year of the history.
        keys = [key for key, *_ in self.per_year]
        # (itemgetter gives a tuple for two keys or more)
        self.figures_at_once = (
            itemgetter(*keys) if not self.percentages and len(keys) > 1 else None
        )

    def institution_cells(self, institution: InstitutionRecord) -> list[CellValue]:
        """The institution's own leading cells (``None`` in the procedure's places)."""
        return [
            None if of_procedure else _leading_cell(institution, attribute, kind, wording, number)
            for of_procedure, attribute, kind, wording, number in self.leading
        ]

    def row(
        self,
        own: list[CellValue],
        institution: InstitutionRecord,
        procedure: ProcedureRecord | None,
        by_year: Mapping[int, Figures | FigureValues],
    ) -> tuple[CellValue, ...]:
        """The row of ``institution`` (``own``: its :meth:`institution_cells`) or of its
        ``procedure``, with the figures of ``by_year``."""
        cells = list(own)
        if procedure is not None:
            for index, attribute in self.procedure_texts:
                cells[index] = getattr(procedure, attribute) or None
            for index, attribute, kind, wording, number in self.of_procedure:
                cells[index] = _leading_cell(procedure, attribute, kind, wording, number)
        percentages, at_once = self.percentages, self.figures_at_once
        for year in self.data.years:
            reported = by_year.get(year)
            if reported is None:
                cells.extend(self.missing_year)
                continue
            if isinstance(reported, tuple):  # a procedure's year as read: the figures in order
                numbers = NUMBERS.issuperset(map(type, reported))
                cells.extend(reported if numbers else map(number_cell, reported))
                continue
            if at_once is not None:
                try:
                    values = at_once(reported)
                except KeyError:  # a figure the diagnostic's row lacks
                    values = ()
                if values and NUMBERS.issuperset(map(type, values)):
                    cells.extend(values)
                    continue
            derived = percentages(reported) if percentages else {}
            unreported = reported.get(UNREPORTED) or {}
            for key, is_derived, is_number, kind in self.per_year:
                value = derived[key] if is_derived else reported.get(key)
                if is_number and isinstance(value, int | float):
                    cells.append(value)  # nearly every figure, as number_cell gives it back
                elif is_derived:
                    cells.append(number_cell(value))
                else:
                    cells.append(cell(value, kind, unreported.get(key, NOT_AVAILABLE)))
        imported = self.data.targets.get(institution.id, {}).get(UNREPORTED) or {}
        for target in self.layout.targets:
            value = target_value(self.data, institution.id, target)
            written = imported.get(target.attribute, NOT_AVAILABLE)
            cells.append(cell(value, target.kind, written))
        return tuple(cells)


def _leading_cell(
    owner: Any, attribute: str, kind: Kind, wording: str | None, number: bool
) -> CellValue:
    """An institution's or a procedure's own cell; the history's choices as the file
    wrote them (in the attribute ``wording``), a diagnostic's by their label. Only a
    number can be missing in the file's own way (``unreported_as``)."""
    if wording and (written := getattr(owner, wording)):
        return str(written)  # a text, as cell() writes one
    if not number:
        return cell(getattr(owner, attribute), kind)
    unreported = getattr(owner, UNREPORTED, None) or {}
    return number_cell(getattr(owner, attribute), unreported.get(attribute, NOT_AVAILABLE))


def same_text(one: str, other: str) -> bool:
    """The same words, however spaced or broken into lines (a one-line field holds no line
    break); ``-`` says nothing, as empty does: :func:`~pmg.indicators.cells.read_text` of
    each is the same, found from their words (``str.split`` parts them at the spaces that
    ``read_text`` makes one) without reading each: an export compares four texts of every
    procedure.
    """
    if one == other:
        return True
    words, other_words = one.split(), other.split()
    if words == other_words:
        return True
    # Different words: the same only when each is a mark of nothing (or nothing at all).
    return len(words) <= 1 >= len(other_words) and NOTHING_REPORTED.issuperset(
        words + other_words
    )


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
