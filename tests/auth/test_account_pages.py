"""The pages: «¿Olvidó su contraseña?», the page a link opens, the import of coordinators
and the admin's «Enviar enlace»."""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from pmg.auth.models import PasswordLinkRequest, User
from pmg.core.errors import DomainError
from pmg.core.forms import INVALID_EMAIL
from pmg.core.permissions import Role
from pmg.extensions import db
from tests.audit.trail import entries
from tests.auth.accounts import coordinators_xlsx, counts, link_in, mails_to, path_of
from tests.conftest import login
from tests.factories import PASSWORD, create_institution, create_user

NEW_PASSWORD = "una-clave-nueva-larga"
FORGOT = "/cuenta/recuperar"


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


def _ask(client: FlaskClient, email: str, **kwargs: Any) -> Any:
    return client.post(FORGOT, data={"email": email}, **kwargs)


def _set_password(client: FlaskClient, path: str, password: str = NEW_PASSWORD) -> Any:
    return client.post(path, data={"password": password, "confirm": password})


# --- «¿Olvidó su contraseña?» --------------------------------------------------------------


def test_the_login_page_offers_it_carrying_the_e_mail_typed(client: FlaskClient) -> None:
    page = _text(client.get("/ingresar"))
    assert re.search(r'formaction="/cuenta/recuperar">¿Olvidó su contraseña\?</button>', page)
    response = client.post(
        FORGOT,
        data={"email": "ana@riego.gob.cl", "password": "lo que tecleó", "desde_ingreso": "1"},
    )
    assert response.status_code == 200
    assert 'value="ana@riego.gob.cl"' in _text(response)
    assert "lo que tecleó" not in _text(response)
    assert db.session.scalar(select(func.count()).select_from(PasswordLinkRequest)) == 0


def _answer(client: FlaskClient, email: str) -> tuple[int, str, str]:
    """Status, where it leads and what that page says, with the e-mail typed blanked."""
    response = _ask(client, email)
    page = _text(client.get(response.headers["Location"]))
    flashes = re.findall(r'<p class="flash[^"]*">(.*?)</p>', page, re.S)
    return response.status_code, response.headers["Location"], " ".join(flashes).replace(email, "…")


def test_the_answer_is_the_same_whether_or_not_the_account_exists(client: FlaskClient) -> None:
    ana = create_user(Role.COORDINATOR, email="ana@riego.gob.cl")
    off = create_user(Role.COORDINATOR, email="baja@riego.gob.cl", active=False)
    answers = {
        email: _answer(client, email) for email in (ana.email, "nadie@riego.gob.cl", off.email)
    }
    assert len(set(answers.values())) == 1, answers
    status, location, said = answers[ana.email]
    assert (status, location) == (302, "/ingresar")
    assert said.startswith("Si … es el correo de una cuenta habilitada, le enviamos un enlace")
    assert "durante 2 horas" in said
    # Only the enabled account gets mail; every request is recorded and audited alike.
    assert "/cuenta/restablecer/" in link_in(mails_to(ana.email)[0])
    assert mails_to("nadie@riego.gob.cl") == mails_to(off.email) == []
    outcomes = [entry.after["outcome"] for entry in entries("auth.password_link_request")]
    assert outcomes == ["sent", "unknown_email", "account_disabled"]


def test_a_malformed_e_mail_is_said_at_the_field(client: FlaskClient) -> None:
    response = _ask(client, "no-es-un-correo")
    assert response.status_code == 422
    assert INVALID_EMAIL in _text(response)
    assert db.session.scalar(select(func.count()).select_from(PasswordLinkRequest)) == 0


