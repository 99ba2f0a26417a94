"""The reviewers' queue in Chromium, on a desktop and on a 390 px phone: a reviewer searches,
sorts by due date, goes to page 2, ticks two rows, confirms and sees both approved; the row
that cannot be approved says why."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest

from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.review.models import Outcome
from pmg.submissions.models import SubmissionState
from tests.browser.signing import sign_in
from tests.factories import create_cycle, create_user, load_starting_catalog, observe_one
from tests.review.queue_data import approved, submitted, taken

pytestmark = pytest.mark.browser
TODAY = date.today()
KIND = "diagnóstico de brechas"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"PMG_PAGE_SIZE": 3}


def test_a_reviewer_approves_two_rows_of_page_two(screen_page: Any, app: Any) -> None:
    page = screen_page
    cycle = create_cycle(
        review_end=TODAY + timedelta(days=40), correction_end=TODAY + timedelta(days=20)
    )
    load_starting_catalog(cycle)
    rosa = create_user(Role.REVIEWER, name="Rosa Revisora")
    bruno = create_user(Role.REVIEWER, name="Bruno Revisor")
    # By due date: the observed one first (corrections end sooner), then those in review in
    # the order they were made, the approved one (no date) last; three to a page.
    observe_one(submitted(cycle, "SERVICIO DE SALUD CONCEPCIÓN"), rosa)
    for name in ("ANTOFAGASTA", "BIOBÍO"):
        taken(submitted(cycle, f"SERVICIO DE SALUD {name}"), rosa, Outcome.MEETS)
    reloncavi = taken(submitted(cycle, "SERVICIO DE SALUD DEL RELONCAVÍ"), rosa, Outcome.MEETS)
    nuble = taken(submitted(cycle, "SERVICIO DE SALUD ÑUBLE"), rosa, Outcome.MEETS)
    aysen = taken(submitted(cycle, "SERVICIO DE SALUD AYSÉN"), rosa)
    taken(submitted(cycle, "SERVICIO DE SALUD MAULE"), bruno, Outcome.MEETS)
    approved(submitted(cycle, "SERVICIO DE SALUD ARAUCANÍA"), rosa)
    taken(submitted(cycle, "INSTITUTO DE PREVISIÓN SOCIAL"), rosa, Outcome.MEETS)

    sign_in(page, rosa, "/revision/")
    page.get_by_role("searchbox", name="Institución").fill("salúd")
    page.get_by_role("button", name="Buscar").click()
    assert "INSTITUTO DE PREVISIÓN SOCIAL" not in page.locator("table").inner_text()

    page.get_by_role("link", name=re.compile("^Vence")).click()
    sorted_by = page.locator("th[aria-sort]")
    assert sorted_by.inner_text().startswith("Vence")
    assert sorted_by.get_attribute("aria-sort") == "ascending"

    page.get_by_role("navigation", name="Paginación").get_by_role("link", name="2").click()
    main = page.locator("main")
    assert "Página 2 de 3" in main.inner_text()
    assert page.get_by_role("searchbox", name="Institución").input_value() == "salúd"
    assert page.locator("th[aria-sort]").inner_text().startswith("Vence")

    row = page.get_by_role("row", name=re.compile("SERVICIO DE SALUD AYSÉN"))
    assert "Tiene requisitos sin revisar: R01" in row.inner_text()
    assert row.get_by_role("checkbox").count() == 0
    page.get_by_role("checkbox", name=f"Marcar SERVICIO DE SALUD DEL RELONCAVÍ {KIND}").check()
    page.get_by_role("checkbox", name=f"Marcar SERVICIO DE SALUD ÑUBLE {KIND}").check()
    page.get_by_role("button", name="Aprobar los envíos marcados").click()

    page.get_by_role("heading", name="Se aprobarán 2 envíos:").wait_for()
    assert "SERVICIO DE SALUD DEL RELONCAVÍ · Diagnóstico de brechas" in main.inner_text()
    assert "SERVICIO DE SALUD ÑUBLE · Diagnóstico de brechas" in main.inner_text()
    page.get_by_role("button", name="Aprobar 2 envíos").click()

    page.get_by_text("Se aprobaron 2 envíos:").wait_for()
    assert "orden=vence" in page.url and "pagina=2" in page.url and "q=sal" in page.url
    db.session.expire_all()
    assert [s.state for s in (reloncavi, nuble, aysen)] == [
        SubmissionState.APPROVED,
        SubmissionState.APPROVED,
        SubmissionState.IN_REVIEW,
    ]
