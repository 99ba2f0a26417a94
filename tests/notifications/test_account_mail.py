"""The mail with a link to set a password: its words, and its link built from the configured
address (PUBLIC_BASE_URL), never from the Host a request names."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pmg.auth import links
from pmg.auth.models import PasswordLinkPurpose, User
from pmg.auth.signals import password_link_issued
from pmg.config import DEVELOPMENT_BASE_URL, ConfigError, load_config, public_base_url
from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.notifications.messages import FOOTER, password_link_message
from tests.auth.accounts import coordinators_xlsx, link_in, mails_to
from tests.factories import create_institution, create_user
from tests.notifications.mail import BASE_URL

# 3 December 2026, 17:05 UTC: 14:05 in Santiago (summer time, UTC-3).
EXPIRES = datetime(2026, 12, 3, 17, 5, tzinfo=UTC)
TOKEN = "A" * 43


def _coordinator() -> User:
    riego = create_institution("1306", "COMISION NACIONAL DE RIEGO")
    fonasa = create_institution("3101_61", "FONDO NACIONAL DE SALUD")
    return create_user(
        Role.COORDINATOR, email="ana@riego.gob.cl", name="Ana Pérez", institutions=[riego, fonasa]
    )


def test_the_invitation_says_what_the_account_is_and_how_to_start(app: Flask) -> None:
    message = password_link_message(
        _coordinator(), PasswordLinkPurpose.INVITATION, f"/cuenta/activar/{TOKEN}", EXPIRES
    )
    assert message.subject == "[PMG CSEU] Cree la contraseña de su cuenta"
    assert message.body == (
        "Estimado/a Ana Pérez:\n\n"
        "Se creó su cuenta en el sistema PMG de Calidad de Servicio y Experiencia Usuaria, con "
        "el rol Coordinador/a PMG, para las instituciones 1306 COMISION NACIONAL DE RIEGO; "
        "3101_61 FONDO NACIONAL DE SALUD.\n\n"
        f"Para empezar, cree su contraseña en esta página:\n{BASE_URL}/cuenta/activar/{TOKEN}\n\n"
        "El enlace sirve una sola vez y vence el 3 de diciembre de 2026, 14:05 (hora de Chile). "
        "Su usuario es este correo: ana@riego.gob.cl\n\n"
        "Si venció o ya se usó, pida otro en la página de ingreso, con «¿Olvidó su contraseña?»."
        "\n\n" + FOOTER + "\n"
    )


def test_the_reset_mail_says_who_asked_and_what_to_do_if_it_was_not_them(app: Flask) -> None:
    message = password_link_message(
        _coordinator(), PasswordLinkPurpose.RESET, f"/cuenta/restablecer/{TOKEN}", EXPIRES
    )
    assert message.subject == "[PMG CSEU] Enlace para crear una nueva contraseña"
    assert message.body == (
        "Estimado/a Ana Pérez:\n\n"
        "Se pidió crear una nueva contraseña para su cuenta ana@riego.gob.cl en el sistema PMG "
        "de Calidad de Servicio y Experiencia Usuaria.\n\n"
        f"Créela en esta página:\n{BASE_URL}/cuenta/restablecer/{TOKEN}\n\n"
        "El enlace sirve una sola vez y vence el 3 de diciembre de 2026, 14:05 (hora de Chile). "
        "Al crearla se cierran las sesiones abiertas de su cuenta. Si venció o ya se usó, pida "
        "otro en la página de ingreso, con «¿Olvidó su contraseña?».\n\n"
        "Si usted no lo pidió, ignore este mensaje: su contraseña actual sigue sirviendo.\n\n"
        + FOOTER
        + "\n"
    )


def test_a_link_is_never_made_unwired(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the receiver the token would reach nobody: the change stops."""
    monkeypatch.setattr(password_link_issued, "receivers", {})
    with pytest.raises(RuntimeError, match=r"pmg\.wiring\.connect"):
        links.send_link(create_user(Role.REVIEWER), actor=None)


# --- The link comes from the configuration, never from the request ---------------------------

FORGED_HOST = "malicioso.example"
FORGED = {"Host": FORGED_HOST, "X-Forwarded-Host": "otro-malicioso.example"}


def _post_forged(client: FlaskClient, path: str, data: dict[str, Any] | None = None) -> Any:
    """Post as the same browser would to a server reached under another name: its session
    (signed in or not, with its form token) travels to that name too."""
    token = client.csrf_token()
    session = client.get_cookie("pmg_session")
    assert session is not None
    client.set_cookie("pmg_session", session.value, domain=FORGED_HOST)
    return client.post(path, data={**(data or {}), "csrf_token": token}, headers=FORGED)


