"""An analyst makes an API token on the account page, copies it the one time it is shown,
uses it, and revokes it; the page passes axe on each screen."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from pmg.core.permissions import Role
from tests.browser.accessibility import assert_accessible, page_width
from tests.browser.signing import sign_in
from tests.factories import create_cycle, create_user

pytestmark = pytest.mark.browser


def test_an_analyst_makes_a_token_sees_it_once_and_revokes_it(screen_page: Any) -> None:
    page = screen_page
    create_cycle(2026)
    analyst = create_user(Role.DIPRES, email="analista@dipres.gob.cl")

    sign_in(page, analyst, "/")
    page.get_by_role("link", name="Tokens de la API").click()
    assert_accessible(page)
    page.get_by_label("Nombre del token").fill("Planilla de seguimiento")
    page.get_by_label("Vigencia (días)").fill("30")
    page.get_by_role("button", name="Crear el token").click()

    shown = page.get_by_label("Token", exact=True)
    secret = shown.input_value()
    assert secret.startswith("pmg_")
    expect(page.get_by_text("no se volverá a mostrar")).to_be_visible()
    assert_accessible(page)
    answer = page.request.get("/api/v1/cycles", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status == 200 and answer.json()["items"][0]["year"] == 2026

    page.goto("/cuenta/api")
    assert page.get_by_label("Token", exact=True).count() == 0
    row = page.get_by_role("row", name="Planilla de seguimiento")
    assert "Vigente" in row.inner_text()
    row.get_by_role("button", name="Revocar").click()

    expect(page.get_by_text("quedó revocado")).to_be_visible()
    assert "Revocado el" in page.get_by_role("row", name="Planilla de seguimiento").inner_text()
    assert (
        page.get_by_role("row", name="Planilla de seguimiento").get_by_role("button").count() == 0
    )
    refused = page.request.get("/api/v1/cycles", headers={"Authorization": f"Bearer {secret}"})
    assert refused.status == 401


def test_the_api_reference_is_readable_without_an_account(screen_page: Any) -> None:
    page = screen_page
    page.goto("/api/v1/docs")
    expect(page.get_by_role("heading", name="Referencia de la API", level=1)).to_be_visible()
    assert_accessible(page)
    assert page_width(page) <= page.viewport_size["width"]
