"""Each indicator of an institution over the years, against its plan target: the charts of
«Indicadores a lo largo de los años» on the institution's page (:mod:`pmg.indicators.panels`).

The charts are built from loaded rows by plain functions (:func:`institution_trends`), which
take anything with the history's field names; :func:`load_trends` reads those rows with a
fixed number of queries, whatever the number of years, procedures or cycles.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pmg.core.charts import LineChart, Reference, Series
from pmg.indicators.measures import BY_KEY, Measure
from pmg.indicators.queries import stored_history
from pmg.institutions.models import Institution, Stage

COMPLAINT_MEASURES = ("reclamos_respondidos", "reclamos_fuera_de_plazo", "reclamos_tiempo_promedio")
SAIP_BANDS = ("saip_en_10_dias", "saip_en_15_dias", "saip_en_20_dias")
SAIP_MEASURES = ("saip_respondidas", "saip_fuera_de_plazo", "saip_tiempo_promedio")
SAIP_BANDS_TITLE = "SAIP respondidas en 10, 15 y 20 días hábiles o menos"
PROCEDURE_MEAN = "Tiempo promedio"
EXPECTED_TIME = "Tiempo esperado"
UNKNOWN_UNIT = "unidad no indicada"


@dataclass(frozen=True)
class TrendSection:
    """The charts of one part of the history (complaints, SAIP, procedures)."""

    # For the heading's id: ``tendencias-<key>``.
    key: str
    heading: str
    charts: tuple[LineChart, ...]


def plan_targets(targets: Iterable[Any]) -> dict[str, Reference]:
    """For each target the plan sets (an attribute of CycleTargets), the one of the latest
    cycle that sets it, as a reference line «Meta <cycle year>».

    ``targets``: CycleTargets rows, or anything with their attributes and ``cycle.year``.
    """
    references: dict[str, Reference] = {}
    names = {measure.target for measure in BY_KEY.values() if measure.target}
    for row in sorted(targets, key=lambda row: row.cycle.year, reverse=True):
        for name in names - references.keys():
            value = getattr(row, name, None)
            if value is not None:
                year = row.cycle.year
                references[name] = Reference(f"Meta {year}", float(value), f"plan del ciclo {year}")
    return references


def span(years: Iterable[int]) -> tuple[int, ...]:
    """Every year from the first to the last reported, so a year not reported shows as
    missing (``-``) instead of vanishing from the chart."""
    reported = set(years)
    return tuple(range(min(reported), max(reported) + 1)) if reported else ()


def measure_chart(
    measure: Measure, rows: Sequence[Any], targets: dict[str, Reference]
) -> LineChart | None:
    """``measure`` in each year of ``rows`` with its plan target; ``None`` when no year
    reports it (no chart without a value to show)."""
    return _chart(measure.label, measure.unit, rows, (measure,), targets)


def saip_bands_chart(rows: Sequence[Any]) -> LineChart | None:
    """The share of transparency requests answered within 10, 15 and 20 business days:
    one line each (the plan sets no target for them)."""
    bands = tuple(BY_KEY[key] for key in SAIP_BANDS)
    return _chart(SAIP_BANDS_TITLE, bands[0].unit, rows, bands, {})


def procedure_chart(procedure: Any) -> LineChart | None:
    """A procedure's mean time each year against its expected time, in its own unit."""
    by_year = {figures.year: figures.mean for figures in procedure.figures}
    if all(value is None for value in by_year.values()):
        return None
    years = span(by_year)
    if procedure.time_unit is not None:
        unit = procedure.time_unit.label
    else:
        unit = procedure.time_unit_text.strip() or UNKNOWN_UNIT
    references: tuple[Reference, ...] = ()
    if procedure.expected_time is not None:
        references = (Reference(EXPECTED_TIME, float(procedure.expected_time)),)
    return LineChart(
        title=f"{procedure.name}: tiempo promedio de gestión",
        unit=unit,
        categories=tuple(str(year) for year in years),
        series=(Series(PROCEDURE_MEAN, tuple(_float(by_year.get(year)) for year in years)),),
        references=references,
    )


def institution_trends(
    stage: Stage,
    complaints: Sequence[Any],
    saip: Sequence[Any],
    procedures: Sequence[Any],
    targets: Iterable[Any],
) -> tuple[TrendSection, ...]:
    """The sections that have something to show, in page order. An institution in stage
    SAIP commits only the transparency indicators: it has no complaints nor procedures
    sections, whatever its history holds."""
    references = plan_targets(targets)
    saip_charts = (
        saip_bands_chart(saip),
        *(measure_chart(BY_KEY[key], saip, references) for key in SAIP_MEASURES),
    )
    sections = [("saip", "Solicitudes de acceso a información pública (SAIP)", saip_charts)]
    if stage is not Stage.SAIP:
        complaint_charts = tuple(
            measure_chart(BY_KEY[key], complaints, references) for key in COMPLAINT_MEASURES
        )
        procedure_charts = tuple(procedure_chart(procedure) for procedure in procedures)
        sections = [
            ("reclamos", "Reclamos", complaint_charts),
            *sections,
            ("tramites", "Trámites y servicios relevantes", procedure_charts),
        ]
    shown = (
        TrendSection(key, heading, tuple(chart for chart in charts if chart is not None))
        for key, heading, charts in sections
    )
    return tuple(section for section in shown if section.charts)


def load_trends(institution: Institution) -> tuple[TrendSection, ...]:
    """:func:`institution_trends` of ``institution`` from its whole history: five queries
    (two in stage SAIP), whatever the number of years, procedures or cycles."""
    history = stored_history(institution.id, saip_only=institution.stage is Stage.SAIP)
    return institution_trends(
        institution.stage, history.complaints, history.saip, history.procedures, history.targets
    )


def _chart(
    title: str,
    unit: str,
    rows: Sequence[Any],
    measures: tuple[Measure, ...],
    targets: dict[str, Reference],
) -> LineChart | None:
    by_year = {row.year: row for row in rows}
    years = span(by_year)
    series = tuple(
        Series(measure.label, tuple(_value(measure, by_year.get(year)) for year in years))
        for measure in measures
    )
    if all(value is None for line in series for value in line.values):
        return None
    return LineChart(
        title=title,
        unit=unit,
        categories=tuple(str(year) for year in years),
        series=series,
        references=tuple(
            targets[measure.target]
            for measure in measures
            if measure.target is not None and measure.target in targets
        ),
    )


def _value(measure: Measure, row: Any) -> float | None:
    return None if row is None else measure.of(row)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)