def _only_configured_links(email: str) -> None:
    (mail,) = mails_to(email)
    assert link_in(mail).startswith(f"{BASE_URL}/cuenta/")
    assert "malicioso" not in mail.body


def test_a_forged_host_does_not_change_the_link_of_a_forgotten_password(
    client: FlaskClient,
) -> None:
    user = create_user(Role.COORDINATOR, email="ana@riego.gob.cl")
    response = _post_forged(client, "/cuenta/recuperar", {"email": user.email})
    assert response.status_code == 302
    _only_configured_links(user.email)


def test_a_forged_host_does_not_change_the_links_an_admin_sends(
    client: FlaskClient, login_as: Any
) -> None:
    create_institution("1306")
    login_as(create_user(Role.ADMIN))
    upload = {"file": (BytesIO(coordinators_xlsx(("ana@riego.gob.cl", "Ana", "1306"))), "c.xlsx")}
    assert _post_forged(client, "/admin/usuarios/importar", upload).status_code == 200
    _only_configured_links("ana@riego.gob.cl")

    other = create_user(Role.REVIEWER, email="rosa@modernizacion.gob.cl")
    assert _post_forged(client, f"/admin/usuarios/{other.id}/enlace").status_code == 302
    _only_configured_links(other.email)


def test_the_link_follows_the_configured_address_with_its_path(app: Flask) -> None:
    app.config["PUBLIC_BASE_URL"] = "https://intranet.ejemplo.gob.cl/pmg"
    user = create_user(Role.REVIEWER)
    links.send_link(user, actor=None)
    db.session.commit()
    assert link_in(mails_to(user.email)[0]).startswith(
        "https://intranet.ejemplo.gob.cl/pmg/cuenta/restablecer/"
    )


# --- The setting -------------------------------------------------------------------------------


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("PMG_PUBLIC_BASE_URL", raising=False)
    return monkeypatch


def test_the_address_comes_from_the_environment(
    tmp_path: Path, environment: pytest.MonkeyPatch
) -> None:
    environment.setenv("PMG_ENV", "production")
    environment.setenv("PMG_PUBLIC_BASE_URL", " https://pmg.ejemplo.gob.cl/ ")
    assert load_config(str(tmp_path))["PUBLIC_BASE_URL"] == "https://pmg.ejemplo.gob.cl"


def test_production_refuses_to_start_without_the_address(
    tmp_path: Path, environment: pytest.MonkeyPatch
) -> None:
    environment.setenv("PMG_ENV", "production")
    with pytest.raises(ConfigError, match="PMG_PUBLIC_BASE_URL no está definida"):
        load_config(str(tmp_path))


def test_elsewhere_the_address_is_where_the_demo_serves(
    tmp_path: Path, environment: pytest.MonkeyPatch
) -> None:
    environment.setenv("PMG_ENV", "development")
    assert load_config(str(tmp_path))["PUBLIC_BASE_URL"] == DEVELOPMENT_BASE_URL


@pytest.mark.parametrize(
    ("raw", "env"),
    [
        ("pmg.ejemplo.gob.cl", "development"),
        ("ftp://pmg.ejemplo.gob.cl", "development"),
        ("https://", "development"),
        ("https://pmg.ejemplo.gob.cl/?x=1", "development"),
        ("https://pmg.ejemplo.gob.cl/#inicio", "development"),
        ("https://usuario@pmg.ejemplo.gob.cl", "development"),
        ("https://pmg.ejemplo.gob.cl:puerto", "development"),
        ("https://[::1", "development"),
        ("http://pmg.ejemplo.gob.cl", "production"),
    ],
)
def test_an_address_links_cannot_use_is_refused(raw: str, env: str) -> None:
    with pytest.raises(ConfigError, match="no es una dirección válida"):
        public_base_url(raw, env)


@pytest.mark.parametrize(
    ("raw", "env", "expected"),
    [
        ("http://127.0.0.1:8000/", "development", "http://127.0.0.1:8000"),
        ("https://pmg.ejemplo.gob.cl/pmg/", "production", "https://pmg.ejemplo.gob.cl/pmg"),
    ],
)
def test_an_address_is_kept_without_its_final_slash(raw: str, env: str, expected: str) -> None:
    assert public_base_url(raw, env) == expected
