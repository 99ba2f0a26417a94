"""The dashboard's indicator panel: each institution's value (its diagnostic over the history),
the distribution with its median, an institution among its peers, unknown choices, the
cache and a fixed number of queries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask, current_app, render_template
from playwright.sync_api import expect
from sqlalchemy import select

from pmg.core.permissions import Role
from pmg.cycles.models import Cycle
from pmg.dashboard.indicator_values import EXTENSION, cycle_values
from pmg.dashboard.indicators import PANEL_MEASURES, PeerStanding, indicator_panel
from pmg.extensions import db
from pmg.indicators.measures import BY_KEY
from pmg.indicators.models import ComplaintFigures, SaipFigures
from pmg.indicators.peers import place_among
from pmg.institutions.models import Institution, Stage
from pmg.institutions.operations import update_institution
from tests.browser.accessibility import assert_accessible
from tests.browser.signing import sign_in
from tests.exports.queries import counting_queries
from tests.factories import (
    create_cycle,
    create_institution,
    create_ministry,
    create_submitted_diagnostic,
    create_user,
    diagnostic_draft,
    load_starting_catalog,
    resubmit,
)

ANSWERED = BY_KEY["reclamos_respondidos"]
MEAN_DAYS = BY_KEY["reclamos_tiempo_promedio"]
SAIP_LATE = BY_KEY["saip_fuera_de_plazo"]


def complaints(
    received: int | None, answered: int, mean_days: float, over_20: int
) -> dict[str, Any]:
    return {
        "received": received,
        "answered": answered,
        "mean_days": mean_days,
        "answered_over_20": over_20,
    }


def typed_complaints(received: str, answered: str, mean_days: str, over_20: str) -> dict[str, str]:
    """A diagnostic's complaints section as a coordinator types it."""
    return {
        "received": received,
        "answered": answered,
        "mean_days": mean_days,
        "median_days": "3",
        "min_days": "1",
        "max_days": "30",
        "answered_over_20": over_20,
        "analysis": "",
    }


@dataclass
class World:
    cycle: Cycle
    riego: Institution
    indap: Institution
    sag: Institution
    dipres: Institution


def build_world() -> World:
    """Cycle 2026 (reference year 2025); four active institutions in two ministries and one
    inactive. riego: history and a diagnostic (96 % answered, 8,5 days); indap: history
    only (75 %, 15 days); sag: history and two diagnostic versions, the latest 50 %, 4
    days; dipres: history only (100 %, 3 days)."""
    cycle = create_cycle(2026)
    load_starting_catalog(cycle)
    agriculture = create_ministry("MINISTERIO DE AGRICULTURA")
    finance = create_ministry("MINISTERIO DE HACIENDA")
    riego = create_institution("1306", "COMISION NACIONAL DE RIEGO", ministry=agriculture)
    indap = create_institution("1302", "INSTITUTO DE DESARROLLO AGROPECUARIO", ministry=agriculture)
    sag = create_institution(
        "1303", "SERVICIO AGRICOLA Y GANADERO", ministry=agriculture, stage=Stage.STAGE_2
    )
    dipres = create_institution("1501", "DIRECCION DE PRESUPUESTOS", ministry=finance)
    gone = create_institution("1599", "SERVICIO SUPRIMIDO", ministry=finance)
    gone.active = False
    history = {
        riego: complaints(200, 180, 10.0, 18),  # replaced by its diagnostic
        indap: complaints(400, 300, 15.0, 60),
        sag: complaints(None, 100, 20.0, 50),  # replaced by its diagnostic
        dipres: complaints(10, 10, 3.0, 0),
        gone: complaints(10, 1, 90.0, 1),  # inactive: no peer
    }
    for institution, figures in history.items():
        db.session.add(ComplaintFigures(institution=institution, year=2025, **figures))
    # Another year: never counted.
    db.session.add(ComplaintFigures(institution=indap, year=2024, **complaints(10, 1, 99.0, 1)))
    db.session.add(
        SaipFigures(
            institution=indap,
            year=2025,
            received=50,
            answered=50,
            mean_days=9.0,
            answered_over_20=5,
        )
    )
    db.session.commit()
    create_submitted_diagnostic(riego, cycle)  # diagnostic_draft: 1.200 of 1.250, 90 late, 8,5
    coordinator = create_user(Role.COORDINATOR, institutions=[sag])
    first = create_submitted_diagnostic(
        sag,
        cycle,
        coordinator,
        diagnostic_draft(complaints=typed_complaints("100", "100", "2", "0")),
    )
    resubmit(
        first.submission,
        diagnostic_draft(complaints=typed_complaints("100", "50", "4", "5")),
        coordinator,
    )
    return World(cycle, riego, indap, sag, dipres)


