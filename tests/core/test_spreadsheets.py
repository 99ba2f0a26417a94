from __future__ import annotations

import re
import zipfile
from io import BytesIO
from typing import Any

import openpyxl.xml
import pytest
from flask import Flask
from openpyxl import Workbook

from pmg.core import spreadsheets
from pmg.core.spreadsheets import (
    SpreadsheetError,
    cell_text,
    check_xlsx,
    choose_sheet,
    header_name,
    iter_rows,
    open_workbook,
    read_limited,
)
from tests.workbooks import broken_after_row, rewrite_zip, xlsx_bytes

NOT_XLSX = "El archivo no es un libro Excel (.xlsx) válido."
UNREADABLE = "No se pudo leer el contenido del libro; revise que no esté dañado."


def _xlsx(sheets: dict[str, list[tuple[Any, ...]]] | None = None) -> bytes:
    return xlsx_bytes(sheets or {"Hoja1": [("a", "b"), (1, 2)]})


def _member(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(BytesIO(data)) as archive:
        return archive.read(name)


def _rows(data: bytes, max_rows: int = 100) -> list[tuple[int, tuple[Any, ...]]]:
    with open_workbook(data) as workbook:
        return list(iter_rows(choose_sheet(workbook, "Hoja1"), max_rows=max_rows))


def test_openpyxl_parses_with_defusedxml() -> None:
    assert openpyxl.xml.DEFUSEDXML is True


def test_check_xlsx_accepts_a_plain_workbook() -> None:
    check_xlsx(_xlsx())


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "El archivo está vacío."),
        (b"MINISTERIO;SERVICIO\nMINISTERIO DE SALUD;FONASA\n", NOT_XLSX),
        (b"%PDF-1.7\n", NOT_XLSX),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
            "El archivo es un libro Excel antiguo (.xls) o protegido con contraseña; "
            "guárdelo como .xlsx sin contraseña.",
        ),
    ],
    ids=["empty", "renamed csv", "pdf", "xls or encrypted"],
)
def test_check_xlsx_refuses_content_that_is_not_a_workbook(data: bytes, message: str) -> None:
    with pytest.raises(SpreadsheetError) as refused:
        check_xlsx(data)
    assert refused.value.message == message
    assert refused.value.status_code == 422


