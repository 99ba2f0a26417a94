"""An institution's indicators over the years against its plan targets: the charts' data
from history rows (plain objects), the loader's fixed number of queries, and the page."""

from __future__ import annotations

import html
import re
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pmg.core.charts import LineChart
from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.indicators.models import (
    ComplaintFigures,
    CycleTargets,
    Procedure,
    ProcedureFigures,
    SaipFigures,
    TimeUnit,
)
from pmg.indicators.trends import TrendSection, institution_trends, load_trends
from pmg.institutions.models import Institution, Stage
from tests.exports.queries import counting_queries
from tests.factories import create_cycle, create_institution, create_user

TARGETS = (
    "complaints_answered_pct",
    "complaints_late_pct",
    "complaints_mean_days",
    "saip_answered_pct",
    "saip_late_pct",
    "saip_mean_days",
)


def complaints(year: int, received: Any, answered: Any, over_20: Any, mean: Any) -> Any:
    return SimpleNamespace(
        year=year, received=received, answered=answered, answered_over_20=over_20, mean_days=mean
    )


def saip(
    year: int,
    received: Any,
    answered: Any,
    bands: tuple[Any, Any, Any, Any] = (None, None, None, None),
    mean: Any = None,
) -> Any:
    within_10, within_15, within_20, over_20 = bands
    return SimpleNamespace(
        year=year,
        received=received,
        answered=answered,
        answered_within_10=within_10,
        answered_within_15=within_15,
        answered_within_20=within_20,
        answered_over_20=over_20,
        mean_days=mean,
    )


def procedure(
    name: str,
    means: dict[int, float | None],
    *,
    unit: TimeUnit | None = TimeUnit.BUSINESS_DAYS,
    unit_text: str = "",
    expected: float | None = 10,
) -> Any:
    return SimpleNamespace(
        name=name,
        time_unit=unit,
        time_unit_text=unit_text,
        expected_time=expected,
        figures=[SimpleNamespace(year=year, mean=mean) for year, mean in means.items()],
    )


def targets(cycle_year: int, **values: float) -> Any:
    return SimpleNamespace(
        cycle=SimpleNamespace(year=cycle_year), **{name: values.get(name) for name in TARGETS}
    )


def trends(
    complaint_rows: tuple[Any, ...] = (),
    saip_rows: tuple[Any, ...] = (),
    procedures: tuple[Any, ...] = (),
    cycle_targets: tuple[Any, ...] = (),
    stage: Stage = Stage.STAGE_2,
) -> tuple[TrendSection, ...]:
    return institution_trends(stage, complaint_rows, saip_rows, procedures, cycle_targets)


def charts(sections: tuple[TrendSection, ...]) -> dict[str, LineChart]:
    return {chart.title: chart for section in sections for chart in section.charts}


def rows(chart: LineChart) -> list[tuple[str, ...]]:
    return list(chart.table.rows)


# --- The charts' data, from plain rows ---------------------------------------------------


def test_complaints_each_year_as_the_official_files_compute_it() -> None:
    found = charts(
        trends(
            complaint_rows=(
                complaints(2023, 1_250, 1_200, 90, 8.25),
                complaints(2022, 16, 16, 5, 7),
            )
        )
    )
    assert list(found) == [
        "Reclamos respondidos",
        "Reclamos respondidos en más de 20 días hábiles",
        "Tiempo promedio de respuesta de reclamos",
    ]
    answered = found["Reclamos respondidos"]
    assert answered.table.caption == "Reclamos respondidos (%)"
    assert answered.table.header == ("Año", "Reclamos respondidos")
    assert rows(answered) == [("2022", "100,0"), ("2023", "96,0")]
    # 5 of 16 is 31.3 (half up, as Excel's ROUND), not 31.2.
    assert rows(found["Reclamos respondidos en más de 20 días hábiles"]) == [
        ("2022", "31,3"),
        ("2023", "7,5"),
    ]
    mean = found["Tiempo promedio de respuesta de reclamos"]
    assert mean.unit == "días hábiles"
    assert rows(mean) == [("2022", "7,0"), ("2023", "8,3")]