@pytest.fixture
def world(app: Flask) -> World:
    return build_world()


def test_values_take_the_latest_diagnostic_over_the_history_of_the_reference_year(
    world: World,
) -> None:
    values = cycle_values(world.cycle)

    riego, indap, sag, dipres = (i.id for i in (world.riego, world.indap, world.sag, world.dipres))
    assert values.values["reclamos_respondidos"] == {
        riego: 96.0,
        indap: 75.0,
        sag: 50.0,
        dipres: 100.0,
    }
    assert values.values["reclamos_fuera_de_plazo"] == {
        riego: 7.5,
        indap: 20.0,
        sag: 10.0,
        dipres: 0.0,
    }
    assert values.values["reclamos_tiempo_promedio"] == {
        riego: 8.5,
        indap: 15.0,
        sag: 4.0,
        dipres: 3.0,
    }
    # diagnostic_draft's SAIP: 16 of 16, 2 late, 12,4 days; indap's history: 5 of 50 late.
    assert values.values["saip_respondidas"] == {riego: 100.0, indap: 100.0, sag: 100.0}
    assert values.values["saip_fuera_de_plazo"] == {riego: 12.5, indap: 10.0, sag: 12.5}
    assert values.values["saip_tiempo_promedio"] == {riego: 12.4, indap: 9.0, sag: 12.4}
    assert values.diagnosed == {riego: {"complaints", "saip"}, sag: {"complaints", "saip"}}


def test_panel_shows_the_distribution_with_its_median_and_the_first_measure_by_default(
    world: World,
) -> None:
    panel = indicator_panel(world.cycle, None, None)

    assert panel.measure is PANEL_MEASURES[0] is ANSWERED
    assert (panel.measure_error, panel.institution, panel.institution_error) == (None, None, None)
    assert panel.view.count == 4
    assert panel.view.median == 85.5  # of 50, 75, 96 and 100
    assert panel.view.standings == ()
    chart = panel.view.chart
    assert chart is not None
    assert chart.values == (50.0, 75.0, 96.0, 100.0)
    assert chart.table.header == ("%", "Instituciones")
    assert chart.table.rows == (
        ("0,0 a 10,0", "0"),
        ("10,0 a 20,0", "0"),
        ("20,0 a 30,0", "0"),
        ("30,0 a 40,0", "0"),
        ("40,0 a 50,0", "0"),
        ("50,0 a 60,0", "1"),
        ("60,0 a 70,0", "0"),
        ("70,0 a 80,0", "1"),
        ("80,0 a 90,0", "0"),
        ("90,0 a 100,0", "2"),
        ("Mediana", "85,5"),
    )


def test_panel_places_an_institution_among_all_its_ministry_and_its_stage(world: World) -> None:
    panel = indicator_panel(world.cycle, "reclamos_tiempo_promedio", " comisión nacional de RIEGO ")

    assert panel.institution is not None and panel.institution.code == "1306"
    assert panel.from_diagnostic
    assert panel.view.value == 8.5
    # riego 8,5 · indap 15 · sag 4 · dipres 3: independently grouped here.
    assert panel.view.standings == (
        PeerStanding("Todas las instituciones", place_among(MEAN_DAYS, 8.5, [8.5, 15.0, 4.0, 3.0])),
        PeerStanding(
            "Ministerio: MINISTERIO DE AGRICULTURA", place_among(MEAN_DAYS, 8.5, [8.5, 15.0, 4.0])
        ),
        PeerStanding("Etapa: Etapa 3", place_among(MEAN_DAYS, 8.5, [8.5, 15.0, 3.0])),
    )
    everyone = panel.view.standings[0].placement
    assert (everyone.rank, everyone.count, everyone.quartile) == (3, 4, 3)
    chart = panel.view.chart
    assert chart is not None
    assert chart.table.rows[-2:] == (
        ("Mediana", "6,3"),  # 6,25 rounded half up, as the official files round
        ("COMISION NACIONAL DE RIEGO (1306)", "8,5"),
    )


def test_panel_says_where_an_institution_value_comes_from_and_when_it_has_none(
    world: World,
) -> None:
    from_history = indicator_panel(world.cycle, "saip_fuera_de_plazo", "1302")
    without = indicator_panel(world.cycle, "saip_fuera_de_plazo", "1501")

    assert (from_history.from_diagnostic, from_history.view.value) == (False, 10.0)
    assert [s.placement.count for s in from_history.view.standings] == [3, 3, 2]
    assert without.institution is not None and without.institution.id == world.dipres.id
    assert (without.view.value, without.view.standings) == (None, ())
    assert without.view.count == 3


