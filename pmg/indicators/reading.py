"""Reading a consolidated indicators workbook into checked rows, touching no database.

The layout is recognised from the header row (the first row that is not blank):
the one whose columns are all present for every year the file has. A problem with
the file itself raises :class:`SpreadsheetError`. Rows that hold nothing to import
are skipped with their number and the reason: blank lines, rows without a code
(notes, totals), trámites rows without a procedure name, and rows of institutions
not in the catalog. A problem in any other row (a value that cannot be read, a
repeated institution or procedure) refuses the file, naming every problem
(:class:`InvalidRows`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

from pmg.core.imports import BLANK_ROW, RowFindings, SkippedRow
from pmg.core.numbers import NOT_REPORTED
from pmg.core.spreadsheets import (
    Row,
    SpreadsheetError,
    cell_string,
    compact_text,
    comparable,
    header_row,
    sheet_rows,
)
from pmg.indicators.cells import CellProblem, cell_value, read_code, read_text
from pmg.indicators.layouts import (
    CODE_HEADER,
    LAYOUTS,
    NUMERIC_KINDS,
    REPORT_CODE,
    SHEET,
    YEAR_HEADER,
    Column,
    Kind,
    Layout,
    year_header,
)
from pmg.indicators.models import UNREPORTED
from pmg.institutions.models import MAX_REPORT_CODE

PROCEDURE_NAME_HEADER = "nombre_del_tramite_y_o_servicio_relevante"
CHOICE_KINDS = frozenset({Kind.JUSTIFICATION, Kind.TIME_UNIT})
MAX_PROCEDURE_NAME = 500


@dataclass(frozen=True)
class IndicatorRow:
    """One usable row: the values to store, keyed by model attribute."""

    row_number: int
    code: str
    report_code: str  # codigo_reporte, "" when blank
    # Attributes of the model they go to, ``unreported_as`` included (see read_values).
    procedure: dict[str, Any]  # Procedure attributes (trámites only, else empty)
    years: dict[int, dict[str, Any]]  # figures attributes per year
    targets: dict[str, Any]  # CycleTargets attributes


@dataclass(frozen=True)
class IndicatorFile:
    layout: Layout
    years: list[int]
    rows: list[IndicatorRow]
    skipped: list[SkippedRow]


def read_indicators(data: bytes, known_codes: Collection[str]) -> IndicatorFile:
    """Every usable row and every skipped one; rows of codes not in ``known_codes`` are
    skipped. Raises :class:`InvalidRows` with every problem in the other rows."""
    with sheet_rows(data, SHEET) as rows:
        layout, years, columns = _read_header(rows)
        parser = _RowParser(layout, years, columns, known_codes)
        for row_number, values in rows:
            parser.parse(row_number, values)
    parser.findings.refuse_if_any_problem()
    return IndicatorFile(layout, years, parser.rows, parser.findings.skipped)


# --- The header ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Match:
    layout: Layout
    years: list[int]
    required: list[str]
    missing: list[str]

    @property
    def complete(self) -> bool:
        return bool(self.years) and not self.missing

    @property
    def found(self) -> int:
        return len(self.required) - len(self.missing)


@dataclass(frozen=True)
class _FileColumn:
    position: int
    header: str  # as written in the file (spaces aside), for messages


def _read_header(
    rows: Iterator[tuple[int, Row]],
) -> tuple[Layout, list[int], dict[str, _FileColumn]]:
    """The layout, its years and, for each of its headers, the file's column."""
    headers = header_row(rows)
    positions: dict[str, int] = {}
    repeated: set[str] = set()
    for index, header in enumerate(headers):
        key = comparable(header)
        if key in positions:
            repeated.add(key)
        elif key:
            positions[key] = index
    match = _recognise_layout(set(positions))
    repeated_required = [header for header in match.required if comparable(header) in repeated]
    if repeated_required:
        raise SpreadsheetError(
            f"Estas columnas aparecen más de una vez: {', '.join(repeated_required)}."
        )
    columns: dict[str, _FileColumn] = {}
    for header in match.required:
        position = positions[comparable(header)]
        columns[header] = _FileColumn(position, headers[position])
    return match.layout, match.years, columns


def _recognise_layout(keys: set[str]) -> _Match:
    """The complete layout for the ``comparable`` headers ``keys``; raises naming what the
    closest layout lacks."""
    matches = [_match(layout, keys) for layout in LAYOUTS]
    complete = [match for match in matches if match.complete]
    best = max(complete or matches, key=lambda match: match.found)
    if not best.complete:
        raise SpreadsheetError(_missing_message(best))
    return best


def _match(layout: Layout, keys: set[str]) -> _Match:
    suffixes = {comparable(column.suffix) for column in layout.per_year}
    years = sorted(
        {
            int(found.group(1))
            for key in keys
            if (found := YEAR_HEADER.match(key)) and found.group(2) in suffixes
        }
    )
    required = layout.headers(years)
    missing = [header for header in required if comparable(header) not in keys]
    return _Match(layout, years, required, missing)


def _missing_message(match: _Match) -> str:
    missing = list(match.missing)
    if not match.years:
        per_year = ", ".join(f"AAAA_{column.suffix}" for column in match.layout.per_year)
        missing.append(f"las de cada año ({per_year})")
    return (
        "El archivo no tiene el formato de un consolidado de indicadores; "
        f"para el de {match.layout.label} faltan las columnas: {', '.join(missing)}."
    )


# --- The rows -----------------------------------------------------------------------------


