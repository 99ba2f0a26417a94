"""On a desktop and on a 390 px screen: a coordinator with observations sees the decision,
follows an observation to its field and finds it beside the input; the indicator and plan
tables keep each input's year or column in view; a submission they can no longer edit
reads as a document with its PDF one click away."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from pmg.core.permissions import Role
from pmg.cycles.queries import current_cycle
from pmg.extensions import db
from tests.browser.accessibility import page_width
from tests.browser.signing import sign_in
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
    diagnostic_draft,
    load_starting_catalog,
    observe,
    with_gap_keys,
)
from tests.submissions.prefill_history import add_figures
from tests.submissions.test_record import approve

pytestmark = pytest.mark.browser

FORM = "/instituciones/1306/diagnostico"
NOTES = {
    "R01": ("responsible.team", "Nombre a cada integrante del equipo y su unidad."),
    "R03": ("complaints.received", "Los reclamos recibidos no cuadran con el informe anual."),
    "R06": ("gaps.brecha-2.causes", "Explique las causas de la brecha 2."),
}


def _world() -> tuple[Any, Any]:
    """Institution 1306 with two years of history before 2025 and its coordinator, in the
    cycle 2026 with its catalog. Returns (institution, coordinator)."""
    institution = create_institution("1306", "COMISION NACIONAL DE RIEGO")
    cycle = create_cycle(2026)
    load_starting_catalog(cycle)
    add_figures(institution, 2023, received=980)
    add_figures(institution, 2024, received=1100)
    coordinator = create_user(Role.COORDINATOR, institutions=[institution])
    return institution, coordinator


def _submitted(institution: Any, coordinator: Any) -> Any:
    """The diagnostic of 1306, its gaps with keys, submitted; returns the version."""
    draft = with_gap_keys(diagnostic_draft())
    return create_submitted_diagnostic(institution, current_cycle(), coordinator, draft)


@pytest.fixture
def observed(app: Any) -> dict[str, Any]:
    institution, coordinator = _world()
    submission = _submitted(institution, coordinator).submission
    reviewer = create_user(Role.REVIEWER, name="Rosa Revisora")
    observations = observe(submission, reviewer, {code: text for code, (_, text) in NOTES.items()})
    ids = {}
    for observation in observations:
        observation.path = NOTES[observation.requirement.code][0]
        ids[observation.requirement.code] = observation.id
    db.session.commit()
    return {"coordinator": coordinator, "ids": ids}


def test_the_coordinator_follows_each_observation_to_its_field(
    screen_page: Any, observed: dict[str, Any]
) -> None:
    page, ids = screen_page, observed["ids"]
    sign_in(page, observed["coordinator"], FORM)
    panel = page.get_by_role("region", name="Observaciones de la revisión")
    expect(panel).to_be_in_viewport()
    expect(panel).to_contain_text("Con observaciones")
    expect(panel).to_contain_text("Hay requisitos por corregir.")
    expect(panel).to_contain_text("Rosa Revisora")

    # From the panel to the field of one row: the observation is beside its input.
    article = page.locator(f"#observacion-{ids['R06']}")
    article.get_by_role("link", name="Brecha 2 · Causas").click()
    expect(page).to_have_url(re.compile(f"#observacion-{ids['R06']}-nota$"))
    causes = page.locator("#gaps-1-causes")
    expect(causes).to_be_in_viewport()
    expect(page.locator(f"#observacion-{ids['R06']}-nota")).to_be_in_viewport()
    expect(causes).to_have_accessible_description(
        re.compile("Observación de la revisión \\(R06\\): Explique las causas de la brecha 2.")
    )

    # As the home page links to it: the observation, then on to its figure in the table.
    page.goto(f"{FORM}#observacion-{ids['R03']}")
    article = page.locator(f"#observacion-{ids['R03']}")
    expect(article).to_be_in_viewport()
    article.get_by_role("link", name="Reclamos · Reclamos recibidos en el año").click()
    received = page.locator("#complaints-received")
    expect(received).to_be_in_viewport()
    expect(received).to_have_accessible_description(
        re.compile("Los reclamos recibidos no cuadran con el informe anual.")
    )
    # Back to the answer box, one link away.
    page.locator(f"#observacion-{ids['R03']}-nota + a").click()
    expect(page.get_by_label("Respuesta a R03")).to_be_in_viewport()


def _near_above(label: Any, target: Any, distance: float) -> None:
    """``label`` is shown at most ``distance`` px above ``target``, over the same column."""
    expect(label).to_be_visible()
    shown, box = label.bounding_box(), target.bounding_box()
    assert 0 <= box["y"] - (shown["y"] + shown["height"]) <= distance, (shown, box)
    assert shown["x"] < box["x"] + box["width"] and box["x"] < shown["x"] + shown["width"]


def test_each_indicator_input_keeps_its_year_in_view(screen_page: Any, app: Any) -> None:
    page = screen_page
    _, coordinator = _world()
    sign_in(page, coordinator, FORM)
    answered = page.locator("#complaints-answered")
    answered.scroll_into_view_if_needed()
    table = page.get_by_role("table", name=re.compile("^Reclamos"))
    if page.viewport_size["width"] <= 390:
        # Each row stacks: every cell shows its year above its value or input.
        row = page.locator("#complaints-answered-fila")
        _near_above(row.locator("td.reference .cell-label"), answered, 16)
        expect(row.locator("td.reference .cell-label")).to_have_text("2025 (año de referencia)")
        year = row.locator("td", has=page.locator(".cell-label", has_text="2023"))
        expect(year).to_have_text(re.compile(r"^2023\s*1\.200$"))
        expect(year.locator(".cell-label")).to_be_visible()
        assert page_width(page) <= 390
    else:
        header = table.get_by_role("columnheader", name="2025 (año de referencia)")
        expect(header).to_be_visible()
        header_box, box = header.bounding_box(), answered.bounding_box()
        assert header_box["x"] <= box["x"] < header_box["x"] + header_box["width"]
        expect(page.locator(".cell-label").first).to_be_hidden()
    # Either way the year is the input's column header for a screen reader.
    expect(table.get_by_role("columnheader", name="2024")).to_have_count(1)


def test_each_plan_target_keeps_its_column_in_view(screen_page: Any, app: Any) -> None:
    page = screen_page
    institution, coordinator = _world()
    _submitted(institution, coordinator)
    sign_in(page, coordinator, "/instituciones/1306/plan")
    target = page.locator("#procedure_targets-1-on_time_pct")
    target.scroll_into_view_if_needed()
    if page.viewport_size["width"] <= 390:
        row = page.locator("tr", has=target)
        _near_above(row.locator("td.reference .cell-label"), target, 16)
        expect(row.locator("td.reference .cell-label")).to_have_text("Meta (%)")
        expect(row.locator("td.num .cell-label")).to_have_text(
            "Gestionadas dentro del plazo en 2025"
        )
        expect(row.locator("th")).to_have_text("Trámite de prueba 2")
        assert page_width(page) <= 390
        # The action bar stays one short row.
        assert page.locator(".form-actions").bounding_box()["height"] <= 64
    else:
        expect(page.get_by_role("columnheader", name="Meta (%)")).to_be_visible()


def test_an_approved_diagnostic_reads_as_a_document(screen_page: Any, app: Any) -> None:
    page = screen_page
    institution, coordinator = _world()
    approve(_submitted(institution, coordinator).submission, "Cumple cada requisito.")

    sign_in(page, coordinator, FORM)
    state = page.get_by_role("region", name="Estado: Aprobado")
    expect(state).to_be_in_viewport()
    expect(state).to_contain_text("La revisión aprobó la versión 1")
    expect(state).to_contain_text("Cumple cada requisito.")
    expect(page.get_by_role("textbox")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Pedro Soto, Planificación")
    pdf = page.get_by_role("link", name="Descargar PDF de la versión 1")
    expect(pdf).to_be_in_viewport()
    with page.expect_download() as download:
        pdf.click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