@pytest.mark.parametrize(
    ("measure", "typed", "measure_error", "institution_error"),
    [
        ("no_existe", "", "Ese indicador no está en la lista", None),
        ("12345678901234567890", None, "Ese indicador no está en la lista", None),
        ("saip_en_10_dias", "", "Ese indicador no está en la lista", None),  # not on the panel
        ("", "12345678901234567890", None, "«12345678901234567890»"),
        (None, "ñ" * 10_000, None, f"«{'ñ' * 60}…»"),
        ("reclamos_respondidos", "1599", None, "«1599»"),  # inactive
    ],
)
def test_unknown_choices_get_a_message_at_their_field_and_the_default(
    world: World,
    measure: str | None,
    typed: str | None,
    measure_error: str | None,
    institution_error: str | None,
) -> None:
    panel = indicator_panel(world.cycle, measure, typed)

    assert panel.measure is ANSWERED
    assert panel.institution is None
    if measure_error is None:
        assert panel.measure_error is None
    else:
        assert panel.measure_error is not None and measure_error in panel.measure_error
    if institution_error is None:
        assert panel.institution_error is None
    else:
        assert panel.institution_error is not None and institution_error in panel.institution_error
    assert len(panel.typed) <= 300


def test_only_what_changed_is_read_again(world: World) -> None:
    before = cycle_values(world.cycle)
    with counting_queries() as unchanged:
        assert cycle_values(world.cycle) is before
    assert len(unchanged) == 1

    create_submitted_diagnostic(
        world.indap,
        world.cycle,
        draft=diagnostic_draft(complaints=typed_complaints("10", "9", "5", "0")),
    )
    world.cycle.year  # noqa: B018 - loaded again after the commit, before counting
    with counting_queries() as new_version:
        after_diagnostic = cycle_values(world.cycle)
    # The fingerprint, the latest versions, and the one version not read before.
    assert len(new_version) == 3
    assert after_diagnostic.roster is before.roster
    assert after_diagnostic.values["reclamos_respondidos"][world.indap.id] == 90.0
    assert after_diagnostic.diagnosed[world.indap.id] == {"complaints", "saip"}

    finance = create_ministry("MINISTERIO DE HACIENDA")
    update_institution(world.indap, ministry=finance)  # in place, audited
    db.session.commit()
    panel = indicator_panel(world.cycle, None, "1302")
    assert panel.view.standings[1] == PeerStanding(
        "Ministerio: MINISTERIO DE HACIENDA", place_among(ANSWERED, 90.0, [90.0, 100.0])
    )


def _statements_of_a_cold_and_a_warm_panel(cycle_id: int) -> tuple[int, int]:
    db.session.expire_all()
    cycle = db.session.get(Cycle, cycle_id)
    assert cycle is not None
    cycle.year  # noqa: B018 - loaded before counting
    current_app.extensions.pop(EXTENSION, None)
    with counting_queries() as cold:
        indicator_panel(cycle, "reclamos_respondidos", "1306")
    with counting_queries() as warm:
        indicator_panel(cycle, "saip_respondidas", "1306")
    return len(cold), len(warm)


def test_the_number_of_queries_does_not_grow_with_the_data(world: World) -> None:
    small = _statements_of_a_cold_and_a_warm_panel(world.cycle.id)

    ministry = create_ministry("MINISTERIO DEL INTERIOR")
    for number in range(30):
        institution = create_institution(f"40{number:02d}", ministry=ministry)
        db.session.add(
            ComplaintFigures(institution=institution, year=2025, **complaints(50, number, 7.0, 1))
        )
        db.session.add(SaipFigures(institution=institution, year=2025, received=9, answered=9))
        if number % 10 == 0:
            create_submitted_diagnostic(institution, world.cycle)
    db.session.commit()
    larger = _statements_of_a_cold_and_a_warm_panel(world.cycle.id)

    assert small == larger == (6, 1)


def render(panel: Any) -> str:
    with current_app.test_request_context("/?ciclo=2026"):
        return render_template("dashboard/_indicators.html", indicators=panel)