def test_a_year_not_reported_and_a_value_not_computable_are_dashes() -> None:
    found = charts(
        trends(
            complaint_rows=(
                complaints(2021, 100, 90, 9, 5),
                # No complaints received: no percentage (the files write '-').
                complaints(2024, 0, 0, 0, None),
            )
        )
    )
    assert rows(found["Reclamos respondidos"]) == [
        ("2021", "90,0"),
        ("2022", "-"),
        ("2023", "-"),
        ("2024", "-"),
    ]
    assert rows(found["Tiempo promedio de respuesta de reclamos"])[-1] == ("2024", "-")


def test_each_target_is_the_latest_cycles_that_sets_it() -> None:
    found = charts(
        trends(
            complaint_rows=(complaints(2024, 100, 95, 4, 6.5),),
            cycle_targets=(
                targets(2025, complaints_answered_pct=95, complaints_late_pct=5),
                targets(2026, complaints_answered_pct=97.5),
                targets(2024, complaints_mean_days=12, complaints_late_pct=8),
            ),
        )
    )
    answered = found["Reclamos respondidos"]
    assert rows(answered) == [("2024", "95,0"), ("Meta 2026 (plan del ciclo 2026)", "97,5")]
    assert [(r.label, r.value) for r in answered.references] == [("Meta 2026", 97.5)]
    assert rows(found["Reclamos respondidos en más de 20 días hábiles"])[-1] == (
        "Meta 2025 (plan del ciclo 2025)",
        "5,0",
    )
    assert rows(found["Tiempo promedio de respuesta de reclamos"])[-1] == (
        "Meta 2024 (plan del ciclo 2024)",
        "12,0",
    )


def test_a_measure_without_a_target_has_no_reference() -> None:
    found = charts(trends(complaint_rows=(complaints(2024, 100, 95, 4, 6.5),)))
    assert all(chart.references == () for chart in found.values())
    assert rows(found["Tiempo promedio de respuesta de reclamos"]) == [("2024", "6,5")]


def test_saip_bands_are_one_chart_of_three_series_and_the_others_carry_their_targets() -> None:
    found = charts(
        trends(
            saip_rows=(
                saip(2023, 20, 16, (5, 9, 14, 2), mean=12.4),
                saip(2024, 10, 10, (10, 10, 10, 0), mean=3),
            ),
            cycle_targets=(targets(2026, saip_answered_pct=100, saip_mean_days=10.5),),
        )
    )
    assert list(found) == [
        "SAIP respondidas en 10, 15 y 20 días hábiles o menos",
        "SAIP respondidas",
        "SAIP respondidas en más de 20 días hábiles",
        "Tiempo promedio de respuesta de SAIP",
    ]
    bands = found["SAIP respondidas en 10, 15 y 20 días hábiles o menos"]
    assert bands.table.header == (
        "Año",
        "SAIP respondidas en 10 días hábiles o menos",
        "SAIP respondidas en 15 días hábiles o menos",
        "SAIP respondidas en 20 días hábiles o menos",
    )
    assert rows(bands) == [("2023", "31,3", "56,3", "87,5"), ("2024", "100,0", "100,0", "100,0")]
    assert bands.references == ()
    assert rows(found["SAIP respondidas"]) == [
        ("2023", "80,0"),
        ("2024", "100,0"),
        ("Meta 2026 (plan del ciclo 2026)", "100,0"),
    ]
    assert rows(found["SAIP respondidas en más de 20 días hábiles"]) == [
        ("2023", "12,5"),
        ("2024", "0,0"),
    ]
    assert rows(found["Tiempo promedio de respuesta de SAIP"]) == [
        ("2023", "12,4"),
        ("2024", "3,0"),
        ("Meta 2026 (plan del ciclo 2026)", "10,5"),
    ]


def test_an_institution_in_stage_saip_shows_only_saip() -> None:
    sections = trends(
        complaint_rows=(complaints(2024, 100, 95, 4, 6.5),),
        saip_rows=(saip(2024, 10, 10, (10, 10, 10, 0)),),
        procedures=(procedure("Permiso", {2024: 3}),),
        cycle_targets=(targets(2026, complaints_answered_pct=97),),
        stage=Stage.SAIP,
    )
    assert [(section.key, section.heading) for section in sections] == [
        ("saip", "Solicitudes de acceso a información pública (SAIP)")
    ]


def test_sections_in_page_order() -> None:
    sections = trends(
        complaint_rows=(complaints(2024, 100, 95, 4, 6.5),),
        saip_rows=(saip(2024, 10, 10, (10, 10, 10, 0)),),
        procedures=(procedure("Permiso", {2024: 3}),),
    )
    assert [section.key for section in sections] == ["reclamos", "saip", "tramites"]


