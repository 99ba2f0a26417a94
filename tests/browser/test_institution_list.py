"""A DIPRES analyst opens the institution list, filters it by the plan's state, reads each
institution's diagnostic and plan in their columns and downloads the CSV of what the list
shows."""

from __future__ import annotations

import csv
import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest

from pmg.core.permissions import Role
from tests.browser.accessibility import assert_accessible
from tests.browser.signing import sign_in
from tests.dashboard.test_listing import VIEW, build_world
from tests.factories import create_user

pytestmark = pytest.mark.browser


def test_dipres_filters_by_the_plans_state_and_downloads_the_csv(
    page: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pmg.dashboard.routes.chile_today", lambda: VIEW)
    build_world()
    sign_in(page, create_user(Role.DIPRES), "/")
    page.get_by_role("navigation", name="Navegación principal").get_by_role(
        "link", name="Instituciones"
    ).click()
    page.get_by_role("heading", name="Instituciones", level=1).wait_for()

    page.get_by_label("Plan de mejora", exact=True).select_option(label="Sin iniciar")
    page.get_by_role("button", name="Filtrar").click()
    page.wait_for_url(re.compile(r"plan=sin_iniciar"))

    table = page.get_by_role("table", name=re.compile("estado de sus envíos en el ciclo 2026"))
    assert table.locator("thead th").all_inner_texts() == [
        "Código",
        "Institución",
        "Ministerio",
        "Etapa",
        "MESU",
        "Categoría funcional",
        "Diagnóstico 2026",
        "Plan de mejora 2026",
    ]
    rows = table.locator("tbody tr")
    assert [row.locator("td").first.inner_text() for row in rows.all()] == ["1004", "1003", "1002"]
    beta = rows.filter(has_text="HOSPITAL BETA").locator("td")
    assert beta.nth(6).inner_text() == "Con observaciones atrasado"
    assert beta.nth(7).inner_text() == "Sin iniciar"
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Descargar CSV")).click()
    download = download_info.value
    assert download.suggested_filename == f"instituciones_ciclo2026_{VIEW.isoformat()}.csv"
    text = Path(download.path()).read_bytes().decode("utf-8-sig")
    downloaded = list(csv.reader(StringIO(text), delimiter=";"))
    assert [row[0] for row in downloaded[1:]] == ["1004", "1003", "1002"]
    assert downloaded[3][1:] == [
        "HOSPITAL BETA",
        "MINISTERIO DE SALUD",
        "Etapa 2",
        "No",
        "SERVICIOS PÚBLICOS GENERALES",
        "Con observaciones",
        "Sí",
        "Sin iniciar",
        "No",
    ]