def test_partial_shows_the_choices_the_chart_and_the_peer_table(world: World) -> None:
    html = render(indicator_panel(world.cycle, "reclamos_tiempo_promedio", "1306"))

    assert '<input type="hidden" name="ciclo" value="2026">' in html
    assert '<option value="reclamos_tiempo_promedio" selected>' in html
    assert 'id="institucion" name="institucion" value="1306"' in html
    # No list of every institution: the page weighs the same whatever their number.
    assert "<datalist" not in html and "INSTITUTO DE DESARROLLO AGROPECUARIO" not in html
    assert 'src="data:image/svg+xml;base64,' in html
    assert (
        "<caption>Tiempo promedio de respuesta de reclamos en 2025: instituciones por tramo" in html
    )
    rows = re.findall(
        r"<tr>\s*<th scope=\"row\">([^<]+)</th>\s*((?:<td[^>]*>[^<]*</td>\s*)+)</tr>", html
    )
    cells = {head: re.findall(r"<td[^>]*>([^<]*)</td>", tail) for head, tail in rows}
    assert cells["Todas las instituciones"] == ["4", "3 de 4", "3.º", "6,3"]
    assert cells["Ministerio: MINISTERIO DE AGRICULTURA"] == ["3", "2 de 3", "—", "8,5"]
    assert cells["Etapa: Etapa 3"] == ["3", "2 de 3", "—", "8,5"]
    assert "según su diagnóstico enviado" in html
    assert "aria-invalid" not in html


def test_partial_shows_unknown_choices_at_their_fields_and_escapes_names(app: Flask) -> None:
    cycle = create_cycle(2026)
    create_institution("7001", "SERVICIO <B> & CIA")

    html = render(indicator_panel(cycle, "x" * 50, "<script>"))
    chosen = render(indicator_panel(cycle, None, "7001"))

    assert '<p class="field-error" id="indicador-error">' in html
    assert 'aria-invalid="true" aria-describedby="indicador-error"' in html
    assert '<p class="field-error" id="institucion-error">' in html
    assert 'aria-describedby="institucion-ayuda institucion-error"' in html
    assert "SERVICIO &lt;B&gt; &amp; CIA (7001)" in chosen
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Ninguna institución tiene dato de «Reclamos respondidos» para 2025." in html


def test_inactive_and_other_years_never_count(world: World) -> None:
    gone = db.session.scalar(select(Institution).where(Institution.code == "1599"))
    assert gone is not None
    values = cycle_values(world.cycle)
    assert gone.id not in values.roster.institutions
    assert all(gone.id not in found for found in values.values.values())
    assert values.values["reclamos_tiempo_promedio"][world.indap.id] == 15.0  # not 2024's 99
    assert SAIP_LATE.key in values.values


@pytest.mark.browser
def test_a_dipres_analyst_places_an_institution_among_its_peers(screen_page: Any) -> None:
    page = screen_page
    world = build_world()

    sign_in(page, create_user(Role.DIPRES), "/")
    panel = page.get_by_role("region", name="Indicadores de las instituciones en 2025")
    panel.get_by_label("Indicador", exact=True).select_option(
        label="Tiempo promedio de respuesta de reclamos"
    )
    panel.get_by_label("Institución (opcional)").fill("1306")
    panel.get_by_role("button", name="Mostrar").click()

    expect(page).to_have_url(
        re.compile(
            rf"/\?ciclo={world.cycle.year}&indicador=reclamos_tiempo_promedio"
            r"&institucion=1306#indicadores$"
        )
    )
    expect(panel.get_by_label("Indicador", exact=True)).to_have_value("reclamos_tiempo_promedio")
    chart = panel.get_by_role(
        "img",
        name="Tiempo promedio de respuesta de reclamos en 2025: instituciones por tramo. "
        "Los datos están en la tabla que sigue al gráfico.",
    )
    expect(chart).to_be_visible()
    assert chart.evaluate("image => image.complete && image.naturalWidth > 0")
    table = panel.get_by_role("table", name=re.compile("^Posición de COMISION NACIONAL DE RIEGO"))
    cells = [row.split("\t") for row in table.locator("tr").all_inner_texts()]
    assert cells == [
        ["Pares", "Instituciones con dato", "Lugar", "Cuartil", "Mediana de los pares"],
        ["Todas las instituciones", "4", "3 de 4", "3.º", "6,3"],
        ["Ministerio: MINISTERIO DE AGRICULTURA", "3", "2 de 3", "—", "8,5"],
        ["Etapa: Etapa 3", "3", "2 de 3", "—", "8,5"],
    ]
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert_accessible(page)

    panel.get_by_label("Institución (opcional)").fill("no existe")
    panel.get_by_role("button", name="Mostrar").click()
    expect(panel.get_by_label("Institución (opcional)")).to_have_accessible_description(
        re.compile("No hay una institución vigente con el código o nombre «no existe»")
    )
    assert_accessible(page)
