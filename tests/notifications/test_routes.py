"""The admin's outbox page: what it lists, its filter, the retry button, who may see it."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pmg.core.models import utcnow
from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.notifications import operations
from pmg.notifications.operations import queue_mail
from tests.factories import create_user
from tests.notifications.mail import SMTP_CONFIG, FakeSMTP, outbox

EMBEDDED_NOTE = "En esta instalación no hay un servidor de correo configurado"
RETRY_BUTTON = "Reintentar envío"
RECIPIENT_CELL = re.compile(r"<td>([^<@]+@[^<]+)</td>")
TECHNICAL_DETAIL = "Último error (detalle técnico del servidor, puede estar en inglés): "


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {**SMTP_CONFIG, "MAIL_SERVER": ""}


@pytest.fixture
def mail(app: Flask) -> dict[str, Any]:
    """A sent, a pending, a failing and a given-up message, in that order."""
    found = {}
    for name in ("sent", "pending", "failing", "given_up"):
        found[name] = queue_mail(
            f"{name.replace('_', '')}@servicio.gob.cl",
            f"Asunto {name}",
            f"Estimado/a:\n\nCuerpo del correo {name} <b>sin marcas</b>.",
        )
    found["sent"].sent_at = utcnow()
    found["failing"].attempts = 2
    found["failing"].last_error = "(550, 'Buzon inexistente')"
    found["given_up"].attempts = 10
    found["given_up"].last_error = "Connection refused"
    db.session.commit()
    return found


def _page(client: FlaskClient, **args: str) -> tuple[int, str]:
    response = client.get("/admin/correo", query_string=args)
    return response.status_code, html.unescape(response.get_data(as_text=True))


def test_admin_sees_every_mail_newest_first(
    client: FlaskClient,
    login_as,
    mail: dict[str, Any],  # type: ignore[no-untyped-def]
) -> None:
    login_as(create_user(Role.ADMIN))
    status, body = _page(client)
    assert status == 200
    assert RECIPIENT_CELL.findall(body) == [
        "givenup@servicio.gob.cl",
        "failing@servicio.gob.cl",
        "pending@servicio.gob.cl",
        "sent@servicio.gob.cl",
    ]
    assert "<caption>Correos, del más reciente al más antiguo (4)</caption>" in body
    assert "Estimado/a:\n\nCuerpo del correo pending <b>sin marcas</b>." in body
    assert "<details>" in body
    assert "intentos: 2" in body
    assert f"{TECHNICAL_DETAIL}<code>(550, 'Buzon inexistente')</code>" in body
    assert "se agotaron los 10 intentos" in body
    assert f"{TECHNICAL_DETAIL}<code>Connection refused</code>" in body
    assert body.count(TECHNICAL_DETAIL) == 2  # none for sent or untried mail


def test_body_is_shown_as_text_not_html(
    client: FlaskClient,
    login_as,
    mail: dict[str, Any],  # type: ignore[no-untyped-def]
) -> None:
    login_as(create_user(Role.ADMIN))
    raw = client.get("/admin/correo").get_data(as_text=True)
    assert "&lt;b&gt;sin marcas&lt;/b&gt;" in raw
    assert "<b>sin marcas</b>" not in raw


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("pendiente", ["failing@servicio.gob.cl", "pending@servicio.gob.cl"]),
        ("enviado", ["sent@servicio.gob.cl"]),
        ("sin-enviar", ["givenup@servicio.gob.cl"]),
        (
            "otra-cosa",
            [
                "givenup@servicio.gob.cl",
                "failing@servicio.gob.cl",
                "pending@servicio.gob.cl",
                "sent@servicio.gob.cl",
            ],
        ),
    ],
)
def test_filter_by_state(
    client: FlaskClient,
    login_as,  # type: ignore[no-untyped-def]
    mail: dict[str, Any],
    state: str,
    expected: list[str],
) -> None:
    login_as(create_user(Role.ADMIN))
    status, body = _page(client, estado=state)
    assert status == 200
    assert RECIPIENT_CELL.findall(body) == expected


def test_empty_outbox_says_so(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as(create_user(Role.ADMIN))
    status, body = _page(client)
    assert status == 200
    assert "No hay correos." in body


def test_embedded_setup_explains_that_mail_stays_here(
    client: FlaskClient,
    login_as,
    mail: dict[str, Any],  # type: ignore[no-untyped-def]
) -> None:
    login_as(create_user(Role.ADMIN))
    _, body = _page(client)
    assert EMBEDDED_NOTE in body
    assert RETRY_BUTTON not in body


def test_retry_sends_pending_mail(
    app: Flask,
    client: FlaskClient,
    login_as,  # type: ignore[no-untyped-def]
    mail: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app.config["MAIL_SERVER"] = SMTP_CONFIG["MAIL_SERVER"]
    smtp = FakeSMTP()
    monkeypatch.setattr(operations.smtplib, "SMTP", smtp)
    login_as(create_user(Role.ADMIN))
    _, body = _page(client)
    assert EMBEDDED_NOTE not in body
    assert RETRY_BUTTON in body
    assert "Los correos se envían con la tarea programada" in body
    response = client.post("/admin/correo/reintentar", follow_redirects=True)
    assert response.status_code == 200
    assert "Correos enviados: 2, pendientes: 0." in response.get_data(as_text=True)
    assert sorted(message["To"] for message in smtp.sent) == [
        "failing@servicio.gob.cl",
        "pending@servicio.gob.cl",
    ]
    db.session.expire_all()
    assert [m.sent_at is not None for m in outbox()] == [True, True, True, False]


def test_retry_in_the_embedded_setup_sends_nothing(
    client: FlaskClient,
    login_as,
    mail: dict[str, Any],  # type: ignore[no-untyped-def]
) -> None:
    login_as(create_user(Role.ADMIN))
    response = client.post("/admin/correo/reintentar", follow_redirects=True)
    assert response.status_code == 200
    assert "PMG_MAIL_SERVER vacío" in response.get_data(as_text=True)
    db.session.expire_all()
    assert [m.sent_at is not None for m in outbox()] == [True, False, False, False]


def test_retry_needs_the_csrf_token(
    client: FlaskClient,
    login_as,
    mail: dict[str, Any],  # type: ignore[no-untyped-def]
) -> None:
    login_as(create_user(Role.ADMIN))
    response = client.post("/admin/correo/reintentar", data={}, csrf=False)
    assert response.status_code == 400


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.REVIEWER, Role.DIPRES])
@pytest.mark.parametrize(
    ("method", "path"), [("get", "/admin/correo"), ("post", "/admin/correo/reintentar")]
)
def test_only_admins_may_use_the_outbox(
    client: FlaskClient,
    login_as,
    role: Role,
    method: str,
    path: str,  # type: ignore[no-untyped-def]
) -> None:
    login_as(create_user(role))
    assert getattr(client, method)(path).status_code == 403


def test_anonymous_is_sent_to_login(client: FlaskClient) -> None:
    response = client.get("/admin/correo")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/ingresar?next=")


def test_retry_with_the_server_down_says_so_and_charges_one_mail(
    app: Flask,
    client: FlaskClient,
    login_as,  # type: ignore[no-untyped-def]
    mail: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def unreachable(host: str, port: int, timeout: float) -> None:
        raise ConnectionRefusedError(111, "Connection refused")

    app.config["MAIL_SERVER"] = SMTP_CONFIG["MAIL_SERVER"]
    monkeypatch.setattr(operations.smtplib, "SMTP", unreachable)
    login_as(create_user(Role.ADMIN))
    response = client.post("/admin/correo/reintentar", follow_redirects=True)
    body = html.unescape(response.get_data(as_text=True))
    assert (
        "Correos enviados: 0, pendientes: 2. Fallaron en este intento: 1 (se reintentarán). "
        "El servidor de correo no respondió: se reintentará en la próxima ejecución."
    ) in body
    db.session.expire_all()
    # The least tried pending mail was charged; the other pending one was not touched.
    assert [m.attempts for m in outbox()] == [0, 1, 2, 10]
