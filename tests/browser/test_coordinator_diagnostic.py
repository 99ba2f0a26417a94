"""A coordinator fills, saves, checks and submits a diagnostic, is told its PDF is being
prepared, and downloads it once a worker stored it."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from pmg.core.permissions import Role
from pmg.exports.documents.models import StoredPdf
from pmg.exports.documents.stored import pdf_files
from pmg.extensions import db
from pmg.institutions.models import MesuCommitment
from tests.factories import (
    PASSWORD,
    create_cycle,
    create_institution,
    create_user,
    diagnostic_draft,
)
from tests.jobs import run_jobs

pytestmark = pytest.mark.browser

# Figures as typed, analysis texts left out: they go in text areas below the table.
FIGURES = {
    section: {name: text for name, text in values.items() if name != "analysis"}
    for section, values in diagnostic_draft().items()
    if section in ("complaints", "saip")
}


def fill(page, field_id: str, value: str) -> None:  # type: ignore[no-untyped-def]
    page.locator(f"#{field_id}").fill(value)


def add_row(page, section: str, label: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name=f"Agregar {label}").click()
    page.wait_for_load_state()


def fill_procedure(page, index: int, name: str) -> None:  # type: ignore[no-untyped-def]
    prefix = f"procedures-{index}"
    fill(page, f"{prefix}-name", name)
    page.select_option(f"#{prefix}-justification", label="Masividad (volumen de transacciones)")
    fill(page, f"{prefix}-start_milestone", "Ingreso de la solicitud")
    fill(page, f"{prefix}-end_milestone", "Notificación al usuario")
    fill(page, f"{prefix}-expected_time", "10")
    page.select_option(f"#{prefix}-time_unit", label="días hábiles")
    for field, value in (
        ("mean", "9,5"),
        ("median", "8"),
        ("minimum", "1"),
        ("maximum", "30"),
        ("handled_late", "120"),
        ("handled", "4.500"),
    ):
        fill(page, f"{prefix}-{field}", value)


def fill_gap(page, index: int, description: str, priority: str) -> None:  # type: ignore[no-untyped-def]
    prefix = f"gaps-{index}"
    page.select_option(f"#{prefix}-dimension", label="Reclamos")
    fill(page, f"{prefix}-description", description)
    fill(page, f"{prefix}-current_value", "7,2 %")
    fill(page, f"{prefix}-expected_value", "5 %")
    fill(page, f"{prefix}-causes", "Dotación insuficiente en temporada alta")
    page.select_option(f"#{prefix}-priority", label=priority)


def test_coordinator_fills_submits_and_downloads_the_pdf(page) -> None:  # type: ignore[no-untyped-def]
    institution = create_institution("1306", "COMISION NACIONAL DE RIEGO", mesu=MesuCommitment.NO)
    create_cycle(2026)
    coordinator = create_user(Role.COORDINATOR, institutions=[institution])

    page.goto("/instituciones/1306/diagnostico")
    page.get_by_label("Correo electrónico").fill(coordinator.email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    page.get_by_role("heading", name="Diagnóstico de brechas 2026").wait_for()

    fill(page, "responsible-name", "María González")
    fill(page, "responsible-position", "Jefa de Atención Ciudadana")
    fill(page, "responsible-email", "mgonzalez@cnr.gob.cl")
    fill(page, "responsible-team", "Pedro Soto, Planificación")
    for section, values in FIGURES.items():
        for field, value in values.items():
            fill(page, f"{section}-{field}", value)
    fill(page, "complaints-received", "mil doscientos")  # an error, kept as typed

    add_row(page, "procedures", "trámite")
    fill_procedure(page, 0, "Solicitud de bono de riego")
    add_row(page, "procedures", "trámite")
    fill_procedure(page, 1, "Inscripción en registro de obras")
    add_row(page, "channels", "canal")
    page.select_option("#channels-0-kind", label="Presencial")
    fill(page, "channels-0-description", "Oficinas regionales")
    fill(page, "channels-0-volume", "12.000")
    add_row(page, "gaps", "brecha")
    fill_gap(page, 0, "Reclamos respondidos fuera de plazo", "Alta")
    add_row(page, "gaps", "brecha")
    fill_gap(page, 1, "Baja respuesta por canal digital", "Media")

    page.get_by_role("button", name="Guardar borrador").click()
    alert = page.get_by_role("alert")
    assert "por corregir" in alert.inner_text()
    assert page.locator("#complaints-received").input_value() == "mil doscientos"
    assert page.locator("#procedures-1-name").input_value() == "Inscripción en registro de obras"
    assert page.locator("#gaps-1-description").input_value() == "Baja respuesta por canal digital"
    assert "Escriba un número" in page.locator("#complaints-received-error").inner_text()

    fill(page, "complaints-received", "1.150")  # fewer received than answered: a warning
    page.get_by_role("button", name="Guardar borrador").click()
    page.get_by_role("button", name="Revisar y enviar").click()
    assert "Errores (0)" in page.locator("main").inner_text()
    warnings = page.get_by_role("region", name=re.compile("Advertencias"))
    assert "Se informan más reclamos respondidos que recibidos" in warnings.inner_text()

    page.get_by_role("button", name="Enviar diagnóstico de brechas").click()
    confirmation = page.get_by_role("region", name="Qué pasará al confirmar").inner_text()
    assert "Se enviará la versión 1 del diagnóstico de brechas" in confirmation
    assert "No podrá editarlo mientras esté en revisión" in confirmation
    page.get_by_role("button", name="Confirmar envío").click()
    page.get_by_role("heading", name=re.compile("Versión 1")).wait_for()
    assert "Se envió la versión 1." in page.locator("main").inner_text()
    page.get_by_text("Integridad", exact=True).click()  # the hash sits in its disclosure
    shown_hash = page.locator("details.integrity code.hash").inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", shown_hash)

    download = page.get_by_role("link", name=re.compile("Descargar PDF")).first
    assert "se está preparando" in page.locator("#pdf-estado").inner_text()
    assert download.get_attribute("aria-describedby") == "pdf-estado"
    assert run_jobs() == ["pmg.exports.documents.stored.store_current_pdf"]  # a worker's turn
    page.reload()
    assert page.locator("#pdf-estado").count() == 0

    with page.expect_download() as download_info:
        download.click()
    pdf = download_info.value
    data = Path(pdf.path()).read_bytes()
    [stored] = db.session.scalars(select(StoredPdf)).all()
    assert data == pdf_files.read(stored.stored_name)  # as the worker stored it
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(data)).pages).replace("\n", "")
    assert shown_hash in text
    assert "Solicitud de bono de riego" in text