@pytest.mark.parametrize(
    ("unit", "unit_text", "shown"),
    [
        (TimeUnit.BUSINESS_DAYS, "día hábil", "días hábiles"),
        (TimeUnit.CALENDAR_DAYS, "", "días corridos"),
        (TimeUnit.HOURS, "hrs", "horas"),
        (TimeUnit.MINUTES, "", "minutos"),
        (None, "semanas", "semanas"),
        (None, "  ", "unidad no indicada"),
    ],
)
def test_a_procedure_is_charted_in_its_own_unit(
    unit: TimeUnit | None, unit_text: str, shown: str
) -> None:
    (section,) = trends(
        procedures=(procedure("Permiso", {2024: 3}, unit=unit, unit_text=unit_text),)
    )
    (chart,) = section.charts
    assert chart.unit == shown
    assert chart.table.caption == f"Permiso: tiempo promedio de gestión ({shown})"


def test_each_procedure_against_its_expected_time() -> None:
    (section,) = trends(
        procedures=(
            procedure(
                "Licencia de pesca",
                {2024: 1_250.5, 2022: 1_800},
                unit=TimeUnit.MINUTES,
                expected=1_500,
            ),
            procedure("Subsidio", {2023: 12, 2024: None}, expected=None),
            # Nothing reported in any year: no chart.
            procedure("Registro", {2023: None}),
            procedure("Certificado", {}),
        )
    )
    assert section.heading == "Trámites y servicios relevantes"
    fishing, subsidy = section.charts
    assert fishing.table.header == ("Año", "Tiempo promedio")
    assert rows(fishing) == [
        ("2022", "1.800,0"),
        ("2023", "-"),
        ("2024", "1.250,5"),
        ("Tiempo esperado", "1.500,0"),
    ]
    assert rows(subsidy) == [("2023", "12,0"), ("2024", "-")]


def test_no_history_gives_no_section() -> None:
    assert trends(cycle_targets=(targets(2026, complaints_answered_pct=97),)) == ()


def test_a_chart_with_no_reported_value_is_left_out() -> None:
    sections = trends(
        complaint_rows=(complaints(2023, None, None, None, None),),
        saip_rows=(saip(2023, 10, 8, mean=None),),
        cycle_targets=(targets(2026, saip_mean_days=10),),
    )
    assert [section.key for section in sections] == ["saip"]
    assert list(charts(sections)) == ["SAIP respondidas"]


# --- Loading from the database -----------------------------------------------------------


def store_history(institution: Institution, years: range, procedures: int) -> None:
    """``years`` of every section, ``procedures`` procedures, and targets for two cycles."""
    for year in years:
        db.session.add_all(
            [
                ComplaintFigures(
                    institution=institution,
                    year=year,
                    received=200,
                    answered=190,
                    answered_over_20=19,
                    mean_days=8.5 + year - years[0],
                ),
                SaipFigures(
                    institution=institution,
                    year=year,
                    received=16,
                    answered=16,
                    answered_within_10=5,
                    answered_within_15=9,
                    answered_within_20=14,
                    answered_over_20=2,
                    mean_days=12.4,
                ),
            ]
        )
    for number in range(procedures):
        db.session.add(
            Procedure(
                institution=institution,
                name=f"Trámite {number + 1}",
                expected_time=10,
                time_unit=TimeUnit.HOURS,
                figures=[ProcedureFigures(year=year, mean=9.5 + number) for year in years],
            )
        )
    for year, answered in ((2025, 95.0), (2026, 97.5)):
        cycle = create_cycle(year, current=year == 2026)
        db.session.add(
            CycleTargets(
                institution=institution,
                cycle=cycle,
                complaints_answered_pct=answered,
                saip_mean_days=10.0 if year == 2025 else None,
            )
        )
    db.session.commit()


