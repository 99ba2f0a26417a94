"""The writer: numbers as numbers, text as text, and no text ever becomes a formula."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zlib
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile

import pytest
from openpyxl import load_workbook

from pmg.core.xlsx import Table, write_xlsx
from tests.exports.reading import sheet_xml, sheets

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RISKY = [
    "=1+1",
    '=HYPERLINK("http://example.com/x","clic")',
    "=cmd|' /C calc'!A0",
    "+56 9 1234 5678",
    "-5",
    "-",
    "@SUM(A1:A2)",
    "\tcon tabulación",
    "#N/A",
    "#DIV/0!",
]


def _write(*tables: Table) -> bytes:
    buffer = BytesIO()
    write_xlsx(list(tables), buffer)
    return buffer.getvalue()


def _cells(xml: str) -> dict[str, ET.Element]:
    root = ET.fromstring(xml)  # noqa: S314 - our own output
    return {cell.get("r", ""): cell for cell in root.iter(f"{MAIN}c")}


def _inline_text(cell: ET.Element) -> str:
    return "".join(node.text or "" for node in cell.iter(f"{MAIN}t"))


def test_text_that_looks_like_a_formula_stays_the_same_text() -> None:
    data = _write(Table("datos", ("texto",), [(text,) for text in RISKY]))
    parts = sheet_xml(data)
    assert all(not re.search(r"<f[\s>/]", xml) for xml in parts.values())
    cells = _cells(parts["xl/worksheets/sheet1.xml"])
    for row, text in enumerate(RISKY, start=2):
        cell = cells[f"A{row}"]
        assert cell.get("t") == "inlineStr", text
        assert cell.find(f"{MAIN}f") is None
        assert _inline_text(cell) == text
    assert [row[0] for row in sheets(data)["datos"][1:]] == RISKY


def test_risky_text_is_marked_with_the_quote_prefix_style_not_an_apostrophe() -> None:
    data = _write(Table("datos", ("texto",), [("=1+1",), ("hola",)]))
    cells = _cells(sheet_xml(data)["xl/worksheets/sheet1.xml"])
    workbook = load_workbook(BytesIO(data))
    sheet = workbook["datos"]
    assert sheet["A2"].value == "=1+1"
    assert sheet["A2"].data_type == "s"
    assert sheet["A2"].quotePrefix is True
    assert sheet["A3"].quotePrefix is False
    assert _inline_text(cells["A2"]) == "=1+1"


def test_a_dash_alone_is_plain_text_as_the_official_files_write_it() -> None:
    # A sign without an operand is no formula: no quote prefix, and a styled cell per
    # figure not reported would cost the export a tenth of its time on the trámites sheet.
    data = _write(Table("datos", ("uno", "dos"), [("-", "-5")]))
    sheet = load_workbook(BytesIO(data))["datos"]
    assert [(cell.value, cell.data_type, cell.quotePrefix) for cell in sheet[2]] == [
        ("-", "s", False),
        ("-5", "s", True),
    ]


def test_a_text_repeated_over_rows_is_written_alike_each_time() -> None:
    # The writer remembers the texts it found plain: a risky one must never join them.
    texts = ["hola", *RISKY, "uno\x01dos"]
    data = _write(Table("datos", ("texto", "otra"), [(text, text) for text in texts * 3]))
    sheet = load_workbook(BytesIO(data))["datos"]
    read = [
        [(cell.value, cell.data_type, cell.quotePrefix) for cell in row]
        for row in sheet.iter_rows(min_row=2)
    ]
    first = read[: len(texts)]
    assert read == first * 3
    assert all(one == other for one, other in first)
    assert [value for (value, *_), _ in first] == ["hola", *RISKY, "unodos"]
    assert [prefix for (*_, prefix), _ in first] == [
        False,
        *(not text.startswith("#") and text != "-" for text in RISKY),
        False,
    ]


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        (16, "n", 16),
        (31.3, "n", 31.3),
        (0, "n", 0),
        ("1306", "inlineStr", "1306"),
        ("3101_61", "inlineStr", "3101_61"),
        ("-", "inlineStr", "-"),
        (datetime(2026, 4, 10, 14, 30, 5), "n", datetime(2026, 4, 10, 14, 30, 5)),
        (date(2026, 3, 31), "n", datetime(2026, 3, 31)),  # openpyxl reads dates back so
    ],
)
def test_cells_keep_their_type(value: object, kind: str, expected: object) -> None:
    data = _write(Table("datos", ("valor",), [(value,)]))
    cell = _cells(sheet_xml(data)["xl/worksheets/sheet1.xml"])["A2"]
    assert cell.get("t") == kind
    read = sheets(data)["datos"][1][0]
    assert read == expected
    assert type(read) is type(expected)


@pytest.mark.parametrize(
    ("value", "number_format"),
    [(datetime(2026, 4, 10, 14, 30, 5), "yyyy-mm-dd hh:mm:ss"), (date(2026, 3, 31), "yyyy-mm-dd")],
)
def test_dates_are_excel_dates_with_a_date_format(value: object, number_format: str) -> None:
    cell = load_workbook(BytesIO(_write(Table("datos", ("valor",), [(value,)]))))["datos"]["A2"]
    assert cell.is_date
    assert cell.number_format == number_format


def test_empty_cells_stay_empty_and_control_characters_are_dropped() -> None:
    data = _write(Table("datos", ("a", "b", "c"), [(None, "uno\x01dos", "=a\x0bb")]))
    assert sheets(data)["datos"][1] == (None, "unodos", "=ab")


def test_each_table_is_a_sheet_in_order_with_its_row_count() -> None:
    buffer = BytesIO()
    counts = write_xlsx([Table("uno", ("a",), [(1,), (2,)]), Table("dos", ("b",), [])], buffer)
    assert counts == {"uno": 2, "dos": 0}
    assert sheets(buffer.getvalue()) == {"uno": [("a",), (1,), (2,)], "dos": [("b",)]}


def test_no_tables_still_make_a_workbook_with_one_empty_sheet() -> None:
    workbook = load_workbook(BytesIO(_write()))
    assert len(workbook.worksheets) == 1
    assert workbook.active is not None and workbook.active.max_row == 1


def test_a_workbook_is_written_to_a_path_with_the_time_it_was_written(tmp_path: Path) -> None:
    target = tmp_path / "libro.xlsx"
    before = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    write_xlsx([Table("datos", ("a",), [(1,)])], target)
    workbook = load_workbook(target)
    assert workbook["datos"]["A2"].value == 1
    assert workbook.properties.modified is not None and workbook.properties.modified >= before


def test_parts_are_deflated_at_the_fastest_level() -> None:
    rows = [(number, f"Texto {number}", number / 7) for number in range(2000)]
    with ZipFile(BytesIO(_write(Table("datos", ("n", "t", "x"), rows)))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
        deflater = zlib.compressobj(zlib.Z_BEST_SPEED, zlib.DEFLATED, -zlib.MAX_WBITS)
        raw = archive.read(info)
    assert info.compress_type == ZIP_DEFLATED
    assert info.compress_size == len(deflater.compress(raw) + deflater.flush())
