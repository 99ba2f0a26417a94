"""A coordinator's home page in Chromium, on a desktop and on a 390 px screen: it says what
to do next and leads to the observation to answer on the form."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from pmg.core.filters import format_date
from pmg.core.permissions import Role
from tests.browser.accessibility import page_width
from tests.browser.signing import sign_in
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
    load_starting_catalog,
    observe,
)

pytestmark = pytest.mark.browser


def test_coordinator_follows_the_next_step_to_the_observation(screen_page: Any) -> None:
    page = screen_page
    cycle = create_cycle()
    load_starting_catalog(cycle)
    institution = create_institution("1306", "COMISION NACIONAL DE RIEGO")
    coordinator = create_user(Role.COORDINATOR, institutions=[institution])
    submission = create_submitted_diagnostic(institution, cycle, coordinator).submission
    _, second = observe(
        submission,
        create_user(Role.REVIEWER),
        {"R01": "Nombre a la persona responsable.", "R06": "Explique las causas de cada brecha."},
    )
    due = format_date(submission.correction_deadline)

    sign_in(page, coordinator, "/")
    card = page.get_by_role("region", name="COMISION NACIONAL DE RIEGO")
    expect(card.locator(".next-step")).to_have_text(
        f"Próximo paso: Responda 2 observaciones del diagnóstico de brechas antes del {due}. "
        "Responder las observaciones del diagnóstico de brechas"
    )
    steps = card.get_by_role("list", name=re.compile("^Avance de COMISION NACIONAL DE RIEGO"))
    expect(steps.locator('[aria-current="step"]')).to_have_text(
        re.compile(r"Diagnóstico:\s*En curso · Con observaciones, versión 1")
    )
    # Nothing on the home page is wider than the screen.
    assert page_width(page) <= page.viewport_size["width"]
    card.get_by_role("link", name=re.compile(r"^R06 · ")).click()

    expect(page).to_have_url(
        re.compile(rf"/instituciones/1306/diagnostico#observacion-{second.id}$")
    )
    target = page.locator(f"#observacion-{second.id}")
    expect(target).to_contain_text("Explique las causas de cada brecha.")
    expect(target).to_be_in_viewport()