@pytest.mark.parametrize(("stage", "queries"), [(Stage.STAGE_2, 5), (Stage.SAIP, 2)])
def test_loading_takes_the_same_queries_whatever_the_years_and_procedures(
    app: Flask, stage: Stage, queries: int
) -> None:
    small = create_institution(stage=stage)
    large = create_institution(stage=stage)
    store_history(small, range(2024, 2025), procedures=1)
    for year in range(2018, 2025):
        db.session.add(ComplaintFigures(institution=large, year=year, received=1, answered=1))
        db.session.add(SaipFigures(institution=large, year=year, received=1, answered=1))
    for number in range(6):
        db.session.add(
            Procedure(
                institution=large,
                name=f"Trámite {number}",
                figures=[ProcedureFigures(year=year, mean=1) for year in range(2018, 2025)],
            )
        )
    db.session.commit()
    counts = []
    for institution in (small, large):
        db.session.expire_all()
        assert institution.stage is stage  # loaded, as the page has it
        with counting_queries() as seen:
            load_trends(institution)
        counts.append(len(seen))
    assert counts == [queries, queries]


def test_loaded_history_gives_its_charts(app: Flask) -> None:
    institution = create_institution()
    store_history(institution, range(2022, 2025), procedures=2)
    db.session.expire_all()
    found = charts(load_trends(institution))
    assert rows(found["Reclamos respondidos"]) == [
        ("2022", "95,0"),
        ("2023", "95,0"),
        ("2024", "95,0"),
        ("Meta 2026 (plan del ciclo 2026)", "97,5"),
    ]
    assert rows(found["Tiempo promedio de respuesta de SAIP"])[-1] == (
        "Meta 2025 (plan del ciclo 2025)",
        "10,0",
    )
    assert found["Trámite 2: tiempo promedio de gestión"].unit == "horas"


# --- The institution's page --------------------------------------------------------------


def table_rows(body: str, caption: str) -> list[list[str]]:
    """The rows of the data table with ``caption`` on the page, as text."""
    start = body.index(f"<caption>{html.escape(caption, quote=False)}</caption>")
    table = body[start : body.index("</table>", start)]
    return [
        [
            html.unescape(re.sub(r"<[^>]+>", "", cell))
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    ]


def test_the_page_shows_each_charts_numbers(client: FlaskClient, login_as: Any) -> None:
    institution = create_institution("1306", "COMISION NACIONAL DE RIEGO")
    store_history(institution, range(2023, 2025), procedures=1)
    login_as(create_user(Role.DIPRES))
    body = client.get("/instituciones/1306").get_data(as_text=True)
    assert '<h2 id="tendencias">Indicadores a lo largo de los años</h2>' in body
    assert body.index('<h2 id="envios">') < body.index('<h2 id="tendencias">')
    assert table_rows(body, "Reclamos respondidos en más de 20 días hábiles (%)") == [
        ["Año", "Reclamos respondidos en más de 20 días hábiles"],
        ["2023", "10,0"],
        ["2024", "10,0"],
    ]
    assert table_rows(body, "Tiempo promedio de respuesta de reclamos (días hábiles)") == [
        ["Año", "Tiempo promedio de respuesta de reclamos"],
        ["2023", "8,5"],
        ["2024", "9,5"],
    ]
    assert table_rows(body, "Reclamos respondidos (%)")[-1] == [
        "Meta 2026 (plan del ciclo 2026)",
        "97,5",
    ]
    assert table_rows(body, "Trámite 1: tiempo promedio de gestión (horas)") == [
        ["Año", "Tiempo promedio"],
        ["2023", "9,5"],
        ["2024", "9,5"],
        ["Tiempo esperado", "10,0"],
    ]
    assert body.count('<img class="chart-drawing" src="data:image/svg+xml;base64,') == 8


def test_a_page_without_history_says_so(client: FlaskClient, login_as: Any) -> None:
    create_institution("1306")
    login_as(create_user(Role.REVIEWER))
    body = client.get("/instituciones/1306").get_data(as_text=True)
    assert "Esta institución aún no tiene historial de indicadores." in body
    assert "chart-drawing" not in body


def test_a_coordinator_gets_no_chart_of_another_institution(
    client: FlaskClient, login_as: Any
) -> None:
    other = create_institution("1306", "COMISION NACIONAL DE RIEGO")
    store_history(other, range(2023, 2025), procedures=1)
    login_as(create_user(Role.COORDINATOR, institutions=[create_institution("2101")]))
    response = client.get("/instituciones/1306")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "chart" not in body
    assert "Reclamos respondidos" not in body
    assert "COMISION NACIONAL DE RIEGO" not in body
    # Its own page has its own (empty) history.
    assert "aún no tiene historial" in client.get("/instituciones/2101").get_data(as_text=True)
