"""A DIPRES analyst reads the dashboard in Chromium, on a desktop and on a 390 px phone:
where the cycle stands, who is late, the table by ministry, from a count to the list it
counts, to an institution's trend, back to its place among its peers, and the cycle report;
nothing wider than the screen, and nothing axe finds."""

from __future__ import annotations

import re
from datetime import date, timedelta
from io import BytesIO
from typing import Any

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.indicators.models import ComplaintFigures
from pmg.institutions.models import Institution
from pmg.submissions.models import SubmissionKind
from pmg.submissions.operations import open_submission
from tests.browser.accessibility import assert_accessible, page_width
from tests.browser.signing import sign_in
from tests.factories import (
    create_cycle,
    create_institution,
    create_ministry,
    create_submitted_diagnostic,
    create_user,
    load_starting_catalog,
)
from tests.review.queue_data import approved

pytestmark = pytest.mark.browser


def test_a_dipres_analyst_reads_the_dashboard(screen_page: Any, monkeypatch: Any) -> None:
    page = screen_page
    today = date.today()
    monkeypatch.setattr("pmg.workspace.routes.chile_today", lambda: today)
    monkeypatch.setattr("pmg.dashboard.routes.chile_today", lambda: today)
    cycle = create_cycle()
    load_starting_catalog(cycle)
    health = create_ministry("MINISTERIO DE SALUD")
    education = create_ministry("MINISTERIO DE EDUCACIÓN")
    create_submitted_diagnostic(
        create_institution("1001", "SERVICIO DE SALUD ARICA", ministry=health), cycle
    )
    create_institution("1002", "SERVICIO DE SALUD IQUIQUE", ministry=health)
    superintendence = create_institution(
        "2001", "SUPERINTENDENCIA DE EDUCACIÓN", ministry=education
    )
    approved(
        create_submitted_diagnostic(superintendence, cycle).submission,
        create_user(Role.REVIEWER, name="Rosa Revisora"),
    )
    open_submission(
        create_institution("2002", "JUNTA DE JARDINES", ministry=education),
        cycle,
        SubmissionKind.DIAGNOSTIC,
    )
    cycle.diagnostic_end = today - timedelta(days=1)  # closed yesterday
    # Complaints answered, in the official history: IQUIQUE's two years, and the reference
    # year of the others.
    for code, year, answered in (
        ("1002", cycle.reference_year - 1, 70),
        ("1002", cycle.reference_year, 80),
        ("2001", cycle.reference_year, 95),
        ("2002", cycle.reference_year, 60),
    ):
        institution_id = db.session.scalar(select(Institution.id).where(Institution.code == code))
        db.session.add(
            ComplaintFigures(
                institution_id=institution_id, year=year, received=100, answered=answered
            )
        )
    db.session.commit()

    sign_in(page, create_user(Role.DIPRES), "/")
    expect(page.get_by_role("heading", name=f"Avance del ciclo {cycle.year}")).to_be_visible()
    expect(page.get_by_label("Ciclo", exact=True)).to_have_value(str(cycle.year))
    standings = page.get_by_role("table", name=re.compile("^Instituciones por estado"))
    expect(
        standings.get_by_role("row", name=re.compile("^Enviados al menos una vez"))
    ).to_contain_text("2 (50,0 %)")
    overdue = page.get_by_role("list", name=re.compile("^Diagnóstico de brechas: 2"))
    expect(overdue.get_by_role("listitem")).to_have_text(
        [
            re.compile(r"^JUNTA DE JARDINES .*Borrador: el plazo de envío venció"),
            re.compile(r"^SERVICIO DE SALUD IQUIQUE .*Sin iniciar: el plazo de envío venció"),
        ]
    )
    # Nothing on the page is wider than the screen: the wide tables scroll by themselves.
    assert page_width(page) <= page.viewport_size["width"]
    assert_accessible(page)

    by_ministry = page.get_by_role("table", name=re.compile("^Instituciones de cada ministerio"))
    by_ministry.get_by_role(
        "link", name="1 (Diagnóstico de brechas · MINISTERIO DE SALUD: atrasadas)"
    ).click()
    expect(page).to_have_url(
        re.compile(
            rf"/instituciones/\?ciclo={cycle.year}&ministerio={health.id}&atrasadas=diagnostico$"
        )
    )
    expect(page.get_by_role("link", name="SERVICIO DE SALUD ARICA")).to_have_count(0)

    # The institution's trend, from the list.
    page.get_by_role("link", name="SERVICIO DE SALUD IQUIQUE").click()
    trends = page.get_by_role("region", name="Indicadores a lo largo de los años")
    expect(trends.get_by_role("img", name=re.compile("^Reclamos respondidos"))).to_be_visible()
    trends.locator("summary").first.click()
    expect(trends.get_by_role("table", name=re.compile("^Reclamos respondidos"))).to_contain_text(
        "80,0"
    )
    assert_accessible(page)

    # Its place among its peers, on the dashboard, then the report with that filter.
    page.get_by_role("link", name=re.compile("^Ver su posición entre las instituciones")).click()
    expect(page.get_by_label("Institución (opcional)")).to_have_value("1002")
    expect(
        page.get_by_role(
            "heading", name="Posición entre sus pares: SERVICIO DE SALUD IQUIQUE (1002)"
        )
    ).to_be_visible()
    peers = page.get_by_role("table", name=re.compile("^Posición de SERVICIO DE SALUD IQUIQUE"))
    expect(peers.get_by_role("row", name=re.compile("^Todas las instituciones"))).to_contain_text(
        "3 de 4"
    )
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^Descargar el informe de avance")).click()
    assert download.value.suggested_filename.startswith(f"informe-avance-ciclo-{cycle.year}-")
    with open(download.value.path(), "rb") as pdf:
        pages = PdfReader(BytesIO(pdf.read())).pages
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in pages)
    assert f"Informe de avance del ciclo {cycle.year}" in text
    assert "SERVICIO DE SALUD IQUIQUE (1002)" in text
    assert "MINISTERIO DE SALUD" in text
