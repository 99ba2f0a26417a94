"""Reading uploaded .xlsx workbooks without trusting them.

A workbook is a zip of XML parts. Before openpyxl parses anything we check the
content (not the file name): a real OOXML package, no macros, and a bounded
uncompressed size, so a small upload cannot expand into gigabytes. openpyxl
parses through defusedxml when it is installed (it is a dependency), which
refuses entity expansion and external entities. Rows are streamed
(``read_only=True``) and counted as they come, because the sheet's declared
dimension is written by whoever made the file and may lie: reading stops at the
row after the cap, whatever the file declares.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from typing import Any, BinaryIO

from flask import current_app
from openpyxl.reader.excel import ExcelReader
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from pmg.core.errors import DomainError

MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 10_000
REQUIRED_MEMBERS = ("[Content_Types].xml", "xl/workbook.xml")
MACRO_MEMBER = "xl/vbaProject.bin"
MAX_CONTENT_TYPES_BYTES = 1024 * 1024
# What reading a damaged ZIP package may raise (the .xlsx here, evidence files elsewhere).
# RuntimeError: an encrypted member; zlib.error: a damaged compressed member.
BAD_ZIP = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,
    OSError,
    RuntimeError,
    zlib.error,
)

NOT_XLSX = "El archivo no es un libro Excel (.xlsx) válido."
EMPTY_FILE = "El archivo está vacío."
HAS_MACROS = "El libro contiene macros; guárdelo como .xlsx sin macros."
TOO_BIG = "El libro es demasiado grande una vez descomprimido; no se puede leer."
UNREADABLE = "No se pudo leer el contenido del libro; revise que no esté dañado."
OLD_OR_ENCRYPTED = (
    "El archivo es un libro Excel antiguo (.xls) o protegido con contraseña; "
    "guárdelo como .xlsx sin contraseña."
)
# Old .xls files and password-protected .xlsx files are OLE2 compound documents.
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

Row = tuple[Any, ...]


class SpreadsheetError(DomainError):
    status_code = 422


def read_limited(stream: BinaryIO, max_bytes: int) -> bytes:
    """Read at most ``max_bytes`` from ``stream``; a longer stream is refused, not truncated."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        megabytes = max_bytes // (1024 * 1024)
        raise SpreadsheetError(f"El archivo supera el tamaño máximo de {megabytes} MB.")
    return data


@dataclass(frozen=True)
class OoxmlPackage:
    """What makes a zip one kind of Office Open XML document, and the messages to refuse it."""

    required: tuple[str, ...]
    macro_member: str
    not_valid: str
    has_macros: str
    too_big: str


XLSX_PACKAGE = OoxmlPackage(REQUIRED_MEMBERS, MACRO_MEMBER, NOT_XLSX, HAS_MACROS, TOO_BIG)


def check_xlsx(data: bytes, *, max_uncompressed: int = MAX_UNCOMPRESSED_BYTES) -> None:
    """Refuse anything that is not a plain, reasonably sized .xlsx package."""
    if not data:
        raise SpreadsheetError(EMPTY_FILE)
    if data.startswith(OLE2_SIGNATURE):
        raise SpreadsheetError(OLD_OR_ENCRYPTED)
    check_ooxml(data, XLSX_PACKAGE, max_uncompressed=max_uncompressed)


def check_ooxml(
    data: bytes, package: OoxmlPackage, *, max_uncompressed: int = MAX_UNCOMPRESSED_BYTES
) -> None:
    """Refuse anything that is not a macro-free, reasonably sized ``package`` (xlsx, docx)."""
    buffer = BytesIO(data)
    if not zipfile.is_zipfile(buffer):
        raise SpreadsheetError(package.not_valid)
    try:
        with zipfile.ZipFile(buffer) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            if not all(name in names for name in package.required):
                raise SpreadsheetError(package.not_valid)
            if not within_bounds(members, max_uncompressed):
                raise SpreadsheetError(package.too_big)
            if package.macro_member in names or _declares_macros(archive, package):
                raise SpreadsheetError(package.has_macros)
    except BAD_ZIP as bad:
        raise SpreadsheetError(package.not_valid) from bad


def within_bounds(members: list[zipfile.ZipInfo], max_uncompressed: int) -> bool:
    """Few enough members, and a bounded total once uncompressed (no zip bombs)."""
    # zipfile never returns more than the declared size, so the sum is a real bound.
    return len(members) <= MAX_MEMBERS and (
        sum(member.file_size for member in members) <= max_uncompressed
    )


def _declares_macros(archive: zipfile.ZipFile, package: OoxmlPackage) -> bool:
    info = archive.getinfo("[Content_Types].xml")
    if info.file_size > MAX_CONTENT_TYPES_BYTES:
        raise SpreadsheetError(package.not_valid)
    return b"macroenabled" in archive.read(info).lower()


