from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pmg.core.permissions import Role
from tests.factories import create_user


def test_404_is_a_spanish_page(client: FlaskClient, login_as) -> None:
    login_as(create_user(Role.ADMIN))
    response = client.get("/no-existe")
    body = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Página no encontrada" in body
    assert '<html lang="es-CL">' in body


def test_405_is_a_spanish_page_with_allow(client: FlaskClient, login_as) -> None:
    login_as(create_user(Role.ADMIN))
    response = client.get("/salir")
    assert response.status_code == 405
    assert "Método no permitido" in response.get_data(as_text=True)
    assert "POST" in response.headers["Allow"]


def test_403_is_a_spanish_page(client: FlaskClient, login_as) -> None:
    login_as(create_user(Role.DIPRES))
    response = client.get("/admin/usuarios")
    assert response.status_code == 403
    assert "Acceso no permitido" in response.get_data(as_text=True)


def test_413_is_a_spanish_page(app: Flask, client: FlaskClient) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/ingresar", data={"email": "x" * 5000}, csrf=False)
    assert response.status_code == 413
    assert "Archivo demasiado grande" in response.get_data(as_text=True)


def test_500_shows_no_stack_trace(app: Flask) -> None:
    @app.route("/falla-de-prueba")
    def failing() -> str:
        raise RuntimeError("secreto interno")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/falla-de-prueba")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Error interno" in body
    assert "secreto interno" not in body
    assert "Traceback" not in body


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
    ],
)
def test_security_headers_on_every_page(client: FlaskClient, header: str, expected: str) -> None:
    assert client.get("/ingresar").headers[header] == expected


def test_content_security_policy_allows_only_this_site(client: FlaskClient) -> None:
    policy = client.get("/ingresar").headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "http" not in policy


def test_pages_reference_no_external_assets(client: FlaskClient) -> None:
    body = client.get("/ingresar").get_data(as_text=True)
    assert "http://" not in body
    assert "https://" not in body


def test_layout_has_skip_link_and_landmarks(client: FlaskClient) -> None:
    body = client.get("/ingresar").get_data(as_text=True)
    assert 'href="#contenido"' in body
    assert '<main id="contenido"' in body
    assert "<header" in body and "<footer" in body
