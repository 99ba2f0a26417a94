"""A coordinator with an indicator history finds gaps suggested in the diagnostic, accepts one
after typing elsewhere (both kept), and dismisses another."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from pmg.core.permissions import Role
from tests.browser.accessibility import assert_accessible
from tests.browser.signing import sign_in
from tests.factories import create_cycle, create_institution, create_user
from tests.submissions.prefill_history import add_figures, add_targets

pytestmark = pytest.mark.browser

FORM = "/instituciones/1306/diagnostico"
ANSWERED = (
    "En 2025 respondió el 96,0 % de los reclamos; su meta del ciclo 2026 era 99,0 %."
)
LATE_SAIP = "SAIP respondidas en más de 20 días hábiles"


def test_coordinator_accepts_one_suggested_gap_and_dismisses_another(page: Any, app: Any) -> None:
    institution = create_institution("1306", "COMISION NACIONAL DE RIEGO")
    cycle = create_cycle(2026)
    add_figures(institution, 2024)
    add_figures(institution, 2025)  # pre-filled: 1.200 of 1.250 complaints answered
    add_targets(institution, cycle, complaints_answered_pct=99.0)
    coordinator = create_user(Role.COORDINATOR, institutions=[institution])

    sign_in(page, coordinator, FORM)
    page.get_by_role("heading", name=re.compile("Diagnóstico de brechas")).wait_for()
    suggested = page.get_by_role("group", name="Brechas sugeridas")
    answered = suggested.get_by_role("listitem").filter(has_text="Reclamos respondidos")
    expect(answered).to_contain_text(ANSWERED)
    assert_accessible(page)

    page.get_by_label("Nombre de la persona responsable").fill("Rosa Fuentes")
    answered.get_by_role("button", name="Agregar a las brechas").click()
    page.wait_for_load_state()

    expect(page.get_by_text(re.compile("^Se agregó la brecha sugerida"))).to_be_visible()
    expect(page.locator("#responsible-name")).to_have_value("Rosa Fuentes")
    gap = page.get_by_role("group", name="Brecha 1")
    expect(gap.get_by_label("Dimensión")).to_have_value("reclamos")
    expect(gap.get_by_label("Descripción de la brecha")).to_have_value(ANSWERED)
    expect(gap.get_by_label("Valor actual")).to_have_value("96,0 %")
    expect(gap.get_by_label("Valor esperado")).to_have_value("99,0 %")
    expect(gap.get_by_label("Causas")).to_have_value("")
    expect(suggested).not_to_contain_text("Reclamos respondidos")

    late = suggested.get_by_role("listitem").filter(has_text=LATE_SAIP)
    late.get_by_role("button", name="Descartar").click()
    page.wait_for_load_state()

    expect(page.get_by_text(re.compile("^Se descartó la brecha sugerida"))).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text=LATE_SAIP)).to_have_count(0)
    expect(page.get_by_role("group", name="Brecha 1")).to_be_visible()
    expect(page.get_by_role("group", name="Brecha 2")).to_have_count(0)
    assert_accessible(page)