class _UnsizedSheet(ReadOnlyWorksheet):
    """A streamed sheet that does not look for its declared size when the workbook opens.

    openpyxl's read-only sheet looks for ``<dimension>`` as it is created, stopping at the
    *end* of ``<sheetData>`` when the element is missing (or comes after the rows): it
    parses every row of every sheet before anyone can count them. We never use the
    declared size (it may lie), so we never look for it.
    """

    def _get_size(self) -> None:
        pass


class _StreamingReader(ExcelReader):
    """openpyxl's reader in read-only mode, with :class:`_UnsizedSheet` worksheets.

    The same steps as ``ExcelReader.read_worksheets`` takes for a read-only workbook.
    """

    def read_worksheets(self) -> None:
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files:
                continue
            if "chartsheet" in rel.Type:
                # openpyxl's own reader passes this ChildSheet; its stub asks for a Chartsheet.
                self.read_chartsheet(sheet, rel)  # type: ignore[arg-type]  # stub too narrow
                continue
            worksheet = _UnsizedSheet(self.wb, sheet.name, rel.target, self.shared_strings)
            # As openpyxl's own reader does: its stubs hide the private list of sheets, and
            # type the ChildSheet's state as optional where the worksheet's is not.
            worksheet.sheet_state = sheet.state  # type: ignore[assignment]  # as openpyxl does
            self.wb._sheets.append(worksheet)  # type: ignore[attr-defined]  # as openpyxl does


@contextmanager
def open_workbook(data: bytes) -> Iterator[Workbook]:
    """The checked workbook, opened for streaming and closed on exit."""
    check_xlsx(data)
    try:
        reader = _StreamingReader(BytesIO(data), read_only=True, data_only=True, keep_links=False)
        reader.read()
        workbook = reader.wb
    except Exception as bad:  # openpyxl raises many types for a damaged package
        raise SpreadsheetError(NOT_XLSX) from bad
    try:
        yield workbook
    finally:
        workbook.close()


@contextmanager
def sheet_rows(data: bytes, preferred: str | None = None) -> Iterator[Iterator[tuple[int, Row]]]:
    """The rows of the checked workbook ``data``'s sheet ``preferred`` (else its first),
    streamed while the block runs (:func:`iter_rows`)."""
    with open_workbook(data) as workbook:
        yield iter_rows(choose_sheet(workbook, preferred))


def choose_sheet(workbook: Workbook, preferred: str | None = None) -> ReadOnlyWorksheet:
    """The sheet named ``preferred`` if there is one, else the first sheet."""
    sheets = workbook.worksheets  # chart sheets hold no cells and are left out
    if not sheets:
        raise SpreadsheetError(NOT_XLSX)
    by_title = {sheet.title: sheet for sheet in sheets}
    return by_title.get(preferred or "", sheets[0])


def iter_rows(sheet: ReadOnlyWorksheet, max_rows: int | None = None) -> Iterator[tuple[int, Row]]:
    """Yield ``(row_number, values)`` from row 1, refusing more than ``max_rows`` rows.

    Missing rows come back as empty tuples, one at a time, so numbers match what the user
    sees in Excel. Reading stops at the row after the cap, whatever the file declares.
    """
    limit = max_rows if max_rows is not None else current_app.config["PMG_IMPORT_MAX_ROWS"]
    sheet.reset_dimensions()  # every row present, not the range the file declares
    # The stub copies Worksheet.iter_rows, self type included; run time shares the method too.
    rows = sheet.iter_rows(values_only=True)  # type: ignore[misc]  # stub's self type
    row_number = 0
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except Exception as bad:  # the sheet XML is parsed lazily, while we iterate
            raise SpreadsheetError(UNREADABLE) from bad
        row_number += 1
        if row_number > limit:
            raise SpreadsheetError(f"El archivo supera el máximo de {limit} filas.")
        yield row_number, tuple(values)


_SPACES = re.compile(r"\s+")


def header_row(rows: Iterator[tuple[int, Row]]) -> list[str]:
    """The headers of a sheet: its first row that is not blank, each as
    :func:`header_name` reads it. Raises :class:`SpreadsheetError` for a sheet with none."""
    for _, values in rows:
        headers = [header_name(value) for value in values]
        if any(headers):
            return headers
    raise SpreadsheetError(EMPTY_FILE)


def header_name(value: Any) -> str:
    """A header cell as written (case and accents kept), without stray spaces."""
    return compact_text(value)


def compact_text(value: Any) -> str:
    """:func:`cell_text` with runs of spaces, tabs or line breaks turned into one space."""
    return _SPACES.sub(" ", cell_text(value)).strip()


def cell_text(value: Any) -> str:
    """A cell as text: ``1306`` and ``1306.0`` give ``"1306"``; ``"3101_61"`` stays as is."""
    return cell_string(value).strip()


def cell_string(value: Any) -> str:
    """A cell as text exactly as written: a string cell keeps its spaces and line breaks;
    an empty cell is ``""``, a whole float is written without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Sí" if value else "No"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def comparable(text: str) -> str:
    """``text`` folded for lenient matching: no accents, no case, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SPACES.sub(" ", bare).strip().casefold()
