"""Consolidated indicator workbooks for tests, in the official column order.

``official_workbook(layout, institutions, years, seed)`` builds a file that looks
like the ones DIPRES and the Secretaría exchange: numbers as numbers and as text
(``"1.234"``, ``"7,5"``), codes as numbers and as padded text, ``-`` where a figure
was not reported, derived percentages filled in, and the inconsistent data the
official files accept (more answered than received, SAIP bands that do not add up).
The same seed gives the same file.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from pmg.core.numbers import percent
from pmg.indicators.layouts import (
    COMPLAINTS,
    LAYOUTS_BY_NAME,
    PROCEDURES,
    DerivedPercent,
    Kind,
    Layout,
    YearFigure,
)
from tests.workbooks import xlsx_bytes

InstitutionLike = Any  # an Institution, or a (code, name) pair

NO_TARGETS = {  # reclamos targets, not reported
    "plan_reclamos_resp_anual_meta": "-",
    "plan_reclamos_resp_fuera_plazo_meta": None,
    "plan_reclamos_tpo_resp_meta": "",
}
OTHER_REASON = (
    "especifique_otra_razon_para_seleccionar_el_tramite_y_o_servicio_solo_si_elige_"
    "otro_en_justificacion_de_seleccion"
)
UNIT = "periodo_de_tiempo_dias_habiles_dias_corridos_horas_minutos"
TARGETS = {  # reclamos targets
    "plan_reclamos_resp_anual_meta": 95,
    "plan_reclamos_resp_fuera_plazo_meta": "5,5",
    "plan_reclamos_tpo_resp_meta": "10",
}


PROCEDURE_NAMES = (
    "Solicitud de certificado de antecedentes",
    "Postulación a subsidio habitacional",
    "Atención de consultas ciudadanas",
)
JUSTIFICATIONS = (
    ("Masividad (volumen de transacciones)", ""),
    ("Asociado a objetivos estratégicos de la institución (formulario A1)", ""),
    ("Otra razón", "Alta demanda en temporada de invierno"),
    ("masividad", ""),
    ("Otro", "Compromiso ministerial"),
)
TIME_UNITS = ("días hábiles", "día hábil", "Días corridos", "horas", "minutos", "dias habiles")


def official_workbook(
    layout: Layout | str, institutions: Sequence[InstitutionLike], years: Sequence[int], seed: int
) -> bytes:
    """An .xlsx with the sheet ``consolidado`` of ``layout`` for ``institutions`` × ``years``."""
    return xlsx_bytes({"consolidado": official_rows(layout, institutions, years, seed)})


def official_rows(
    layout: Layout | str, institutions: Sequence[InstitutionLike], years: Sequence[int], seed: int
) -> list[tuple[Any, ...]]:
    """The header row and the data rows of :func:`official_workbook`."""
    layout = LAYOUTS_BY_NAME[layout] if isinstance(layout, str) else layout
    generator = _Generator(random.Random(seed), layout, sorted(years))
    rows: list[tuple[Any, ...]] = [tuple(layout.headers(years))]
    for index, institution in enumerate(institutions):
        code, name = _code_and_name(institution)
        if layout.per_procedure:
            for number in range(1 + index % len(PROCEDURE_NAMES)):
                rows.append(generator.procedure_row(index, code, name, PROCEDURE_NAMES[number]))
        else:
            rows.append(generator.institution_row(index, code, name))
    return rows


def _code_and_name(institution: InstitutionLike) -> tuple[str, str]:
    if isinstance(institution, tuple):
        return institution
    return institution.code, institution.name


class _Generator:
    def __init__(self, rng: random.Random, layout: Layout, years: list[int]) -> None:
        self.rng = rng
        self.layout = layout
        self.years = years

    def institution_row(self, index: int, code: str, name: str) -> tuple[Any, ...]:
        by_year = [value for year in self.years for value in self._year(index, year)]
        return (*self._identity(index, code, name), *by_year, *self._targets(index))

    def procedure_row(self, index: int, code: str, name: str, procedure: str) -> tuple[Any, ...]:
        justification, other = JUSTIFICATIONS[self.rng.randrange(len(JUSTIFICATIONS))]
        expected = self.rng.choice((5, 10, 15, 20, "10", "2,5", "-"))
        definition = (
            procedure,
            justification,
            other or "-",
            "Ingreso de la solicitud",
            "Notificación de la resolución",
            expected,
            self.rng.choice(TIME_UNITS),
        )
        by_year = [value for year in self.years for value in self._year(index, year)]
        return (*self._identity(index, code, name), *definition, *by_year)

    def _identity(self, index: int, code: str, name: str) -> tuple[Any, ...]:
        written: Any = code
        if code.isdigit():
            written = int(code) if index % 3 == 0 else f" {code} " if index % 3 == 1 else code
        return (f"R{index + 1:04d}", written, name)

    def _year(self, index: int, year: int) -> list[Any]:
        if (index + year) % 7 == 0:  # not reported this year
            return ["-"] * len(self.layout.per_year)
        figures = self._figures()
        written = {c.attribute: self._written(figures[c.attribute], c) for c in self.layout.figures}
        reported = {name: None if text == "-" else figures[name] for name, text in written.items()}
        values: list[Any] = []
        for column in self.layout.per_year:
            if isinstance(column, DerivedPercent):  # as the official files: from what they show
                share = percent(reported[column.numerator], reported[column.denominator])
                values.append("-" if share is None else float(share))
            else:
                values.append(written[column.attribute])
        return values

    def _figures(self) -> dict[str, int | float]:
        rng = self.rng
        if self.layout is PROCEDURES:
            handled = rng.randrange(0, 50_000)
            low, high = sorted((rng.randrange(0, 30), rng.randrange(1, 90)))
            return {
                "handled": handled,
                "handled_late": rng.randrange(0, handled + 1),
                "minimum": low,
                "maximum": high,
                "mean": round(rng.uniform(low, high), 1),
                "median": round(rng.uniform(low, high), 1),
            }
        received = rng.randrange(0, 5_000)
        # Now and then more answered than received (cases carried over): accepted data.
        answered = (
            received + rng.randrange(1, 20)
            if rng.random() < 0.15
            else rng.randrange(0, received + 1)
        )
        low, high = sorted((rng.randrange(0, 10), rng.randrange(5, 60)))
        figures: dict[str, int | float] = {
            "received": received,
            "answered": answered,
            "min_days": low,
            "max_days": high,
            "mean_days": round(rng.uniform(low, high), 1),
            "median_days": round(rng.uniform(low, high), 1),
            "answered_over_20": rng.randrange(0, answered + 1),
        }
        if self.layout is not COMPLAINTS:
            within_10 = rng.randrange(0, answered + 1)
            within_15 = min(answered, within_10 + rng.randrange(0, 50))
            within_20 = min(answered, within_15 + rng.randrange(0, 50))
            over_20 = answered - within_20 + rng.choice((0, 0, 0, 3))  # sometimes off
            figures.update(
                answered_within_10=within_10,
                answered_within_15=within_15,
                answered_within_20=within_20,
                answered_over_20=over_20,
            )
        return figures

    def _written(self, value: int | float, column: YearFigure) -> Any:
        """As the files write it: a number, or now and then text."""
        roll = self.rng.random()
        if roll < 0.05:
            return "-"
        if roll < 0.25 and column.kind is Kind.COUNT:
            return f"{value:,}".replace(",", ".")  # "1.234"
        if roll < 0.25:
            return str(value).replace(".", ",")  # "7,5"
        return value

    def _targets(self, index: int) -> list[Any]:
        if index % 4 == 3:
            return ["-"] * len(self.layout.targets)
        targets: list[Any] = []
        for column in self.layout.targets:
            if column.kind is Kind.PERCENT:
                targets.append(float(Decimal(self.rng.randrange(0, 1001)) / 10))
            else:
                targets.append(self.rng.choice((10, 12.5, "15", "7,5")))
        return targets


def consolidated_xlsx(
    layout: Layout | str,
    years: Sequence[int],
    rows: Sequence[dict[str, Any] | None],
    *,
    without: Sequence[str] = (),
    extra: Sequence[str] = (),
    sheet: str = "consolidado",
) -> bytes:
    """A hand-made consolidated file: ``rows`` map headers to values (``None``: a blank row).

    ``without`` drops columns from the official ones and ``extra`` appends others.
    """
    layout = LAYOUTS_BY_NAME[layout] if isinstance(layout, str) else layout
    headers = [h for h in layout.headers(years) if h not in without] + list(extra)
    body = [tuple((row or {}).get(header) for header in headers) for row in rows]
    return xlsx_bytes({sheet: [tuple(headers), *body]})


def complaints(code: Any, year: int, **figures: Any) -> dict[str, Any]:
    """Cells of a reclamos row for one ``year``; ``figures`` by model attribute override."""
    values = {
        "answered": 90,
        "received": 100,
        "mean_days": 5.5,
        "median_days": 5,
        "min_days": 1,
        "max_days": 30,
        "answered_over_20": 3,
    } | figures
    return _cells(COMPLAINTS, code, year, values)


def saip(code: Any, year: int, **figures: Any) -> dict[str, Any]:
    values = {
        "answered": 16,
        "received": 16,
        "mean_days": 12.4,
        "median_days": 11,
        "min_days": 2,
        "max_days": 25,
        "answered_within_10": 5,
        "answered_within_15": 9,
        "answered_within_20": 14,
        "answered_over_20": 2,
    } | figures
    return _cells(LAYOUTS_BY_NAME["saip"], code, year, values)


def procedure(code: Any, name: str, year: int, **cells: Any) -> dict[str, Any]:
    """Cells of a trámites row: the definition by header, the figures of ``year`` by attribute."""
    definition = {
        "nombre_del_tramite_y_o_servicio_relevante": name,
        "justificacion_de_la_seleccion_del_tramite_y_o_servicio": (
            "Masividad (volumen de transacciones)"
        ),
        "hito_de_inicio": "Ingreso de la solicitud",
        "hito_final": "Notificación de la resolución",
        "tiempo_esperado_para_la_gestion_del_servicio_relevante": 10,
        "periodo_de_tiempo_dias_habiles_dias_corridos_horas_minutos": "días hábiles",
    }
    figures = {
        "mean": 9.2,
        "median": 8,
        "minimum": 1,
        "maximum": 30,
        "handled_late": 120,
        "handled": 4500,
    }
    for key, value in cells.items():
        (figures if key in figures else definition)[key] = value
    return definition | _cells(PROCEDURES, code, year, figures)


def _cells(layout: Layout, code: Any, year: int, figures: dict[str, Any]) -> dict[str, Any]:
    cells = {"codigo_reporte": "R1", "codigo_interno_SCSEU": code, "nombre_institucion": "X"}
    for column in layout.figures:
        cells[f"{year}_{column.suffix}"] = figures[column.attribute]
    return cells
