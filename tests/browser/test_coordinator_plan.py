"""A coordinator builds a plan over the submitted diagnostic, evidences it and submits it."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from pmg.core.permissions import Role
from tests.factories import (
    PASSWORD,
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
)

pytestmark = pytest.mark.browser

# The smallest well-formed PDF: a header, one empty page and a trailer.
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def fill_action(page, index: int, gap: int) -> None:  # type: ignore[no-untyped-def]
    prefix = f"#actions-{index}"
    page.locator(f"{prefix}-description").fill(f"Acción {index + 1}: reforzar la OIRS")
    page.locator(f"{prefix}-gaps-{gap - 1}").check()
    page.locator(f"{prefix}-owner_unit").fill("Departamento de Atención Ciudadana")
    page.locator(f"{prefix}-owner_person").fill("María González")
    page.locator(f"{prefix}-start_date").fill("2026-03-01")
    page.locator(f"{prefix}-end_date").fill("2026-09-30")
    page.locator(f"{prefix}-indicator").fill("Porcentaje de reclamos respondidos en plazo")
    page.locator(f"{prefix}-target_value").fill("95")
    page.locator(f"{prefix}-target_unit").fill("%")
    page.locator(f"{prefix}-verification").fill("Informe trimestral")


def test_coordinator_builds_evidences_and_submits_a_plan(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    institution = create_institution("1306", "COMISION NACIONAL DE RIEGO")
    cycle = create_cycle(2026)
    coordinator = create_user(Role.COORDINATOR, institutions=[institution])
    create_submitted_diagnostic(institution, cycle, coordinator)  # gaps B1 (alta), B2 (media)

    page.goto("/instituciones/1306/plan")
    page.get_by_label("Correo electrónico").fill(coordinator.email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    page.get_by_role("heading", name="Plan de mejora 2026").wait_for()

    for index in range(3):
        page.get_by_role("button", name="Agregar acción").click()
        page.wait_for_load_state()
        fill_action(page, index, gap=2)  # every action on B2: B1 (high) stays uncovered
    page.get_by_role("button", name="Guardar borrador").click()
    page.get_by_role("heading", name="Plan de mejora 2026").wait_for()

    evidence = tmp_path / "informe de avance.pdf"
    evidence.write_bytes(MINIMAL_PDF)
    panel = page.get_by_role("region", name="Medios de verificación")
    panel.get_by_label("Archivo").set_input_files(str(evidence))
    panel.get_by_label("Adjuntar a").select_option(label="Acción 1: Acción 1: reforzar la OIRS")
    panel.get_by_role("button", name="Adjuntar archivo").click()
    page.get_by_role("region", name="Medios de verificación").wait_for()
    assert (
        "informe de avance.pdf"
        in page.get_by_role("region", name="Medios de verificación").inner_text()
    )

    page.get_by_role("button", name="Revisar y enviar").click()
    errors = page.get_by_role("region", name=re.compile("Errores"))
    assert "Sin acción: B1 · Brecha de prueba 1 (alta)." in errors.inner_text()
    errors.get_by_role("link").first.click()

    page.locator("#actions-0-gaps-0").check()
    page.get_by_role("button", name="Guardar borrador").click()
    page.get_by_role("button", name="Revisar y enviar").click()
    assert "Errores (0)" in page.locator("main").inner_text()
    page.get_by_role("button", name="Enviar plan de mejora").click()
    assert "Se enviará la versión 1 del plan de mejora" in page.locator("main").inner_text()
    page.get_by_role("button", name="Confirmar envío").click()
    page.get_by_role("heading", name=re.compile("Versión 1")).wait_for()
    shown_hash = page.locator("code.hash").first.inner_text().strip()

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Descargar PDF")).first.click()
    data = Path(download_info.value.path()).read_bytes()
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(data)).pages).replace("\n", " ")
    assert shown_hash in text.replace(" ", "")
    assert "informe de avance.pdf" in text
    assert "Acción 3: reforzar la OIRS" in text
