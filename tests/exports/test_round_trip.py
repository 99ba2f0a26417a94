"""An official workbook imported and exported again over the same years gives back its figures.

Cell by cell, for the three layouts: both sides are read with the import's cell
readers (:mod:`pmg.indicators.cells`), so ``1.234`` and ``1234`` are the same
count and a code written as a number equals the same code as text. Exact values,
types and ``-`` versus blank are checked on a small hand-made workbook in
``test_official_files_exactly.py``.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from flask import Flask

from pmg.exports.workbook import export_consolidated
from pmg.extensions import db
from pmg.indicators.cells import cell_value, read_code, read_text
from pmg.indicators.importer import import_indicators
from pmg.indicators.layouts import (
    LAYOUTS,
    Kind,
    Layout,
    YearFigure,
    year_header,
)
from pmg.institutions.models import Institution
from tests.exports.reading import sheets
from tests.factories import create_cycle, create_institution
from tests.indicators.workbooks import official_rows, official_workbook

YEARS = (2022, 2023, 2024, 2025)
PROCEDURE_NAME = "nombre_del_tramite_y_o_servicio_relevante"


def _institutions() -> list[Institution]:
    codes = ("1306", "1303", "3101_61", "201", "5010", "3101_62", "1700", "2401", "1001")
    return [create_institution(code, f"SERVICIO {code}") for code in codes]


def _key(row: dict[str, Any], layout: Layout) -> tuple[str, str]:
    name = read_text(row[PROCEDURE_NAME]).casefold() if layout.per_procedure else ""
    return read_code(row["codigo_interno_SCSEU"]), name


def _by_key(rows: list[tuple[Any, ...]], layout: Layout) -> dict[tuple[str, str], dict[str, Any]]:
    headers = rows[0]
    found = {}
    for values in rows[1:]:
        row = dict(zip(headers, values, strict=True))
        found[_key(row, layout)] = row
    return found


def _expected_cells(layout: Layout, row: dict[str, Any]) -> dict[str, Any]:
    """What each cell of the original ``row`` says, figures and percentages alike."""
    expected: dict[str, Any] = {}
    for column in (*layout.leading, *layout.targets):
        expected[column.header] = cell_value(row[column.header], column.kind)
    for year in YEARS:
        for column in layout.per_year:
            header = year_header(year, column)
            # Kind.NUMBER for percentages: a share of answered over received may pass 100.
            kind = column.kind if isinstance(column, YearFigure) else Kind.NUMBER
            expected[header] = cell_value(row[header], kind)
    return expected


def _exported_cells(layout: Layout, row: dict[str, Any]) -> dict[str, Any]:
    kinds = {column.header: column.kind for column in (*layout.leading, *layout.targets)}
    exported = {}
    for header, value in row.items():
        exported[header] = cell_value(value, kinds.get(header, Kind.NUMBER))  # years: numbers
    return exported


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.name)
def test_import_then_export_reproduces_every_figure_and_percentage(
    app: Flask, layout: Layout
) -> None:
    cycle = create_cycle(2026)
    institutions = _institutions()
    original = official_rows(layout, institutions, YEARS, seed=7)
    result = import_indicators(official_workbook(layout, institutions, YEARS, seed=7))
    db.session.commit()
    assert result.skipped == []
    assert result.cycle_year in (None, cycle.year)

    buffer = BytesIO()
    export_consolidated(cycle, buffer, YEARS[0], YEARS[-1])
    exported_rows = sheets(buffer.getvalue())[layout.name]

    assert exported_rows[0] == original[0]  # the same headers, in the same order
    expected = _by_key(original, layout)
    exported = _by_key(exported_rows, layout)
    assert exported.keys() == expected.keys()
    numbers = 0
    for key, row in expected.items():
        wanted = _expected_cells(layout, row)
        got = _exported_cells(layout, exported[key])
        for header, value in wanted.items():
            assert got[header] == value, (key, header, row[header], exported[key][header])
            numbers += isinstance(value, int | float)
    assert numbers > 20 * len(expected)  # a real comparison, not one of empty cells
    dashes = [
        value
        for row in exported_rows[1:]
        for value in row
        if isinstance(value, str) and value.strip() in ("", "-") and value != "-"
    ]
    assert dashes == []  # "not available" is always written as "-"