@pytest.mark.parametrize("same", ["e-mail", "address"])
def test_requests_are_throttled_per_e_mail_and_per_address(
    app: Flask, client: FlaskClient, same: str
) -> None:
    user = create_user(Role.COORDINATOR, email="ana@riego.gob.cl")
    limit = app.config["PMG_LOGIN_MAX_FAILURES"]
    for number in range(limit):
        email = user.email if same == "e-mail" else f"otra{number}@riego.gob.cl"
        address = f"10.0.0.{number}" if same == "e-mail" else "10.0.0.1"
        assert _ask(client, email, environ_base={"REMOTE_ADDR": address}).status_code == 302
    refused = _ask(client, user.email, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert refused.status_code == 429
    assert "Demasiados pedidos de enlace para la contraseña. Espere 15 minutos" in _text(refused)
    assert len(mails_to(user.email)) == (limit if same == "e-mail" else 0)


def test_requests_past_the_window_no_longer_count(app: Flask, client: FlaskClient) -> None:
    user = create_user(Role.COORDINATOR, email="ana@riego.gob.cl")
    for _ in range(app.config["PMG_LOGIN_MAX_FAILURES"]):
        _ask(client, user.email)
    requests = db.session.scalars(select(PasswordLinkRequest)).all()
    for request in requests:
        request.at = request.at - app.config["PMG_LOGIN_WINDOW"]
    db.session.commit()
    assert _ask(client, user.email).status_code == 302


# --- The page a link opens -----------------------------------------------------------------


def _pending(email: str = "ana@riego.gob.cl") -> User:
    user = create_user(Role.COORDINATOR, email=email)
    user.password_hash = ""
    db.session.commit()
    return user


def test_a_new_coordinator_sets_a_password_and_is_signed_in(
    client: FlaskClient, login_as: Any
) -> None:
    create_institution("1306", "COMISION NACIONAL DE RIEGO")
    login_as(create_user(Role.ADMIN))
    upload = {
        "file": (BytesIO(coordinators_xlsx(("ana@riego.gob.cl", "Ana Pérez", "1306"))), "c.xlsx")
    }
    assert client.post("/admin/usuarios/importar", data=upload).status_code == 200
    client.post("/salir")
    path = path_of(link_in(mails_to("ana@riego.gob.cl")[0]))

    page = client.get(path)
    assert page.status_code == 200
    assert "Cree su contraseña" in _text(page) and "ana@riego.gob.cl" in _text(page)
    response = _set_password(client, path)
    assert (response.status_code, response.headers["Location"]) == (302, "/")
    assert "Bienvenido/a, Ana Pérez" in _text(client.get("/"))
    client.post("/salir")
    assert login(client, "ana@riego.gob.cl", NEW_PASSWORD).status_code == 302


def test_setting_a_new_password_ends_the_other_sessions(app: Flask, client: FlaskClient) -> None:
    user = create_user(Role.COORDINATOR, email="ana@riego.gob.cl")
    elsewhere = app.test_client()
    assert login(elsewhere, user.email).status_code == 302
    assert elsewhere.get("/").status_code == 200

    _ask(client, user.email)
    path = path_of(link_in(mails_to(user.email)[0]))
    assert "Cree una nueva contraseña" in _text(client.get(path))
    assert _set_password(client, path).status_code == 302
    assert client.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302
    assert login(app.test_client(), user.email, PASSWORD).status_code == 200  # refused


def test_the_password_rules_apply_and_the_link_still_works(client: FlaskClient) -> None:
    user = _pending()
    _ask(client, user.email)
    path = path_of(link_in(mails_to(user.email)[0]))
    refused = _set_password(client, path, "corta")
    assert refused.status_code == 422
    assert "La contraseña debe tener al menos 10 caracteres." in _text(refused)
    mismatch = client.post(path, data={"password": NEW_PASSWORD, "confirm": "otra-clave-x"})
    assert "Las contraseñas no coinciden." in _text(mismatch)
    assert _set_password(client, path).status_code == 302


@pytest.mark.parametrize(
    ("spoil", "status", "says"),
    [
        (lambda path: path[:-1], 404, "no es válido"),
        (lambda path: path.replace("restablecer", "activar"), 404, "no es válido"),
        (lambda path: path + "%00", 404, ""),
        (lambda path: path.rsplit("/", 1)[0] + "/" + "ñ" * 5000, 404, "no es válido"),
        (lambda path: path.rsplit("/", 1)[0] + "/..%2F..%2Fadmin", 404, ""),
    ],
    ids=["tampered", "wrong purpose", "NUL", "long", "dots"],
)
def test_a_bad_link_is_a_clear_page_never_an_error(  # type: ignore[no-untyped-def]
    client: FlaskClient, spoil, status: int, says: str
) -> None:
    user = create_user(Role.COORDINATOR, email="ana@riego.gob.cl")
    _ask(client, user.email)
    path = spoil(path_of(link_in(mails_to(user.email)[0])))
    for response in (client.get(path), _set_password(client, path)):
        assert response.status_code == status
        assert says in _text(response)
    assert login(client, user.email, PASSWORD).status_code == 302  # the password is unchanged


def test_a_used_or_expired_link_says_so_and_offers_a_new_one(
    app: Flask, client: FlaskClient
) -> None:
    user = create_user(Role.COORDINATOR, email="ana@riego.gob.cl")
    _ask(client, user.email)
    path = path_of(link_in(mails_to(user.email)[0]))
    _set_password(client, path)
    client.post("/salir")
    used = client.get(path)
    assert used.status_code == 410
    assert "Este enlace ya se usó" in _text(used)
    assert 'href="/cuenta/recuperar">Pedir un enlace nuevo</a>' in _text(used)
    again = _set_password(client, path, "todavia-otra-clave")
    assert again.status_code == 410
    assert login(client, user.email, NEW_PASSWORD).status_code == 302


# --- Admin: the import page and «Enviar enlace» --------------------------------------------


@pytest.fixture
def admin(client: FlaskClient, login_as: Any) -> User:
    create_institution("1306", "COMISION NACIONAL DE RIEGO")
    return login_as(create_user(Role.ADMIN))  # type: ignore[no-any-return]


def _upload(client: FlaskClient, data: bytes) -> Any:
    return client.post("/admin/usuarios/importar", data={"file": (BytesIO(data), "c.xlsx")})


def test_the_users_page_links_to_the_import_and_shows_accounts_without_password(
    client: FlaskClient, admin: User
) -> None:
    _pending()
    page = _text(client.get("/admin/usuarios"))
    assert 'href="/admin/usuarios/importar">Importar coordinadores</a>' in page
    assert "aún sin contraseña" in page


def test_each_account_s_button_enables_or_disables_it_and_names_it(
    client: FlaskClient, admin: User
) -> None:
    disabled = create_user(Role.DIPRES, name="Ana <Analista>", active=False)
    page = client.get("/admin/usuarios").get_data(as_text=True)
    for user, value, label in ((admin, "0", "Deshabilitar"), (disabled, "1", "Habilitar")):
        form = page.split(f'action="/admin/usuarios/{user.id}/estado"', 1)[1].split("</form>")[0]
        assert f'<input type="hidden" name="activo" value="{value}">' in form
        assert f'class="link-button">{label}<span class="visually-hidden"> a ' in form
    assert "a Ana &lt;Analista&gt;</span>" in page


def test_the_import_page_lists_the_accounts_created(client: FlaskClient, admin: User) -> None:
    page = _text(client.get("/admin/usuarios/importar"))
    assert "su nombre no cambia y no se le envía un enlace" in page
    response = _upload(client, coordinators_xlsx(("ana@riego.gob.cl", "Ana Pérez", "1306")))
    assert response.status_code == 200
    text = _text(response)
    assert "Importación completada" in text
    assert "created 1, updated 0, unchanged 0, skipped 0" in text
    assert "ana@riego.gob.cl" in text and "Cuenta creada; se envió el enlace" in text


def test_the_import_page_lists_every_problem_and_changes_nothing(
    client: FlaskClient, admin: User
) -> None:
    before = counts()
    response = _upload(
        client,
        coordinators_xlsx(("ana@riego.gob.cl", "Ana", "1306"), ("malo", "", "9999")),
    )
    assert response.status_code == 422
    text = _text(response)
    assert "No se importó nada: el archivo tiene 3 errores." in text
    for problem in ("«malo» no es un correo electrónico válido", "Falta el nombre", "9999"):
        assert problem in text
    assert counts() == before


def test_a_failure_midway_leaves_nothing_behind(
    client: FlaskClient, admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All or nothing down to the database: the second account's link fails, and the first
    account, its link and its mail are gone with it."""
    from pmg.auth import importer

    sent: list[str] = []
    send_link = importer.send_link

    def failing(user: User, *args: Any, **kwargs: Any) -> Any:
        sent.append(user.email)
        if len(sent) == 2:
            raise DomainError("El servidor no pudo preparar el enlace.")
        return send_link(user, *args, **kwargs)

    monkeypatch.setattr(importer, "send_link", failing)
    before = counts()
    data = coordinators_xlsx(
        ("ana@riego.gob.cl", "Ana", "1306"), ("eva@riego.gob.cl", "Eva", "1306")
    )
    response = _upload(client, data)
    assert response.status_code == 422
    assert "El servidor no pudo preparar el enlace." in _text(response)
    assert sent == ["ana@riego.gob.cl", "eva@riego.gob.cl"]
    assert counts() == before


def test_the_admin_sends_a_new_link(client: FlaskClient, admin: User) -> None:
    user = _pending()
    response = client.post(f"/admin/usuarios/{user.id}/enlace")
    assert response.headers["Location"] == f"/admin/usuarios/{user.id}"
    assert "Se envió a ana@riego.gob.cl un enlace" in _text(
        client.get(response.headers["Location"])
    )
    assert "/cuenta/activar/" in link_in(mails_to(user.email)[0])
    assert entries("user.password_link")[0].actor_id == admin.id


def test_a_disabled_account_gets_no_link_from_the_admin(client: FlaskClient, admin: User) -> None:
    user = create_user(Role.COORDINATOR, email="ana@riego.gob.cl", active=False)
    page = _text(client.get(f"/admin/usuarios/{user.id}"))
    assert "habilítela en" in page and f"/admin/usuarios/{user.id}/enlace" not in page
    response = client.post(f"/admin/usuarios/{user.id}/enlace", follow_redirects=True)
    assert "está deshabilitada: habilítela antes de enviarle un enlace" in _text(response)
    assert mails_to(user.email) == []
