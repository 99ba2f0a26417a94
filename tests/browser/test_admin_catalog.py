"""An administrator imports the official catalog through the page and finds an institution."""

from __future__ import annotations

import re

import pytest

from pmg.core.permissions import Role
from tests.factories import PASSWORD, create_user
from tests.institutions.workbooks import REAL_CATALOG

pytestmark = pytest.mark.browser


def test_admin_imports_the_catalog_and_finds_an_institution(page) -> None:  # type: ignore[no-untyped-def]
    admin = create_user(Role.ADMIN, email="admin@modernizacion.gob.cl")

    page.goto("/")
    page.get_by_label("Correo electrónico").fill(admin.email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    page.get_by_role("heading", name=re.compile("Bienvenido")).wait_for()

    page.get_by_role("navigation", name="Navegación principal").get_by_role(
        "link", name="Importar catálogo"
    ).click()
    page.get_by_label(re.compile("Archivo")).set_input_files(str(REAL_CATALOG))
    page.get_by_role("button", name="Importar").click()
    result = page.get_by_role("region", name="Importación completada")
    result.wait_for()
    assert "created 166, updated 0, unchanged 0, skipped 2" in result.inner_text()
    assert page.get_by_role("table", name="Filas omitidas").locator("tbody tr").count() == 2

    page.get_by_role("link", name="Instituciones", exact=True).first.click()
    page.get_by_label("Nombre o código").fill("riego")
    page.get_by_role("button", name="Filtrar").click()
    rows = page.locator("table tbody tr")
    assert rows.count() == 1
    assert "COMISION NACIONAL DE RIEGO" in rows.first.inner_text()

    rows.first.get_by_role("link").first.click()
    page.get_by_role("heading", name="COMISION NACIONAL DE RIEGO").wait_for()
    assert "1306" in page.locator("main").inner_text()
