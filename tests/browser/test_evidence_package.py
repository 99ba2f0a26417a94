"""A DIPRES analyst asks for an evidence package in Chromium, watches it get ready without
reloading the page (what is chosen in the form stays, and leaving it asks first), and
downloads a checked ZIP."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from pmg.core.permissions import Role
from tests.browser.accessibility import assert_accessible
from tests.browser.leaving import dialogs_on_leaving
from tests.browser.signing import sign_in
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
)
from tests.jobs import run_jobs

pytestmark = pytest.mark.browser


def test_an_analyst_asks_for_a_package_and_downloads_it_once_ready(page: Any) -> None:
    cycle = create_cycle(2026)
    for code in ("1306", "201"):
        create_submitted_diagnostic(create_institution(code), cycle)
    run_jobs()  # their PDFs
    sign_in(page, create_user(Role.DIPRES), "/")
    page.get_by_role("link", name="Paquetes de evidencia").click()
    expect(page.get_by_role("heading", name="Paquetes de evidencia", level=1)).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Tipo de envío").select_option(label="Diagnóstico de brechas")
    page.get_by_role("button", name="Pedir el paquete").click()
    expect(page.locator(".flash")).to_contain_text("Se pidió el paquete n.º 1.")
    row = page.locator('tr[data-paquete="1"]')
    expect(row).to_contain_text("En cola")
    expect(row).to_contain_text("Esperando su turno")
    page.get_by_label("Estado del envío").select_option(label="Enviado")  # chosen, not sent
    # Leaving with that choice asks first.
    cancel = page.get_by_role("button", name="Cancelar el paquete n.º 1")
    assert dialogs_on_leaving(page, cancel) == ["beforeunload"]
    expect(row).to_contain_text("En cola")  # not cancelled: the person stayed

    run_jobs()  # a worker's turn; the page finds out by itself
    download = page.get_by_role("link", name="Descargar el paquete n.º 1")
    expect(download).to_be_visible(timeout=15_000)
    expect(page.locator("#avisos-paquetes")).to_have_text("El paquete n.º 1 quedó «Listo».")
    expect(page.locator('tr[data-paquete="1"] progress')).to_have_attribute("value", "100")
    assert page.get_by_label("Estado del envío").input_value() == "submitted"
    assert_accessible(page)

    with page.expect_download() as downloading:
        download.click()
    with zipfile.ZipFile(Path(downloading.value.path())) as archive:
        assert archive.testzip() is None
        manifest = json.loads(archive.read("manifest.json"))
    files = [row["archivo"] for row in manifest["archivos"]]
    assert len(files) == 2 and all(re.search(r"/diagnostico_v1\.pdf$", name) for name in files)
