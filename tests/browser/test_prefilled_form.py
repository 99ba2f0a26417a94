"""A coordinator finds the reference year's imported figures in the diagnostic, changes
one, saves, and sees the imported value beside it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from pmg.core.permissions import Role
from tests.browser.signing import sign_in
from tests.factories import create_cycle, create_institution, create_user
from tests.submissions.prefill_history import PROCEDURE_FIGURES, add_figures, add_procedure

pytestmark = pytest.mark.browser

FORM = "/instituciones/1306/diagnostico"
DAYS_HINT = "En días hábiles. Use coma para decimales."


def test_coordinator_changes_a_prefilled_figure_and_sees_the_imported_one(
    page: Any, app: Any
) -> None:
    institution = create_institution("1306", "COMISION NACIONAL DE RIEGO")
    create_cycle(2026)
    add_figures(institution, 2025)
    add_procedure(institution, "Certificado de antecedentes", {2025: PROCEDURE_FIGURES})
    coordinator = create_user(Role.COORDINATOR, institutions=[institution])

    sign_in(page, coordinator, FORM)
    page.get_by_role("heading", name=re.compile("Diagnóstico de brechas")).wait_for()
    complaints = page.get_by_role("region", name="Reclamos")
    expect(complaints).to_contain_text("vienen del consolidado oficial del año 2025")
    received = page.locator("#complaints-received")
    mean = page.locator("#complaints-mean_days")
    expect(received).to_have_value("1.250")
    expect(received).to_have_accessible_description("Dato del consolidado oficial")
    expect(mean).to_have_value("7,5")
    expect(page.locator("#procedures-0-name")).to_have_value("Certificado de antecedentes")

    mean.fill("8")
    page.get_by_role("button", name="Guardar borrador").click()
    page.wait_for_load_state()

    expect(page.get_by_text(re.compile("^Se guardó el borrador"))).to_be_visible()
    expect(mean).to_have_value("8")
    expect(mean).to_have_accessible_description(f"{DAYS_HINT} Valor del consolidado oficial: 7,5")
    expect(received).to_have_accessible_description("Dato del consolidado oficial")
