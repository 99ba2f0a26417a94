"""Accounts at scale, as people use them: an admin imports coordinators from a spreadsheet,
a new coordinator sets a password with the link the outbox holds and arrives home; someone
who forgot their password asks for a link from the login page and sets a new one."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from pmg.core.permissions import Role
from tests.auth.accounts import coordinators_xlsx, link_in, mails_to
from tests.browser.accessibility import assert_accessible
from tests.browser.signing import sign_in
from tests.factories import create_institution, create_user

pytestmark = pytest.mark.browser

NEW_PASSWORD = "mi-clave-nueva-segura"


@pytest.fixture
def configured(app: Flask, live_server: str) -> str:
    """The installation's address is the test server's: links in mail lead to it."""
    app.config["PUBLIC_BASE_URL"] = live_server
    return live_server


def _set_password(page: Any, link: str) -> None:
    page.goto(link)
    assert_accessible(page)
    page.get_by_label("Nueva contraseña", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repita la nueva contraseña").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Guardar contraseña").click()


def test_admin_imports_coordinators_who_set_their_password_from_the_mail(
    screen_page: Any, configured: str, tmp_path: Path
) -> None:
    page = screen_page
    create_institution("1306", "COMISION NACIONAL DE RIEGO")
    create_institution("3101_61", "FONDO NACIONAL DE SALUD")
    admin = create_user(Role.ADMIN, email="admin@modernizacion.gob.cl")
    planilla = tmp_path / "coordinadores.xlsx"
    planilla.write_bytes(
        coordinators_xlsx(
            ("ana@riego.gob.cl", "Ana Pérez", "1306; 3101_61"),
            ("dora@fonasa.gob.cl", "Dora Díaz", "3101_61"),
        )
    )

    sign_in(page, admin, "/admin/usuarios")
    page.get_by_role("link", name="Importar coordinadores").click()
    page.get_by_label(re.compile("Planilla de coordinadores")).set_input_files(str(planilla))
    page.get_by_role("button", name="Importar").click()
    result = page.get_by_role("region", name="Importación completada")
    result.wait_for()
    assert "created 2, updated 0, unchanged 0, skipped 0" in result.inner_text()
    accounts = page.get_by_role("table", name="Cuentas de la planilla")
    assert accounts.locator("tbody tr").count() == 2
    assert "ana@riego.gob.cl" in accounts.inner_text()
    assert "1306, 3101_61" in accounts.inner_text()
    assert_accessible(page)

    page.get_by_role("button", name="Cerrar sesión").click()
    _set_password(page, link_in(mails_to("ana@riego.gob.cl")[0]))
    page.get_by_role("heading", name="Bienvenido/a, Ana Pérez").wait_for()
    assert "Su contraseña quedó guardada" in page.locator("main").inner_text()


def test_a_forgotten_password_is_set_again_from_the_login_page(
    screen_page: Any, configured: str
) -> None:
    page = screen_page
    user = create_user(Role.REVIEWER, email="rosa@modernizacion.gob.cl", name="Rosa Rojas")

    page.goto("/ingresar")
    page.get_by_label("Correo electrónico").fill(user.email)
    page.get_by_role("button", name="¿Olvidó su contraseña?").click()
    page.get_by_role("heading", name="¿Olvidó su contraseña?").wait_for()
    assert page.get_by_label("Correo electrónico").input_value() == user.email  # carried over
    assert_accessible(page)
    page.get_by_role("button", name="Enviar enlace").click()
    page.get_by_role("heading", name="Iniciar sesión").wait_for()
    assert "le enviamos un enlace" in page.get_by_role("status").inner_text()

    _set_password(page, link_in(mails_to(user.email)[0]))
    page.get_by_role("heading", name="Bienvenido/a, Rosa Rojas").wait_for()

    page.get_by_role("button", name="Cerrar sesión").click()
    page.goto(link_in(mails_to(user.email)[0]))
    page.get_by_role("heading", name="Este enlace no sirve para crear una contraseña").wait_for()
    assert "ya se usó" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Pedir un enlace nuevo").click()
    page.get_by_role("heading", name="¿Olvidó su contraseña?").wait_for()
