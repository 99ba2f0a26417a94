"""Every sheet of every workbook: readable column widths, a frozen header, a filter, and
numbers and dates as numbers and dates (issue 10)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from io import BytesIO
from typing import Any

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from pmg.audit.operations import record
from pmg.audit.queries import AuditFilters
from pmg.audit.workbook import HEADERS as AUDIT_HEADERS
from pmg.audit.workbook import SHEET as AUDIT_SHEET
from pmg.audit.workbook import export_trail
from pmg.core.permissions import Role
from pmg.core.xlsx import (
    HEADER_ROOM,
    MAX_WIDTH,
    MIN_WIDTH,
    VALUE_ROOM,
    WIDTH_SAMPLE,
    Table,
    _shown_length,
    column_widths,
    write_xlsx,
)
from pmg.cycles.models import Cycle
from pmg.exports.workbook import export_consolidated
from pmg.exports.workbook.records import number_or_text
from pmg.extensions import db
from pmg.indicators.models import ComplaintFigures, Procedure, ProcedureFigures, SaipFigures
from pmg.submissions.models import SubmissionKind
from tests.exports.reading import SHEETS, records, sheets
from tests.exports.submissions import submit_with_evidence
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
    diagnostic_draft,
    load_starting_catalog,
    plan_draft,
)

LONG_DESCRIPTION = "Demora en la respuesta a los reclamos presenciales " * 6
# (current value, expected value) as typed → as written.
GAP_VALUES = [
    (("56,8", "95"), (56.8, 95)),
    (("56,8 %", "10 días"), ("56,8 %", "10 días")),
    (("1.234.567", "1.234"), (1234567, "1.234")),
    (("  7,5 ", "-"), (7.5, "-")),
]
DATE_COLUMNS = {
    "acciones": ("fecha_inicio", "fecha_termino"),
    "estado": ("diagnostico_enviado_el", "plan_enviado_el"),
    "revision": ("fecha_primer_envio", "fecha_ultimo_envio"),
}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _open(data: bytes) -> dict[str, Worksheet]:
    """The workbook in full mode: column widths, panes and filters are read only so."""
    workbook = load_workbook(BytesIO(data))
    return {sheet.title: sheet for sheet in workbook.worksheets}


def _export(cycle: Cycle) -> bytes:
    buffer = BytesIO()
    export_consolidated(cycle, buffer)
    return buffer.getvalue()


def _columns(sheet: Worksheet) -> Iterator[tuple[Any, list[Any]]]:
    """Each column as (header cell, data cells)."""
    for column in sheet.iter_cols():
        yield column[0], list(column[1:])


def _assert_layout(sheet: Worksheet, headers: int) -> None:
    """Header frozen, a filter over the header and every row, every column a bounded width
    that fits its header and its values (up to the bound)."""
    assert sheet.freeze_panes == "A2", sheet.title
    last = get_column_letter(headers)
    assert sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}", sheet.title
    assert sheet.max_column == headers, sheet.title
    for header, cells in _columns(sheet):
        dimension = sheet.column_dimensions[header.column_letter]
        where = f"{sheet.title}!{header.column_letter} {header.value}"
        assert dimension.customWidth, where
        assert MIN_WIDTH <= dimension.width <= MAX_WIDTH, where
        texts = [str(header.value), *(c.value for c in cells if isinstance(c.value, str))]
        assert dimension.width >= min(max(map(len, texts)), MAX_WIDTH), where


@pytest.fixture
def cycle(app: Flask) -> Cycle:
    """A cycle with one institution whose every sheet has rows: history, a diagnostic
    whose gaps carry typed numbers and texts, and a plan."""
    cycle = create_cycle(2026)
    load_starting_catalog(cycle)
    institution = create_institution("1306")
    db.session.add(ComplaintFigures(institution_id=institution.id, year=2024, received=20))
    db.session.add(SaipFigures(institution_id=institution.id, year=2024, received=16))
    procedure = Procedure(institution_id=institution.id, name="Trámite de prueba 1")
    procedure.figures.append(ProcedureFigures(year=2024, mean=4.0, handled=10))
    db.session.add(procedure)
    db.session.commit()
    draft = diagnostic_draft(gaps=len(GAP_VALUES))
    for gap, ((current, expected), _) in zip(draft["gaps"], GAP_VALUES, strict=True):
        gap.update(current_value=current, expected_value=expected)
    draft["gaps"][0]["description"] = LONG_DESCRIPTION
    coordinator = create_user(Role.COORDINATOR, institutions=[institution])
    create_submitted_diagnostic(institution, cycle, coordinator, draft)
    plan = plan_draft(year=cycle.year)
    submit_with_evidence(institution, cycle, SubmissionKind.PLAN, plan, [], coordinator)
    return cycle


def test_every_consolidated_sheet_has_widths_a_frozen_header_and_a_filter(cycle: Cycle) -> None:
    data = _export(cycle)
    workbook = _open(data)
    assert list(workbook) == SHEETS
    for title, rows in sheets(data).items():
        assert len(rows) > 1, title  # the data reaches every sheet
        _assert_layout(workbook[title], len(rows[0]))
    description = next(c for c in workbook["brechas"][1] if c.value == "descripcion").column
    assert workbook["brechas"].column_dimensions[get_column_letter(description)].width == MAX_WIDTH


def test_an_empty_consolidated_export_has_the_same_layout_on_every_sheet(app: Flask) -> None:
    workbook = _open(_export(create_cycle(2026)))
    assert list(workbook) == SHEETS
    for sheet in workbook.values():
        assert sheet.max_row == 1
        _assert_layout(sheet, sheet.max_column)


def test_brechas_values_typed_as_numbers_are_numbers(cycle: Cycle) -> None:
    sheet = _open(_export(cycle))["brechas"]
    gaps = records([tuple(cell.value for cell in row) for row in sheet.iter_rows()])
    written = [(gap["valor_actual"], gap["valor_esperado"]) for gap in gaps]
    assert written == [expected for _, expected in GAP_VALUES]
    for (current, expected), row in zip(written, sheet.iter_rows(min_row=2), strict=True):
        cells = {cell.column_letter: cell for cell in row}
        for value, letter in ((current, "H"), (expected, "I")):
            assert type(cells[letter].value) is type(value)
            assert cells[letter].data_type == ("s" if isinstance(value, str) else "n")


def test_no_consolidated_cell_holds_a_number_or_a_date_as_text(cycle: Cycle) -> None:
    for title, sheet in _open(_export(cycle)).items():
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str):
                    where = f"{title}!{cell.coordinate} {cell.value!r}"
                    assert isinstance(number_or_text(cell.value), str), where
                    assert not ISO_DATE.match(cell.value), where


def test_dates_are_date_cells(cycle: Cycle) -> None:
    workbook = _open(_export(cycle))
    for title, headers in DATE_COLUMNS.items():
        for header, cells in _columns(workbook[title]):
            if header.value in headers:
                assert cells, header.value
                assert all(cell.is_date for cell in cells), (title, header.value)


def test_the_audit_workbook_has_the_same_layout_and_date_cells(app: Flask) -> None:
    admin = create_user(Role.ADMIN)
    institution = create_institution("1306", "COMISION NACIONAL DE RIEGO")
    for name in ("A", "B"):
        record("institution.update", institution, actor=admin, after={"name": name})
    db.session.commit()
    buffer = BytesIO()
    count = export_trail(AuditFilters(), buffer, admin)
    sheet = _open(buffer.getvalue())[AUDIT_SHEET]
    assert sheet.max_row == count + 1
    _assert_layout(sheet, len(AUDIT_HEADERS))
    for header, cells in _columns(sheet):
        if header.value == "N.º":
            assert all(type(cell.value) is int for cell in cells)
        if header.value == "Fecha y hora (Chile)":
            assert all(cell.is_date for cell in cells)


@pytest.mark.parametrize(
    ("headers", "row", "expected"),
    [
        # A short header and no value: the least width.
        (("a",), (None,), [MIN_WIDTH]),
        # The header, with room for the bold face and the filter's button.
        (("descripcion",), ("x",), [15]),
        # The longest value as shown: dates and date-times as their format.
        (("a", "b"), (date(2026, 3, 1), datetime(2026, 3, 1, 9, 30)), [12, 21]),
        # Numbers as their text, up to what Excel's General format shows.
        (("a", "b", "c"), (1234567, 0.1 + 0.2, True), [9, 13, MIN_WIDTH]),
        # A long text: the most width.
        (("a",), ("x" * 500,), [MAX_WIDTH]),
    ],
)
def test_column_widths(headers: tuple[str, ...], row: tuple[Any, ...], expected: list[int]) -> None:
    assert column_widths(headers, [row]) == expected


def test_a_column_of_values_of_several_types_is_measured_value_by_value() -> None:
    # 1234567 == 1234567.0, but the float shows two more characters.
    assert column_widths(("a",), [(1234567,), (1234567.0,)]) == [11]
    assert column_widths(("a",), [(1234567.0,), (1234567,)]) == [11]
    assert column_widths(("a", "b"), [("x" * 20, 1), ("x" * 20, 1)]) == [22, MIN_WIDTH]


VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=70),
    st.dates(),
    st.datetimes(),
)


@given(
    st.integers(min_value=1, max_value=4).flatmap(
        lambda width: st.tuples(
            st.lists(st.text(max_size=16), min_size=width, max_size=width),
            st.lists(st.lists(VALUES, min_size=width, max_size=width), max_size=12),
        )
    )
)
def test_a_width_is_its_header_s_or_its_longest_value_s_as_shown(
    sheet: tuple[list[str], list[list[Any]]],
) -> None:
    # The widths are worked out without measuring every value (distinct values once, a
    # type at a time, no number where the header is wider): the same as measuring each.
    headers, rows = sheet
    expected = [
        min(
            max(
                len(header) + HEADER_ROOM,
                max((_shown_length(row[index]) for row in rows), default=0) + VALUE_ROOM,
                MIN_WIDTH,
            ),
            MAX_WIDTH,
        )
        for index, header in enumerate(headers)
    ]
    assert column_widths(headers, rows) == expected


def test_a_streamed_sheet_longer_than_the_width_sample_is_written_whole() -> None:
    rows = ((number, "x" * 70 if number > WIDTH_SAMPLE else "x") for number in range(1, 2001))
    table = Table("datos", ("n", "texto"), rows)  # type: ignore[arg-type]
    buffer = BytesIO()
    assert write_xlsx([table], buffer) == {"datos": 2000}
    sheet = _open(buffer.getvalue())["datos"]
    assert sheet.max_row == 2001
    assert sheet.auto_filter.ref == "A1:B2001"
    assert sheet.column_dimensions["B"].width == 9  # from the first rows only
