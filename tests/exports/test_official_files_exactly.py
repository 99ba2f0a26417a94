"""An official consolidated file, imported and exported over the same years, comes back exactly.

A small hand-made workbook in each official layout carries every way the official
files write things: report codes (number, text, none), institution codes as numbers
and as text, double spaces and line breaks in texts, singular time units, ``-``
in text columns, empty cells and ``-`` (and an em dash) where nothing was reported,
blank and ``-`` targets, and numbers written as text. Cell by cell the export must
give back the same value of the same type (number, text or empty), with one rule: a
number the file wrote as text comes back as that number (:class:`AsText`).
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from pmg.core.imports import InvalidRows
from pmg.cycles.models import Cycle
from pmg.exports.workbook import export_consolidated
from pmg.extensions import db
from pmg.indicators.importer import IndicatorImportResult, import_indicators
from pmg.indicators.layouts import COMPLAINTS, PROCEDURES, SAIP, Layout
from pmg.indicators.models import Justification, Procedure, TimeUnit
from pmg.institutions.models import Institution
from tests.exports.reading import records, sheets
from tests.factories import create_cycle, create_institution
from tests.workbooks import xlsx_bytes

YEARS = (2023, 2024)


@dataclass(frozen=True)
class AsText:
    """A number the official file wrote as text: ``written`` in, ``number`` out."""

    written: str
    number: int | float


INSTITUTIONS = {
    "1303": "INSTITUTO DE DESARROLLO AGROPECUARIO",
    "1306": "COMISION NACIONAL DE RIEGO",
    "3101_61": "FONDO NACIONAL DE SALUD",
}
# codigo_reporte, codigo_interno_SCSEU, nombre_institucion: codes as the files write them.
IDENTITIES = {
    "1303": (AsText("7", 7), 1303, INSTITUTIONS["1303"]),
    "1306": (12, 1306, INSTITUTIONS["1306"]),
    "3101_61": (None, "3101_61", INSTITUTIONS["3101_61"]),
}


def complaint_rows() -> list[list[Any]]:
    """Per year: answered, received, % answered, mean, median, min, max, over 20, % over 20;
    then the three targets."""
    return [
        [
            *IDENTITIES["1303"],
            *(90, 100, 90.0, 5.5, 4, 1, 20, 9, 10.0),
            *(AsText("1.234", 1234), 1300, 94.9, AsText("7,5", 7.5), 6, 0, 41, 200, 16.2),
            *(95, AsText("5,5", 5.5), 10),
        ],
        [
            *IDENTITIES["1306"],
            *("-", "-", "-", "-", "-", "-", "-", "-", "-"),
            *(10, 8, 125.0, None, None, 2, 3, 0, 0.0),  # empty cells where not reported
            *(None, None, None),  # blank targets come back blank
        ],
        [
            *IDENTITIES["3101_61"],
            *(4, 4, 100.0, 2, 2, "—", 3, 0, 0.0),  # an em dash, kept
            *(None, 5, "-", 1, 1, 1, 1, None, "-"),
            *("-", 80.5, "-"),
        ],
    ]


def saip_rows() -> list[list[Any]]:
    """Per year: answered, received, %, four times, four bands, four band %; targets."""
    return [
        [
            *IDENTITIES["1306"],
            *(40, 50, 80.0, 8.4, 7, 1, 30, 10, 20, 30, 10, 25.0, 50.0, 75.0, 25.0),
            *(AsText("20", 20), 16, 125.0, 5, 5, 5, 5, 20, 20, 20, 0, 100.0, 100.0, 100.0, 0.0),
            *(None, "-", AsText("12,5", 12.5)),
        ],
        [
            *IDENTITIES["3101_61"],
            *(None, None, "-", None, None, None, None, None, None, None, None),
            *("-", "-", "-", "-"),
            *(3, 3, 100.0, "-", "-", "-", "-", 3, 3, 3, 0, 100.0, 100.0, 100.0, 0.0),
            *(90, 10, 15),
        ],
    ]


def procedure_rows() -> list[list[Any]]:
    """Name, justification, other reason, start, end, expected time, unit; per year mean,
    median, min, max, handled late, handled."""
    return [
        [
            *IDENTITIES["1306"],
            "Certificado  de  riego",
            "Masividad",
            "-",
            "Ingreso de la solicitud\nen oficina de partes",
            "Notificación  de la resolución",
            10,
            "día hábil",
            *(9.5, 8, 1, 30, 120, 4500),
            *(AsText("9,2", 9.2), 8, 1, "-", 120, AsText("4.500", 4500)),
        ],
        [
            *IDENTITIES["1306"],
            "Concurso de\nobras menores",
            "Otra razón",
            "Compromiso  presidencial\n",
            " Publicación de las bases",
            "-",
            AsText("2,5", 2.5),
            "día corrido",
            *(None, None, None, None, None, None),
            *("-", "-", "-", "-", "-", "-"),
        ],
        [
            *IDENTITIES["3101_61"],
            "Licencias médicas",
            "Asociado a objetivos estratégicos de la institución (formulario A1)",
            None,
            "Recepción",
            "Pago",
            None,
            "hora",
            *(48, 40, 2, 300, 10, 1000),
            *(36.5, 30, 1, 200, 0, 900),
        ],
    ]


LAYOUT_ROWS = {COMPLAINTS: complaint_rows, SAIP: saip_rows, PROCEDURES: procedure_rows}


def written(value: Any) -> Any:
    return value.written if isinstance(value, AsText) else value


def expected(value: Any) -> Any:
    return value.number if isinstance(value, AsText) else value


def same_cell(got: Any, want: Any) -> bool:
    """The same value of the same type: a number (int or float alike), a text, or empty."""
    numeric = (int, float)
    if isinstance(want, numeric) and not isinstance(want, bool):
        return isinstance(got, numeric) and not isinstance(got, bool) and got == want
    return type(got) is type(want) and got == want


def row_key(layout: Layout, row: dict[str, Any]) -> tuple[Any, ...]:
    name = row["nombre_del_tramite_y_o_servicio_relevante"] if layout.per_procedure else ""
    return row["codigo_interno_SCSEU"], name


def _workbook(layout: Layout, rows: list[list[Any]]) -> bytes:
    original = [tuple(layout.headers(YEARS)), *(tuple(written(v) for v in row) for row in rows)]
    return xlsx_bytes({"consolidado": original})


def _import(layout: Layout, rows: list[list[Any]]) -> IndicatorImportResult:
    result = import_indicators(_workbook(layout, rows))
    db.session.commit()
    return result


@pytest.fixture
def cycle(app: Flask) -> Cycle:
    """The cycle the targets go to, and the catalog's institutions."""
    for code, name in INSTITUTIONS.items():
        create_institution(code, name)
    return create_cycle(YEARS[-1] + 1)


