"""The one .xlsx writer: tables in, a workbook out, streamed.

Every workbook the app writes goes through it (the consolidated export, the audit
trail, the demo's official files); it knows nothing of what their sheets hold.

openpyxl in write-only mode (rows go to disk as they come; memory stays flat).
Every cell is a number, a date-time, a date or text — never a formula. openpyxl turns a
string that starts with ``=`` into a formula, so text that starts with a
character a spreadsheet could read as one (``= + - @``, tab, carriage return) is
written as an explicit string cell with the "quote prefix" style: Excel shows
the text exactly as it was typed and keeps it text even when the cell is edited.
No apostrophe or other character is added. Text equal to an error code
(``#N/A``, ``#DIV/0!``…), which openpyxl would store as an error, stays text too.

Every sheet, even one with no rows, has its header row frozen, a filter over the
header and the rows, and a width per column (:func:`column_widths`). Texts are not
wrapped (that would take a style per cell): one wider than its column spills over
the next cells while they are empty, and the cell always holds it whole.

``-`` alone (:data:`pmg.core.numbers.NOT_REPORTED`), the official files' mark of a figure
not reported, is no formula (a sign without an operand: spreadsheets take it as text,
typed or read) and is written plain, as the official files hold it.

The parts of the file are deflated at :data:`COMPRESS_LEVEL` 1, not zlib's default 6 that
openpyxl's own ``save`` takes: a consolidated workbook's 6.9 MB of XML deflate in 30 ms
instead of 73 ms (about 3 % of the whole export), into 0.89 MB instead of 0.72 MB.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import chain, islice
from os import PathLike
from typing import IO, Any
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.writer.excel import ExcelWriter

from pmg.core.numbers import NOT_REPORTED

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
DATE_FORMAT = "yyyy-mm-dd"
HEADER_FONT = Font(name="Calibri", size=11, bold=True)
# Column widths, in characters of the default font.
MIN_WIDTH = 8
MAX_WIDTH = 60
VALUE_ROOM = 2  # the cell's margins
HEADER_ROOM = 4  # the margins, the bold face and the filter's drop-down button
GENERAL_DIGITS = 11  # the most characters Excel's General format shows of a number
COMPRESS_LEVEL = zlib.Z_BEST_SPEED  # 1 (see the module docstring)
# Widths come from the first rows: a streamed sheet (the audit trail) is never held whole.
WIDTH_SAMPLE = 1000
# What a cell holds: a number, text, a date-time, a date or nothing (an empty cell). The
# writer also takes a bool (Sí/No) and a Decimal (a number).
CellValue = int | float | str | datetime | date | None
# The values a cell takes as they are (a bool is not one: it is written Sí or No). A date
# takes openpyxl's own format for dates, which is DATE_FORMAT; a date-time is given
# DATETIME_FORMAT (openpyxl's own shows the hour without its leading zero).
AS_THEY_ARE = frozenset({int, float, type(None), date})


@dataclass(frozen=True)
class Table:
    """One sheet: its title, header row and data rows.

    ``rows`` is a list, or any iterable the writer reads once: a streamed sheet (the
    audit trail) is produced as it is written, never held whole.
    """

    title: str
    headers: tuple[str, ...]
    rows: Iterable[tuple[CellValue, ...]]


def write_xlsx(tables: Iterable[Table], target: str | PathLike[str] | IO[bytes]) -> dict[str, int]:
    """Write ``tables`` as sheets of one workbook to ``target``; return rows per sheet."""
    workbook = Workbook(write_only=True)
    counts: dict[str, int] = {}
    for table in tables:
        sheet = workbook.create_sheet(table.title)
        counts[table.title] = _write_sheet(sheet, table)
    _save(workbook, target)
    return counts


def _save(workbook: Workbook, target: str | PathLike[str] | IO[bytes]) -> None:
    """``workbook.save(target)`` (openpyxl's ``save_workbook``; the workbook was made just
    now, with the time it was written), its parts deflated at :data:`COMPRESS_LEVEL`."""
    if not workbook.worksheets:  # a workbook needs a sheet: openpyxl's save adds one too
        workbook.create_sheet()
    with ZipFile(
        target, "w", ZIP_DEFLATED, allowZip64=True, compresslevel=COMPRESS_LEVEL
    ) as archive:
        ExcelWriter(workbook, archive).write_data()


def _write_sheet(sheet: WriteOnlyWorksheet, table: Table) -> int:
    rows = iter(table.rows)
    first = list(islice(rows, WIDTH_SAMPLE))
    # A write-only sheet takes its widths and frozen panes before its first row. Its
    # column_dimensions and auto_filter come from Worksheet at run time; its stub omits them.
    for index, width in enumerate(column_widths(table.headers, first), start=1):
        dimension = sheet.column_dimensions[get_column_letter(index)]  # type: ignore[attr-defined]  # stub
        dimension.width = width
    sheet.freeze_panes = "A2"
    sheet.append([_header(sheet, header) for header in table.headers])
    writer = _CellWriter(sheet)
    count = 0
    for row in chain(first, rows):
        sheet.append(writer.cells(row))
        count += 1
    if table.headers:
        last = get_column_letter(len(table.headers))
        sheet.auto_filter.ref = f"A1:{last}{count + 1}"  # type: ignore[attr-defined]  # stub, see above
    return count


def column_widths(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[int]:
    """A width per column, in characters: room for its header and for its longest value
    as the sheet shows it, from :data:`MIN_WIDTH` to :data:`MAX_WIDTH`."""
    columns = list(zip(*rows, strict=True)) or [()] * len(headers)
    widths = []
    for header, column in zip(headers, columns, strict=True):
        room = len(header) + HEADER_ROOM
        value = _longest(column, room - VALUE_ROOM) if column else 0
        widths.append(min(max(room, value + VALUE_ROOM, MIN_WIDTH), MAX_WIDTH))
    return widths


def _longest(column: tuple[Any, ...], enough: int) -> int:
    """The most characters a value of ``column`` shows; or, when none shows more than
    ``enough`` (the room the column has already), anything up to it. A number shows at
    most :data:`GENERAL_DIGITS`: numbers are not measured when that is within ``enough``
    (a figure's column, whose header is wider). Values of different types may be equal and show
    differently (``1`` and ``1.0``), so a column of several types (figures and ``-``) is
    measured a type at a time; of one type, each distinct value once."""
    kinds = set(map(type, column))
    if len(kinds) > 1:
        return max(
            _longest(tuple(value for value in column if type(value) is kind), enough)
            for kind in kinds
        )
    kind = kinds.pop()
    # The commonest columns measured without a call per value.
    if kind is str:
        return max(map(len, set(column)))
    if kind is int or kind is float:
        if enough >= GENERAL_DIGITS:
            return 0
        return min(max(map(len, map(str, set(column)))), GENERAL_DIGITS)
    return max(map(_shown_length, set(column)))


def _shown_length(value: Any) -> int:
    """How many characters the cell of ``value`` shows (see :meth:`_CellWriter.cell`)."""
    kind = type(value)
    if kind is str:
        return len(value)
    if value is None:
        return 0
    if kind is int or kind is float or kind is Decimal:
        return min(len(str(value)), GENERAL_DIGITS)
    if kind is bool:
        return 2  # Sí, No
    if isinstance(value, datetime):
        return len(DATETIME_FORMAT)
    if isinstance(value, date):
        return len(DATE_FORMAT)
    return len(str(value))


def _header(sheet: WriteOnlyWorksheet, text: str) -> Cell:
    cell = text_cell(sheet, text)
    cell.font = HEADER_FONT
    return cell


def reads_as_formula(text: str) -> bool:
    """Whether a spreadsheet could take ``text`` for a formula (it starts with one of
    :data:`FORMULA_STARTS` and is not ``-`` alone). Every file the app writes for a
    spreadsheet neutralises such text: an .xlsx cell keeps it a string with the quote
    prefix (:func:`text_cell`); a CSV cell puts an apostrophe before it
    (:mod:`pmg.core.delimited`)."""
    return text.startswith(FORMULA_STARTS) and text != NOT_REPORTED


def text_cell(sheet: WriteOnlyWorksheet, text: str) -> Cell:
    """A string cell holding exactly ``text`` (minus characters XML cannot carry)."""
    cell = WriteOnlyCell(sheet)
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", text)
    cell.data_type = "s"  # set after the value: openpyxl makes "=…" a formula
    if reads_as_formula(text):
        cell.quotePrefix = True
    return cell


class _CellWriter:
    """Turns a row of values into what ``append`` takes."""

    def __init__(self, sheet: WriteOnlyWorksheet) -> None:
        self.sheet = sheet
        self.plain: set[str] = set()  # texts found plain: written as they are

    def cells(self, row: Sequence[Any]) -> list[Any]:
        """The row's values, each number, date, empty value and text already found plain
        as it is (most of a sheet: no call per value); the others through :meth:`cell`."""
        cell, plain = self.cell, self.plain
        return [
            value if type(value) in AS_THEY_ARE or value in plain else cell(value) for value in row
        ]

    def cell(self, value: Any) -> Any:
        if type(value) in AS_THEY_ARE:
            return value
        if isinstance(value, str):
            if (
                reads_as_formula(value)
                or value in ERROR_CODES
                or ILLEGAL_CHARACTERS_RE.search(value)
            ):
                return text_cell(self.sheet, value)
            self.plain.add(value)
            return value  # plain text: openpyxl already writes it as a string
        if isinstance(value, bool):
            return "Sí" if value else "No"
        if isinstance(value, int | float):
            return value
        if isinstance(value, Decimal):
            return float(value)
        if isinstance(value, datetime):
            cell = WriteOnlyCell(self.sheet, value=value)
            cell.number_format = DATETIME_FORMAT
            return cell
        if isinstance(value, date):
            return value  # openpyxl gives a date its own format, DATE_FORMAT
        return text_cell(self.sheet, str(value))
