"""Reading a consolidated indicators workbook into checked rows, touching no database.

The layout is recognised from the header row (the first row that is not blank):
the one whose columns are all present for every year the file has. A problem with
the file itself raises :class:`SpreadsheetError`; a row that cannot be used is
skipped with its number and the reason.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

from pmg.core.imports import BLANK_ROW, SkippedRow, sentence
from pmg.core.spreadsheets import (
    EMPTY_FILE,
    Row,
    SpreadsheetError,
    choose_sheet,
    compact_text,
    comparable,
    header_name,
    iter_rows,
    open_workbook,
)
from pmg.indicators.cells import CellProblem, cell_value, read_code, read_text
from pmg.indicators.layouts import (
    CODE_HEADER,
    LAYOUTS,
    SHEET,
    YEAR_HEADER,
    Column,
    Kind,
    Layout,
    year_header,
)

PROCEDURE_NAME_HEADER = "nombre_del_tramite_y_o_servicio_relevante"
MAX_PROCEDURE_NAME = 500


@dataclass(frozen=True)
class IndicatorRow:
    """One usable row: the values to store, keyed by model attribute."""

    row_number: int
    code: str
    procedure: dict[str, Any]  # Procedure attributes (trámites only, else empty)
    years: dict[int, dict[str, Any]]  # figures attributes per year
    targets: dict[str, float | None]  # CycleTargets attributes


@dataclass(frozen=True)
class IndicatorFile:
    layout: Layout
    years: list[int]
    rows: list[IndicatorRow]
    skipped: list[SkippedRow]


def read_indicators(data: bytes, known_codes: Collection[str]) -> IndicatorFile:
    """Every usable row and every skipped one; rows of codes not in ``known_codes`` are skipped."""
    with open_workbook(data) as workbook:
        rows = iter_rows(choose_sheet(workbook, SHEET))
        layout, years, positions = _read_header(rows)
        parser = _RowParser(layout, years, positions, known_codes)
        for row_number, values in rows:
            parser.parse(row_number, values)
    return IndicatorFile(layout, years, parser.rows, parser.skipped)


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


def _read_header(rows: Iterator[tuple[int, Row]]) -> tuple[Layout, list[int], dict[str, int]]:
    """The layout, its years and the position of each of its headers."""
    for _, values in rows:
        headers = [header_name(value) for value in values]
        if any(headers):
            break
    else:
        raise SpreadsheetError(EMPTY_FILE)
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
    return match.layout, match.years, {h: positions[comparable(h)] for h in match.required}


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
        positions: dict[str, int],
        known_codes: Collection[str],
    ) -> None:
        self.layout = layout
        self.years = years
        self.positions = positions
        self.known_codes = known_codes
        self.rows: list[IndicatorRow] = []
        self.skipped: list[SkippedRow] = []
        self.first_row_of: dict[tuple[str, str], int] = {}

    def parse(self, row_number: int, values: Row) -> None:
        cells = {
            header: values[position] if position < len(values) else None
            for header, position in self.positions.items()
        }
        reason = self._identity_problem(row_number, cells)
        if reason:
            self.skipped.append(SkippedRow(row_number, reason))
            return
        problems: list[str] = []
        row = IndicatorRow(
            row_number=row_number,
            code=read_code(cells[CODE_HEADER]),
            procedure=self._read_columns(self._procedure_columns(), cells, problems),
            years={year: self._read_year(year, cells, problems) for year in self.years},
            targets=self._read_columns(self.layout.targets, cells, problems),
        )
        if problems:
            self.skipped.append(SkippedRow(row_number, sentence(problems)))
        else:
            self.rows.append(row)

    def _identity_problem(self, row_number: int, cells: dict[str, Any]) -> str | None:
        """Why the row cannot be matched to one institution (and procedure), if it cannot."""
        if not any(compact_text(value) for value in cells.values()):
            return BLANK_ROW
        code = read_code(cells[CODE_HEADER])
        name = read_text(cells.get(PROCEDURE_NAME_HEADER))
        if not code:
            return f"Falta {CODE_HEADER}."
        if self.layout.per_procedure and not name:
            return f"Falta {PROCEDURE_NAME_HEADER}."
        if len(name) > MAX_PROCEDURE_NAME:
            return (
                f"El valor de {PROCEDURE_NAME_HEADER} tiene más de {MAX_PROCEDURE_NAME} caracteres."
            )
        key = (code, comparable(name))
        if key in self.first_row_of:
            what = f"El trámite «{name}» del código {code}" if name else f"El código {code}"
            return f"{what} ya aparece en la fila {self.first_row_of[key]}."
        self.first_row_of[key] = row_number
        if code not in self.known_codes:
            return f"El código {code} no está en el catálogo de instituciones."
        return None

    def _procedure_columns(self) -> list[Column]:
        return [c for c in self.layout.leading if (c.source or "").startswith("procedure.")]

    def _read_columns(
        self, columns: Collection[Column], cells: dict[str, Any], problems: list[str]
    ) -> dict[str, Any]:
        return {
            str(column.attribute): _read(cells[column.header], column.kind, column.header, problems)
            for column in columns
        }

    def _read_year(self, year: int, cells: dict[str, Any], problems: list[str]) -> dict[str, Any]:
        figures: dict[str, Any] = {}
        for column in self.layout.figures:
            header = year_header(year, column)
            figures[column.attribute] = _read(cells[header], column.kind, header, problems)
        return figures


def _read(value: Any, kind: Kind, header: str, problems: list[str]) -> Any:
    """The cell as ``kind``; a problem is added to ``problems`` (and ``None`` returned)."""
    try:
        return cell_value(value, kind)
    except CellProblem as problem:
        problems.append(f"el valor «{compact_text(value)}» de {header} {problem}")
        return None