def test_check_xlsx_refuses_a_truncated_zip() -> None:
    data = _xlsx()
    with pytest.raises(SpreadsheetError, match=re.escape(NOT_XLSX)):
        check_xlsx(data[: len(data) // 2])


def test_check_xlsx_refuses_a_zip_that_is_not_a_workbook() -> None:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notas.txt", "hola")
    with pytest.raises(SpreadsheetError, match=re.escape(NOT_XLSX)):
        check_xlsx(buffer.getvalue())


def test_check_xlsx_refuses_a_workbook_with_a_vba_project() -> None:
    data = rewrite_zip(_xlsx(), {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"})
    with pytest.raises(SpreadsheetError) as refused:
        check_xlsx(data)
    assert refused.value.message == "El libro contiene macros; guárdelo como .xlsx sin macros."


def test_check_xlsx_refuses_a_macro_enabled_content_type() -> None:
    data = _xlsx()
    types = _member(data, "[Content_Types].xml").replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    assert b"macroEnabled" in types
    with pytest.raises(SpreadsheetError, match="El libro contiene macros"):
        check_xlsx(rewrite_zip(data, {"[Content_Types].xml": types}))


def test_check_xlsx_refuses_a_zip_bomb_over_the_default_limit() -> None:
    buffer = BytesIO(_xlsx())
    chunk = bytes(1024 * 1024)
    with (
        zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/media/relleno.bin", "w", force_zip64=True) as member,
    ):
        for _ in range(spreadsheets.MAX_UNCOMPRESSED_BYTES // len(chunk) + 1):
            member.write(chunk)
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024
    with pytest.raises(SpreadsheetError) as refused:
        check_xlsx(data)
    assert refused.value.message == (
        "El libro es demasiado grande una vez descomprimido; no se puede leer."
    )


def test_check_xlsx_refuses_too_many_members(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spreadsheets, "MAX_MEMBERS", 3)
    with pytest.raises(SpreadsheetError, match="demasiado grande"):
        check_xlsx(_xlsx())


def test_open_workbook_refuses_damaged_parts() -> None:
    data = rewrite_zip(_xlsx(), {"xl/workbook.xml": b"<workbook><sheets><sheet"})
    with pytest.raises(SpreadsheetError, match=re.escape(NOT_XLSX)), open_workbook(data):
        pass


ENTITY_BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
)


def test_open_workbook_refuses_entity_declarations_in_the_workbook_part() -> None:
    data = _xlsx()
    workbook_xml = _member(data, "xl/workbook.xml").split(b"?>", 1)[-1]
    data = rewrite_zip(data, {"xl/workbook.xml": ENTITY_BOMB + workbook_xml})
    with pytest.raises(SpreadsheetError, match=re.escape(NOT_XLSX)), open_workbook(data):
        pass


def test_iter_rows_refuses_entity_declarations_in_the_sheet() -> None:
    data = _xlsx({"Hoja1": [("texto",)]})
    sheet_xml = _member(data, "xl/worksheets/sheet1.xml").split(b"?>", 1)[-1]
    sheet_xml = sheet_xml.replace(b"<t>texto</t>", b"<t>&lol2;</t>")
    data = rewrite_zip(data, {"xl/worksheets/sheet1.xml": ENTITY_BOMB + sheet_xml})
    with pytest.raises(SpreadsheetError, match=re.escape(UNREADABLE)):
        _rows(data)


def test_iter_rows_refuses_a_sheet_damaged_after_its_first_rows() -> None:
    data = _xlsx({"Hoja1": [("uno",), ("dos",)]})
    sheet_xml = _member(data, "xl/worksheets/sheet1.xml")
    damaged = sheet_xml[: sheet_xml.index(b'<row r="2"') + 12]
    data = rewrite_zip(data, {"xl/worksheets/sheet1.xml": damaged})
    with pytest.raises(SpreadsheetError) as refused:
        _rows(data)
    assert refused.value.message == UNREADABLE


def test_choose_sheet_prefers_the_named_sheet() -> None:
    data = _xlsx({"Resumen": [("x",)], "Hoja1": [("y",)]})
    with open_workbook(data) as workbook:
        assert choose_sheet(workbook, "Hoja1").title == "Hoja1"


def test_choose_sheet_falls_back_to_the_first_sheet() -> None:
    data = _xlsx({"Catálogo": [("x",)], "Otra": [("y",)]})
    with open_workbook(data) as workbook:
        assert choose_sheet(workbook, "Hoja1").title == "Catálogo"


def test_iter_rows_numbers_rows_as_excel_including_gaps() -> None:
    workbook = Workbook()
    workbook.active.title = "Hoja1"
    workbook.active["A1"] = "título"
    workbook.active["B4"] = 7
    buffer = BytesIO()
    workbook.save(buffer)
    assert _rows(buffer.getvalue()) == [
        (1, ("título",)),
        (2, ()),
        (3, ()),
        (4, (None, 7)),
    ]


def test_iter_rows_refuses_more_rows_than_the_cap() -> None:
    data = _xlsx({"Hoja1": [(number,) for number in range(6)]})
    assert len(_rows(data, max_rows=6)) == 6
    with pytest.raises(SpreadsheetError) as refused:
        _rows(data, max_rows=5)
    assert refused.value.message == "El archivo supera el máximo de 5 filas."


def test_iter_rows_ignores_a_dimension_that_understates_the_rows() -> None:
    data = _xlsx({"Hoja1": [(number,) for number in range(10)]})
    sheet_xml = _member(data, "xl/worksheets/sheet1.xml")
    lying = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:A1"', sheet_xml)
    assert lying != sheet_xml
    data = rewrite_zip(data, {"xl/worksheets/sheet1.xml": lying})
    assert [number for number, _ in _rows(data)] == list(range(1, 11))
    with pytest.raises(SpreadsheetError, match="máximo de 3 filas"):
        _rows(data, max_rows=3)


def test_iter_rows_without_a_dimension_stops_reading_after_the_cap(app: Flask) -> None:
    """Rows past the one after the cap are damaged: reading them would refuse the file as
    unreadable (or, while opening it, as not a workbook) instead of over the cap."""
    app.config["PMG_IMPORT_MAX_ROWS"] = 3
    data = broken_after_row(_xlsx({"Hoja1": [(number,) for number in range(1, 10)]}), 4)
    with pytest.raises(SpreadsheetError) as refused, open_workbook(data) as workbook:
        list(iter_rows(choose_sheet(workbook)))
    assert refused.value.message == "El archivo supera el máximo de 3 filas."


def test_iter_rows_refuses_a_sheet_without_a_dimension_damaged_within_the_cap() -> None:
    data = broken_after_row(_xlsx({"Hoja1": [(number,) for number in range(1, 10)]}), 4)
    with pytest.raises(SpreadsheetError) as refused:
        _rows(data, max_rows=10)
    assert refused.value.message == UNREADABLE


def test_open_workbook_reads_no_rows_of_the_sheets_left_unread() -> None:
    data = _xlsx({"Hoja1": [("catálogo",)], "Notas": [("uno",), ("dos",)]})
    notes = _member(data, "xl/worksheets/sheet2.xml")
    notes = re.sub(rb"<dimension [^>]*/>", b"", notes)
    damaged = notes[: notes.index(b'<row r="2"') + 12]
    data = rewrite_zip(data, {"xl/worksheets/sheet2.xml": damaged})
    assert _rows(data) == [(1, ("catálogo",))]


def test_iter_rows_reads_the_cap_from_the_app_config(app: Flask) -> None:
    app.config["PMG_IMPORT_MAX_ROWS"] = 2
    data = _xlsx({"Hoja1": [("a",), ("b",), ("c",)]})
    with pytest.raises(SpreadsheetError, match="máximo de 2 filas"), open_workbook(data) as book:
        list(iter_rows(choose_sheet(book)))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1306, "1306"),
        (1306.0, "1306"),
        ("3101_61", "3101_61"),
        (" 1306 ", "1306"),
        (12.5, "12.5"),
        (None, ""),
        (True, "Sí"),
        (False, "No"),
    ],
)
def test_cell_text_turns_cells_into_text(value: Any, text: str) -> None:
    assert cell_text(value) == text


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("  Categoría funcional ", "Categoría funcional"),
        ("COMPROMETE  SISTEMA\n(final)", "COMPROMETE SISTEMA (final)"),
        ("codigo_interno_SCSEU", "codigo_interno_SCSEU"),
        (None, ""),
    ],
)
def test_header_name_keeps_the_name_without_stray_spaces(value: Any, name: str) -> None:
    assert header_name(value) == name


def test_read_limited_refuses_a_longer_stream() -> None:
    assert read_limited(BytesIO(b"x" * 10), 10) == b"x" * 10
    with pytest.raises(SpreadsheetError) as refused:
        read_limited(BytesIO(b"x" * (2 * 1024 * 1024 + 1)), 2 * 1024 * 1024)
    assert refused.value.message == "El archivo supera el tamaño máximo de 2 MB."