@pytest.mark.parametrize("layout", LAYOUT_ROWS, ids=lambda layout: layout.name)
def test_every_cell_comes_back_with_its_value_and_type(cycle: Cycle, layout: Layout) -> None:
    headers = layout.headers(YEARS)
    rows = LAYOUT_ROWS[layout]()
    assert all(len(row) == len(headers) for row in rows)  # the workbook is well made
    assert _import(layout, rows).skipped == []

    buffer = BytesIO()
    export_consolidated(cycle, buffer, *YEARS)
    exported_rows = sheets(buffer.getvalue())[layout.name]
    assert list(exported_rows[0]) == headers  # the official headers, in the official order

    exported = {row_key(layout, row): row for row in records(exported_rows)}
    assert len(exported) == len(rows)
    mismatches = []
    for values in rows:
        want = {header: expected(value) for header, value in zip(headers, values, strict=True)}
        got = exported[row_key(layout, want)]
        for header in headers:
            if not same_cell(got[header], want[header]):
                mismatches.append((row_key(layout, want), header, want[header], got[header]))
    assert mismatches == []


def test_texts_are_stored_as_written_and_rules_read_them_normalised(cycle: Cycle) -> None:
    _import(PROCEDURES, procedure_rows())
    certificate = db.session.scalar(select(Procedure).where(Procedure.expected_time == 10))
    assert certificate is not None
    assert (certificate.name, certificate.other_reason, certificate.start_milestone) == (
        "Certificado  de  riego",
        "-",
        "Ingreso de la solicitud\nen oficina de partes",
    )
    assert (certificate.justification, certificate.justification_text) == (
        Justification.VOLUME,
        "Masividad",
    )
    assert (certificate.time_unit, certificate.time_unit_text) == (
        TimeUnit.BUSINESS_DAYS,
        "día hábil",
    )
    codes = dict(db.session.execute(select(Institution.code, Institution.report_code)).all())
    assert codes == {"1303": "", "1306": "12", "3101_61": ""}

    # The same procedure, found again by its name despite spaces and line breaks.
    renamed = procedure_rows()[:1]
    renamed[0][3] = "CERTIFICADO DE RIEGO"
    _import(PROCEDURES, renamed)
    names = db.session.scalars(select(Procedure.name).order_by(Procedure.id)).all()
    assert names == ["CERTIFICADO DE RIEGO", "Concurso de\nobras menores", "Licencias médicas"]


def test_a_blank_report_code_keeps_the_one_known_and_two_codes_refuse_the_file(
    cycle: Cycle,
) -> None:
    _import(COMPLAINTS, complaint_rows())
    rows = complaint_rows()
    rows[1][0] = None
    _import(COMPLAINTS, rows)
    kept = select(Institution.report_code).where(Institution.code == "1306")
    assert db.session.scalar(kept) == "12"
    conflicting = procedure_rows()
    conflicting[1][0] = 13
    with pytest.raises(InvalidRows, match="tiene el código de reporte «12» en la fila 2"):
        import_indicators(_workbook(PROCEDURES, conflicting))


def test_a_report_code_longer_than_the_column_refuses_the_file(cycle: Cycle) -> None:
    rows = complaint_rows()
    rows[0][0] = "R" * 65
    with pytest.raises(InvalidRows, match="el valor tiene más de 64 caracteres"):
        import_indicators(_workbook(COMPLAINTS, rows))
    assert db.session.scalars(select(Institution.report_code)).all() == ["", "", ""]
