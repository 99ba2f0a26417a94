"""Charts drawn on the server: the same chart gives the same bytes, a cached chart is not
drawn again, the numbers are in a table in es-CL, and the SVG refers to nothing outside."""

from __future__ import annotations

import base64
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import matplotlib
import pytest

from pmg.core import charts
from pmg.core.charts import (
    Histogram,
    LineChart,
    Reference,
    Series,
    Table,
    decimal_text,
    histogram_edges,
    median_of,
    tick_text,
)

XMLNS = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')


def complaints_chart(**changes: Any) -> LineChart:
    values: dict[str, Any] = {
        "title": "Reclamos respondidos",
        "unit": "%",
        "categories": ("2022", "2023", "2024"),
        "series": (Series("Reclamos respondidos", (88.25, None, 95.5)),),
        "references": (Reference("Meta 2026", 97.5, "plan del ciclo 2026"),),
    }
    values.update(changes)
    return LineChart(**values)


def distribution() -> Histogram:
    values = (1.0, 5.0, 50.0, 75.0, 99.0, 100.0)
    return Histogram(
        "SAIP respondidas en 2024",
        "%",
        values,
        histogram_edges(values, bins=4),
        (Reference("Mediana", 62.5), Reference("Esta institución", 75.0)),
    )


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    clear_caches()


def clear_caches() -> None:
    charts._svg.cache_clear()
    charts._inline_svg.cache_clear()
    charts._data_uri.cache_clear()


@pytest.fixture
def drawings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The titles of the charts drawn, in order."""
    drawn: list[str] = []
    for kind in (LineChart, Histogram):
        original = kind.draw

        def draw(chart: Any, axes: Any, original: Any = original) -> None:
            drawn.append(chart.title)
            original(chart, axes)

        monkeypatch.setattr(kind, "draw", draw)
    return drawn


@pytest.mark.parametrize("make", [complaints_chart, distribution])
def test_the_same_chart_gives_the_same_bytes(make: Any) -> None:
    first = make().svg
    clear_caches()
    assert make().svg == first
    clear_caches()
    assert base64.b64decode(make().data_uri.split(",", 1)[1]).decode() == charts._svg(make())


def test_a_chart_shown_before_is_not_drawn_again(drawings: list[str]) -> None:
    shown = [complaints_chart().svg, complaints_chart().data_uri, complaints_chart().svg]
    assert shown[0] == shown[2]
    assert drawings == ["Reclamos respondidos"]
    assert complaints_chart(references=()).svg != shown[0]
    assert drawings == ["Reclamos respondidos", "Reclamos respondidos"]


def test_charts_drawn_at_once_by_several_threads_are_those_drawn_one_by_one() -> None:
    made = [complaints_chart(title=f"Gráfico {number}") for number in range(6)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        together = list(pool.map(lambda chart: chart.svg, made))
    clear_caches()
    assert [chart.svg for chart in made] == together


def test_drawing_changes_no_global_setting_of_matplotlib() -> None:
    before = dict(matplotlib.rcParams)
    assert complaints_chart().svg
    assert dict(matplotlib.rcParams) == before


def test_the_line_charts_table_has_every_year_and_each_reference_with_its_cycle() -> None:
    chart = LineChart(
        "SAIP respondidas en 10, 15 y 20 días hábiles o menos",
        "%",
        ("2023", "2024"),
        (
            Series("10 días", (31.25, None)),
            Series("15 días", (56.25, 100.0)),
        ),
        (Reference("Plazo legal", 20),),
    )
    assert chart.table == Table(
        "SAIP respondidas en 10, 15 y 20 días hábiles o menos (%)",
        ("Año", "10 días", "15 días"),
        (("2023", "31,3", "56,3"), ("2024", "-", "100,0"), ("Plazo legal", "20,0", "20,0")),
    )
    assert complaints_chart().table.rows[-1] == ("Meta 2026 (plan del ciclo 2026)", "97,5")


def test_the_histograms_table_counts_each_interval() -> None:
    chart = distribution()
    assert chart.edges == (0.0, 25.0, 50.0, 75.0, 100.0)
    assert chart.table == Table(
        "SAIP respondidas en 2024 (%)",
        ("%", "Instituciones"),
        (
            ("0,0 a 25,0", "2"),
            ("25,0 a 50,0", "0"),
            ("50,0 a 75,0", "1"),
            ("75,0 a 100,0", "3"),
            ("Mediana", "62,5"),
            ("Esta institución", "75,0"),
        ),
    )
    assert median_of([3.0, 1.0, 2.0]) == 2.0
    assert median_of([]) is None


@pytest.mark.parametrize("make", [complaints_chart, distribution])
def test_the_svg_refers_to_nothing_outside_itself(make: Any) -> None:
    svg = make().svg
    assert svg.startswith("<svg ")
    outside = XMLNS.sub("", svg)
    assert not re.findall(r"https?://", outside)
    assert "<script" not in svg
    assert not re.search(r"\son\w+=", svg)  # no event handler
    assert "<image" not in svg and "@import" not in svg and "<metadata" not in svg
    assert {reference[:2] for reference in re.findall(r"url\(([^)]*)\)", svg)} <= {"#c"}
    assert {link[0] for link in re.findall(r'href="([^"]*)"', svg)} <= {"#"}


def test_charts_inline_in_one_document_share_no_id() -> None:
    made = (complaints_chart(), distribution())
    ids = [set(re.findall(r' id="([^"]+)"', chart.svg)) for chart in made]
    assert ids[0] and ids[1] and not ids[0] & ids[1]
    # Every reference points to an id of its own chart.
    svg = complaints_chart().svg
    referred = set(re.findall(r'href="#([^"]+)"', svg)) | set(re.findall(r"url\(#([^)]+)\)", svg))
    assert referred <= ids[0]


def test_the_svg_is_titled_and_writes_numbers_in_es_cl() -> None:
    chart = LineChart(
        "Tiempo de <gestión>",
        "minutos",
        ("2022", "2023"),
        (Series("Tiempo promedio", (1_250.0, 2_100.0)),),
        (Reference("Tiempo esperado", 1_500.25),),
    )
    svg = chart.svg
    assert "<title>Tiempo de &lt;gestión&gt;</title>" in svg
    # Glyphs are paths; matplotlib notes each text in a comment beside them.
    texts = re.findall(r"<!-- (.*?) -->", svg)
    assert "Tiempo esperado: 1.500,3" in texts
    assert {"1.000", "2.000"} <= set(texts)
    assert (
        chart.description
        == "Tiempo de <gestión>. Los datos están en la tabla que sigue al gráfico."
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "0"),
        (-0.0, "0"),
        (20.0, "20"),
        (1_500.0, "1.500"),
        (12.5, "12,5"),
        (0.25, "0,25"),
        (2_000_000.0, "2.000.000"),
        (-2.5, "-2,5"),
    ],
)
def test_ticks_in_es_cl(value: float, text: str) -> None:
    assert tick_text(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, "-"), (31.25, "31,3"), (8.25, "8,3"), (0.05, "0,1"), (1_234.56, "1.234,6"), (7, "7,0")],
)
def test_values_in_es_cl_rounded_half_up(value: float | None, text: str) -> None:
    assert decimal_text(value) == text
