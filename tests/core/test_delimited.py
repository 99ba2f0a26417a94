"""The CSV writer: UTF-8 with a byte-order mark, ``;`` between cells, every value as the .xlsx
writer shows it, and text a spreadsheet could take for a formula neutralised by the very
test the .xlsx writer uses."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest

from pmg.core.delimited import csv_cell, write_csv
from pmg.core.xlsx import FORMULA_STARTS, Table, reads_as_formula


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (None, ""),
        (True, "Sí"),
        (False, "No"),
        (1306, "1306"),
        (-3, "-3"),
        (12.5, "12,5"),
        (Decimal("97.50"), "97,50"),
        (date(2026, 3, 5), "2026-03-05"),
        (datetime(2026, 3, 5, 14, 7, 9), "2026-03-05 14:07:09"),
        ("COMISIÓN NACIONAL DE RIEGO", "COMISIÓN NACIONAL DE RIEGO"),
        ("", ""),
        ("3101_61", "3101_61"),
        ("a=b", "a=b"),
        ('=HYPERLINK("http://x.cl","y")', '\'=HYPERLINK("http://x.cl","y")'),
        ("+56 2 2222 2222", "'+56 2 2222 2222"),
        ("-", "-"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
    ],
)
def test_a_cell_as_the_csv_holds_it(value: Any, written: str) -> None:
    assert csv_cell(value) == written


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_the_csv_and_the_xlsx_neutralise_the_same_text(start: str) -> None:
    text = f"{start}1+1"
    assert reads_as_formula(text)
    assert csv_cell(text) == f"'{text}"
    assert not reads_as_formula(f" {text}")


def test_a_table_is_written_with_a_byte_order_mark_and_semicolons() -> None:
    target = StringIO()
    table = Table(
        "ignorado",
        ("Código", "Nombre; sigla", "Activa"),
        [("1306", 'RIEGO "CNR"', True), ("1303", "=1+1\nsegunda línea", None)],
    )
    assert write_csv(table, target) == 2
    assert target.getvalue() == (
        "\ufeffCódigo;\"Nombre; sigla\";Activa\r\n"
        '1306;"RIEGO ""CNR""";Sí\r\n'
        "1303;\"'=1+1\nsegunda línea\";\r\n"
    )