class _RowParser:
    def __init__(
        self,
        layout: Layout,
        years: list[int],
        columns: dict[str, _FileColumn],
        known_codes: Collection[str],
    ) -> None:
        self.layout = layout
        self.years = years
        self.columns = columns
        self.known_codes = known_codes
        self.rows: list[IndicatorRow] = []
        self.findings = RowFindings()
        self.first_row_of: dict[tuple[str, str], int] = {}
        self.report_code_of: dict[str, tuple[str, int]] = {}  # code: (report code, row)

    def parse(self, row_number: int, values: Row) -> None:
        cells = {
            header: values[column.position] if column.position < len(values) else None
            for header, column in self.columns.items()
        }
        reason = self._nothing_to_import(cells)
        if reason:
            self.findings.skip(row_number, reason)
            return
        problems = len(self.findings.problems)
        self._check_identity(row_number, cells)
        row = IndicatorRow(
            row_number=row_number,
            code=read_code(cells[CODE_HEADER]),
            report_code=self._report_code(row_number, cells),
            procedure=self._read_columns(row_number, self._procedure_columns(), cells),
            years={year: self._read_year(row_number, year, cells) for year in self.years},
            targets=self._read_columns(row_number, self.layout.targets, cells),
        )
        if len(self.findings.problems) == problems:
            self.rows.append(row)

    def _nothing_to_import(self, cells: dict[str, Any]) -> str | None:
        """Why the row is skipped, if it holds nothing to import."""
        if not any(compact_text(value) for value in cells.values()):
            return BLANK_ROW
        code = read_code(cells[CODE_HEADER])
        if not code:
            return f"Falta {self.columns[CODE_HEADER].header}."
        if self.layout.per_procedure and not read_text(cells[PROCEDURE_NAME_HEADER]):
            return f"Falta {self.columns[PROCEDURE_NAME_HEADER].header}."
        if code not in self.known_codes:
            return f"El código {code} no está en el catálogo de instituciones."
        return None

    def _check_identity(self, row_number: int, cells: dict[str, Any]) -> None:
        """One row per institution (per procedure in trámites), with a name that fits."""
        code = read_code(cells[CODE_HEADER])
        name = read_text(cells.get(PROCEDURE_NAME_HEADER))
        if len(cell_string(cells.get(PROCEDURE_NAME_HEADER))) > MAX_PROCEDURE_NAME:
            self._problem(
                row_number,
                PROCEDURE_NAME_HEADER,
                f"el valor tiene más de {MAX_PROCEDURE_NAME} caracteres",
            )
        key = (code, comparable(name))
        if key in self.first_row_of:
            what = f"el trámite «{name}» del código {code}" if name else f"el código {code}"
            header = PROCEDURE_NAME_HEADER if name else CODE_HEADER
            self._problem(
                row_number, header, f"{what} ya aparece en la fila {self.first_row_of[key]}"
            )
        else:
            self.first_row_of[key] = row_number

    def _report_code(self, row_number: int, cells: dict[str, Any]) -> str:
        """The row's ``codigo_reporte``: one per institution in the file (trámites repeats it)."""
        code = read_code(cells[CODE_HEADER])
        report_code = self._read(row_number, REPORT_CODE.header, REPORT_CODE.kind, cells) or ""
        if len(report_code) > MAX_REPORT_CODE:
            self._problem(
                row_number,
                REPORT_CODE.header,
                f"el valor tiene más de {MAX_REPORT_CODE} caracteres",
            )
            return ""
        first = self.report_code_of.setdefault(code, (report_code, row_number))
        if report_code and first[0] and report_code != first[0]:
            self._problem(
                row_number,
                REPORT_CODE.header,
                f"el código {code} tiene el código de reporte «{first[0]}» en la fila {first[1]}",
            )
        elif report_code and not first[0]:
            self.report_code_of[code] = (report_code, row_number)
        return report_code

    def _problem(self, row_number: int, header: str, problem: str) -> None:
        self.findings.add_problem(row_number, self.columns[header].header, problem)

    def _procedure_columns(self) -> list[Column]:
        return [c for c in self.layout.leading if c.source.startswith("procedure.")]

    def _read_columns(
        self, row_number: int, columns: Collection[Column], cells: dict[str, Any]
    ) -> dict[str, Any]:
        wanted = [(column.attribute, column.header, column.kind) for column in columns]
        return self._read_values(row_number, wanted, cells)

    def _read_year(self, row_number: int, year: int, cells: dict[str, Any]) -> dict[str, Any]:
        wanted = [
            (column.attribute, year_header(year, column), column.kind)
            for column in self.layout.figures
        ]
        return self._read_values(row_number, wanted, cells)

    def _read_values(
        self, row_number: int, wanted: list[tuple[str, str, Kind]], cells: dict[str, Any]
    ) -> dict[str, Any]:
        """``{attribute: value}`` for each (attribute, header, kind) ``wanted``.

        A choice also gives ``<attribute>_text``, the cell as written; ``unreported_as``
        says how each number that was not reported was written, when not ``-``.
        """
        values: dict[str, Any] = {}
        unreported: dict[str, str] = {}
        for attribute, header, kind in wanted:
            value = values[attribute] = self._read(row_number, header, kind, cells)
            if kind in CHOICE_KINDS:
                values[f"{attribute}_text"] = cell_string(cells[header])
            elif value is None and kind in NUMERIC_KINDS:
                written = cell_string(cells[header])
                if written != NOT_REPORTED:
                    unreported[attribute] = written
        if wanted:
            values[UNREPORTED] = unreported or None
        return values

    def _read(self, row_number: int, header: str, kind: Kind, cells: dict[str, Any]) -> Any:
        """The cell as ``kind``; a problem is noted (and ``None`` returned)."""
        value = cells[header]
        try:
            return cell_value(value, kind)
        except CellProblem as problem:
            self._problem(row_number, header, f"el valor «{compact_text(value)}» {problem}")
            return None
