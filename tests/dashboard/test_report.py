"""The cycle report PDF: the dashboard's figures and charts, with the day and the filters,
for the Secretaría, DIPRES and the administration; recorded in the audit trail."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from pmg.audit.actions import AuditAction
from pmg.audit.models import AuditEntry
from pmg.core.permissions import Role
from pmg.dashboard.indicators import PANEL_MEASURES
from pmg.extensions import db
from pmg.indicators.models import ComplaintFigures, SaipFigures
from tests.dashboard.world import VIEW, World
from tests.factories import create_user

REPORT = "/panel/informe.pdf"


def text_of(data: bytes) -> str:
    pages = PdfReader(BytesIO(data)).pages
    return " ".join(" ".join((page.extract_text() or "").split()) for page in pages)


def with_history(world: World) -> None:
    """Complaint and SAIP figures of the reference year for four institutions."""
    year = world.cycle.reference_year
    for number, name in enumerate(("HOSPITAL A", "HOSPITAL B", "ESCUELA D", "ESCUELA F")):
        institution = world.institutions[name]
        answered = 60 + 10 * number
        db.session.add(
            ComplaintFigures(
                institution_id=institution.id,
                year=year,
                received=100,
                answered=answered,
                mean_days=5.0 + number,
                answered_over_20=number,
            )
        )
        db.session.add(
            SaipFigures(
                institution_id=institution.id,
                year=year,
                received=50,
                answered=50,
                mean_days=10.0 + number,
                answered_over_20=number * 2,
            )
        )
    db.session.commit()


def test_the_report_prints_the_dashboard_with_the_day_and_its_charts(
    world: World, client: FlaskClient, login_as: Any, viewed_on_view_day: None
) -> None:
    with_history(world)
    login_as(create_user(Role.DIPRES))
    response = client.get(f"{REPORT}?ciclo={world.cycle.year}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    disposition = response.headers["Content-Disposition"]
    assert f"informe-avance-ciclo-{world.cycle.year}-{VIEW.isoformat()}.pdf" in disposition
    text = text_of(response.data)
    assert f"Informe de avance del ciclo {world.cycle.year}" in text
    # The ministries, the stages, the reviewers and the late institutions, as on the page.
    for ministry in world.ministries.values():
        assert ministry.name in text
    for reviewer in ("Rosa Revisora", "Bruno Revisor", "Nadia Revisora"):
        assert reviewer in text
    assert "ESCUELA D" in text and "ESCUELA E" in text  # late with the diagnostic
    assert "Ninguna" in text  # no institution compared with its peers
    # Every measure's chart, with its data table (4 institutions with figures).
    for measure in PANEL_MEASURES:
        assert f"{measure.label} en {world.cycle.reference_year}" in text
    assert "Mediana" in text
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == AuditAction.EXPORT_CYCLE_REPORT.value)
    ).one()
    assert entry.after["cycle_year"] == world.cycle.year
    assert entry.after["date"] == VIEW.isoformat()


def test_an_institution_chosen_is_compared_with_its_peers(
    world: World, client: FlaskClient, login_as: Any, viewed_on_view_day: None
) -> None:
    with_history(world)
    code = world.institutions["HOSPITAL B"].code
    login_as(world.rosa)
    response = client.get(f"{REPORT}?ciclo={world.cycle.year}&institucion={code}")
    assert response.status_code == 200
    text = text_of(response.data)
    assert f"HOSPITAL B ({code})" in text
    assert "Posición de HOSPITAL B entre sus pares" in text
    assert "Ministerio: MINISTERIO DE SALUD" in text


@pytest.mark.parametrize(
    "query",
    ["ciclo=1999", "ciclo=99999999999999999999", "institucion=NO-EXISTE", "ciclo=dos-mil"],
)
def test_an_unknown_cycle_or_institution_is_not_found(
    world: World, client: FlaskClient, login_as: Any, query: str
) -> None:
    login_as(create_user(Role.ADMIN))
    assert client.get(f"{REPORT}?{query}").status_code == 404


def test_the_dashboard_links_the_report_with_its_filters(
    world: World, client: FlaskClient, login_as: Any, viewed_on_view_day: None
) -> None:
    code = world.institutions["HOSPITAL A"].code
    login_as(create_user(Role.DIPRES))
    html = client.get(f"/?ciclo={world.cycle.year}&institucion={code}").get_data(as_text=True)
    assert f"{REPORT}?ciclo={world.cycle.year}&amp;institucion={code}" in html
