"""A DIPRES analyst looks at an institution's indicators over the years in Chromium, on a
desktop and on a 390 px screen: the charts are images with a text alternative, and each
chart's numbers open in a table."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from pmg.core.permissions import Role
from tests.browser.accessibility import assert_accessible, page_width
from tests.browser.signing import sign_in
from tests.factories import create_institution, create_user
from tests.indicators.test_trends import store_history

pytestmark = pytest.mark.browser


def test_dipres_reads_an_institutions_trend_and_its_numbers(screen_page: Any) -> None:
    page = screen_page
    institution = create_institution("1306", "COMISION NACIONAL DE RIEGO")
    store_history(institution, range(2022, 2025), procedures=2)

    sign_in(page, create_user(Role.DIPRES), "/instituciones/1306")
    trends = page.get_by_role("region", name="Indicadores a lo largo de los años")
    expect(trends.get_by_role("heading", level=3)).to_have_text(
        [
            "Reclamos",
            "Solicitudes de acceso a información pública (SAIP)",
            "Trámites y servicios relevantes",
        ]
    )
    images = trends.get_by_role("img")
    expect(images).to_have_count(9)
    answered = trends.get_by_role(
        "img", name="Reclamos respondidos. Los datos están en la tabla que sigue al gráfico."
    )
    expect(answered).to_be_visible()
    assert answered.evaluate("image => image.complete && image.naturalWidth > 0")
    # Nothing on the page is wider than the screen.
    assert page_width(page) <= page.viewport_size["width"]

    figure = trends.get_by_role("figure", name="Reclamos respondidos", exact=True)
    table = figure.get_by_role("table", name="Reclamos respondidos (%)")
    expect(table).to_be_hidden()
    figure.get_by_text("Datos del gráfico").focus()
    page.keyboard.press("Enter")
    expect(table).to_be_visible()
    cells = [row.split("\t") for row in table.locator("tr").all_inner_texts()]
    assert cells == [
        ["Año", "Reclamos respondidos"],
        ["2022", "95,0"],
        ["2023", "95,0"],
        ["2024", "95,0"],
        ["Meta 2026 (plan del ciclo 2026)", "97,5"],
    ]
    assert_accessible(page)
