"""An administrator reads the audit trail in Chromium, on a desktop and on a phone: a long
before/after wraps inside its column, and its disclosure shows the whole value."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pmg.audit.operations import record
from pmg.core.permissions import Role
from pmg.extensions import db
from tests.browser.accessibility import page_width
from tests.factories import PASSWORD, create_user

pytestmark = pytest.mark.browser

ANSWER = "Se agregó a Luis Díaz al equipo de trabajo de la OIRS. " * 60
LINK = "https://www.example.gob.cl/" + "x" * 300  # one word longer than any column


@pytest.mark.parametrize(
    ("width", "min_column"), [(1280, 250), (390, 300)], ids=["desktop", "phone"]
)
def test_long_before_and_after_wrap_inside_their_column(
    page: Any, width: int, min_column: int
) -> None:
    admin = create_user(Role.ADMIN, email="admin@modernizacion.gob.cl")
    after = {"answer": f"{ANSWER}{LINK}", "requirement": "R01"}
    before = {"answer": ANSWER}
    record("observation.answer", object_type="Thing", object_id="1", before=before, after=after)
    db.session.commit()

    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/ingresar")
    page.get_by_label("Correo electrónico").fill(admin.email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    page.wait_for_url("**/")
    page.goto("/admin/auditoria")

    row = page.locator("table.audit-table tbody tr", has_text="Thing #1")
    change = row.locator(".audit-change").bounding_box()
    assert change["width"] >= min_column
    assert change["height"] < 300
    assert page_width(page) <= width

    row.get_by_text("Ver antes y después completos").click()
    shown = row.locator(".audit-full pre")
    assert shown.nth(1).inner_text() == json.dumps(after, indent=2, ensure_ascii=False)
    scroller = page.locator(".table-scroll").bounding_box()
    full = shown.nth(1).bounding_box()
    assert full["x"] + full["width"] <= scroller["x"] + scroller["width"]
