"""Demo indicator history: the coordinator's institutions in the three official layouts.

Written as official consolidated workbooks (the app's writer, :mod:`pmg.core.xlsx`) and
loaded through the real import, so the demo's coordinator finds the reference year
pre-filled in the diagnostic and the cycle's targets in the plan.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from pmg.core.numbers import percent
from pmg.core.xlsx import Table, write_xlsx
from pmg.cycles.models import Cycle
from pmg.indicators.importer import IndicatorImportResult, import_indicators
from pmg.indicators.layouts import COMPLAINTS, PROCEDURES, SAIP, SHEET, DerivedPercent, Layout
from pmg.institutions.models import Institution

# By institution code: report code, then per layout the figures of the year before the
# reference year and of the reference year, and the cycle's targets.
REPORT_CODES = {"1306": 101, "1303": 102}
# Per institution: one tuple of figures per year, then its targets.
YearsAndTargets = dict[str, tuple[tuple[float, ...], ...]]
COMPLAINT_FIGURES: YearsAndTargets = {  # answered, received, mean, median, min, max, > 20 days
    "1306": ((118, 120, 8.4, 7, 1, 25, 6), (131, 135, 7.9, 7, 1, 22, 4), (98, 3, 7)),
    "1303": ((1480, 1502, 11.2, 9, 1, 60, 180), (1622, 1650, 10.5, 9, 1, 48, 150), (97, 8, 10)),
}
SAIP_FIGURES: YearsAndTargets = {  # answered, received, mean, median, min, max, ≤10, ≤15, ≤20, > 20
    "1306": (
        (240, 245, 9.1, 8, 1, 20, 150, 200, 240, 0),
        (262, 270, 8.7, 8, 1, 20, 170, 220, 262, 0),
        (99, 0, 8),
    ),
    "1303": (
        (610, 630, 12.4, 11, 1, 35, 300, 450, 590, 20),
        (655, 660, 11.8, 10, 1, 30, 340, 500, 640, 15),
        (98, 2, 10),
    ),
}
PROCEDURE_ROWS = {  # description; per year mean, median, min, max, handled late, handled
    "1306": (
        (
            "Bonificación por obras de riego (Ley 18.450)",
            "Masividad (volumen de transacciones)",
            "-",
            "Ingreso de la postulación al concurso",
            "Publicación de resultados",
            120,
            "días hábiles",
        ),
        (110.5, 105, 60, 180, 12, 340),
        (104.2, 100, 55, 170, 9, 362),
    ),
    "1303": (
        (
            "Crédito de enlace de riego",
            "Asociado a objetivos estratégicos de la institución (formulario A1)",
            "-",
            "Solicitud del crédito en la agencia de área",
            "Resolución de otorgamiento",
            30,
            "días hábiles",
        ),
        (24.5, 22, 5, 60, 210, 4200),
        (22.1, 20, 4, 55, 180, 4450),
    ),
}


def load_demo_history(cycle: Cycle, institutions: list[Institution]) -> list[str]:
    """Import the demo history of ``institutions``; what each import read, in a sentence."""
    years = (cycle.reference_year - 1, cycle.reference_year)
    results: list[IndicatorImportResult] = []
    for layout in (COMPLAINTS, SAIP, PROCEDURES):
        rows = [row for institution in institutions for row in _rows(layout, institution)]
        results.append(import_indicators(_workbook(layout, years, rows), cycle_year=cycle.year))
    return [result.description for result in results]


def _workbook(layout: Layout, years: tuple[int, int], rows: list[tuple[Any, ...]]) -> bytes:
    buffer = BytesIO()
    write_xlsx([Table(SHEET, tuple(layout.headers(years)), rows)], buffer)
    return buffer.getvalue()


def _rows(layout: Layout, institution: Institution) -> list[tuple[Any, ...]]:
    identity = (REPORT_CODES[institution.code], institution.code, institution.name)
    if layout is PROCEDURES:
        description, *years = PROCEDURE_ROWS[institution.code]
        return [(*identity, *description, *(value for year in years for value in year))]
    source = COMPLAINT_FIGURES if layout is COMPLAINTS else SAIP_FIGURES
    *yearly, targets = source[institution.code]
    by_year = [value for figures in yearly for value in _year(layout, figures)]
    return [(*identity, *by_year, *targets)]


def _year(layout: Layout, figures: tuple[float, ...]) -> list[Any]:
    """The year's columns in the layout's order, with its percentages as the files show."""
    reported = dict(zip((column.attribute for column in layout.figures), figures, strict=True))
    values: list[Any] = []
    for column in layout.per_year:
        if isinstance(column, DerivedPercent):
            share = percent(reported[column.numerator], reported[column.denominator])
            values.append(float(share) if share is not None else "-")
        else:
            values.append(reported[column.attribute])
    return values
