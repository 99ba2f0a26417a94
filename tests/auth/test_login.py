from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient

from pmg.auth.models import LoginAttempt
from pmg.core.permissions import Role
from pmg.extensions import db
from tests.conftest import login
from tests.exports.queries import counting_queries
from tests.factories import PASSWORD, create_user


def test_login_with_valid_credentials_reaches_home(client: FlaskClient) -> None:
    user = create_user(Role.REVIEWER)
    response = login(client, user.email.upper())
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Bienvenido/a" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("email_kind", ["unknown", "wrong_password"])
def test_login_failure_gives_the_same_answer(client: FlaskClient, email_kind: str) -> None:
    user = create_user(Role.REVIEWER)
    if email_kind == "unknown":
        response = login(client, "nadie@servicio.gob.cl")
    else:
        response = login(client, user.email, "otra-clave-equivocada")
    assert response.status_code == 200
    assert "Correo o contraseña incorrectos." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_anonymous_visitor_is_sent_to_login_with_next(client: FlaskClient) -> None:
    response = client.get("/instituciones/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/ingresar?next=")


def test_logout_makes_a_copied_session_cookie_useless(app, client: FlaskClient) -> None:
    user = create_user(Role.ADMIN)
    login(client, user.email)
    copied = client.get_cookie("pmg_session").value
    assert client.get("/").status_code == 200

    client.post("/salir")
    thief = app.test_client()
    thief.set_cookie("pmg_session", copied)
    response = thief.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/ingresar")


def test_logout_requires_post(client: FlaskClient, login_as) -> None:
    login_as(create_user(Role.ADMIN))
    assert client.get("/salir").status_code == 405


def test_disabled_account_cannot_log_in(client: FlaskClient) -> None:
    user = create_user(Role.DIPRES, active=False)
    response = login(client, user.email)
    assert response.status_code == 200
    assert "Su cuenta está deshabilitada" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_disabling_an_account_ends_its_open_sessions(app, client: FlaskClient) -> None:
    admin = create_user(Role.ADMIN)
    victim = create_user(Role.DIPRES)
    other = app.test_client()
    login(other, victim.email)
    assert other.get("/").status_code == 200

    login(client, admin.email)
    response = client.post(f"/admin/usuarios/{victim.id}/estado", data={"activo": "0"})
    assert response.status_code == 302
    assert other.get("/").status_code == 302


def test_password_change_by_admin_ends_the_users_sessions(app, client: FlaskClient) -> None:
    admin = create_user(Role.ADMIN)
    user = create_user(Role.REVIEWER)
    other = app.test_client()
    login(other, user.email)
    login(client, admin.email)
    new_password = "una-clave-nueva-y-larga"
    response = client.post(
        f"/admin/usuarios/{user.id}/contrasena",
        data={"password": new_password, "confirm": new_password},
    )
    assert response.status_code == 302
    assert other.get("/").status_code == 302
    assert login(app.test_client(), user.email, PASSWORD).status_code == 200
    assert login(app.test_client(), user.email, new_password).status_code == 302


def test_own_password_change_keeps_this_session_and_ends_the_others(
    app, client: FlaskClient
) -> None:
    user = create_user(Role.COORDINATOR)
    elsewhere = app.test_client()
    login(elsewhere, user.email)
    login(client, user.email)
    response = client.post(
        "/cuenta/contrasena",
        data={
            "current": PASSWORD,
            "password": "otra-clave-segura-1",
            "confirm": "otra-clave-segura-1",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("corta", "al menos 10 caracteres"),
        ("          ", "Complete este campo."),
    ],
)
def test_own_password_change_refuses_weak_passwords(
    client: FlaskClient, login_as, password: str, message: str
) -> None:
    login_as(create_user(Role.REVIEWER))
    response = client.post(
        "/cuenta/contrasena", data={"current": PASSWORD, "password": password, "confirm": password}
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


class TestThrottling:
    def test_five_failures_block_even_the_right_password(self, client: FlaskClient) -> None:
        user = create_user(Role.REVIEWER)
        for _ in range(5):
            assert login(client, user.email, "equivocada-123").status_code == 200
        response = login(client, user.email)
        assert response.status_code == 429
        assert "Demasiados intentos fallidos" in response.get_data(as_text=True)

    def test_failures_from_one_address_block_other_accounts(self, client: FlaskClient) -> None:
        user = create_user(Role.REVIEWER)
        for number in range(5):
            login(client, f"desconocido{number}@servicio.gob.cl", "equivocada-123")
        assert login(client, user.email).status_code == 429

    def test_unknown_email_is_throttled_like_a_real_one(self, client: FlaskClient) -> None:
        for _ in range(5):
            login(client, "nadie@servicio.gob.cl", "equivocada-123")
        response = login(client, "nadie@servicio.gob.cl", "equivocada-123")
        assert response.status_code == 429

    def test_old_failures_do_not_count(self, app, client: FlaskClient) -> None:
        user = create_user(Role.REVIEWER)
        for _ in range(5):
            login(client, user.email, "equivocada-123")
        for attempt in db.session.scalars(db.select(LoginAttempt)):
            attempt.at = attempt.at - timedelta(minutes=16)
        db.session.commit()
        assert login(client, user.email).status_code == 302


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/instituciones/", "/instituciones/"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("http:/evil.example", "/"),
        ("instituciones", "/"),
    ],
)
def test_next_after_login_only_leads_to_this_site(
    client: FlaskClient, target: str, expected: str
) -> None:
    user = create_user(Role.ADMIN)
    response = client.post(
        "/ingresar", data={"email": user.email, "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_post_without_csrf_token_is_refused(client: FlaskClient) -> None:
    user = create_user(Role.ADMIN)
    response = client.post(
        "/ingresar", data={"email": user.email, "password": PASSWORD}, csrf=False
    )
    assert response.status_code == 400
    assert "El formulario expiró o no es válido" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_logout_without_csrf_token_is_refused(client: FlaskClient, login_as) -> None:
    login_as(create_user(Role.ADMIN))
    assert client.post("/salir", csrf=False).status_code == 400
    assert client.get("/").status_code == 200


class TestTimeouts:
    @pytest.fixture
    def app_config(self) -> dict[str, object]:
        return {
            "PMG_IDLE_TIMEOUT": timedelta(minutes=30),
            "PMG_ABSOLUTE_TIMEOUT": timedelta(hours=10),
        }

    @pytest.mark.parametrize(
        ("key", "age"),
        [("seen_at", timedelta(minutes=31)), ("auth_at", timedelta(hours=10, minutes=1))],
    )
    def test_an_old_session_leads_back_to_login(
        self, client: FlaskClient, login_as, key: str, age: timedelta
    ) -> None:
        login_as(create_user(Role.ADMIN))
        with client.session_transaction() as session:
            session[key] = session[key] - age.total_seconds()
        response = client.get("/instituciones/")
        assert response.status_code == 302
        assert response.headers["Location"] == "/ingresar?next=/instituciones/"
        assert client.get("/").status_code == 302

    def test_an_active_session_stays_open(self, client: FlaskClient, login_as) -> None:
        login_as(create_user(Role.ADMIN))
        with client.session_transaction() as session:
            session["seen_at"] -= timedelta(minutes=29).total_seconds()
        assert client.get("/").status_code == 200


def test_session_cookie_is_httponly_and_lax(client: FlaskClient) -> None:
    user = create_user(Role.ADMIN)
    response = login(client, user.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


@pytest.mark.parametrize("app_config", [{"PMG_PASSWORD_METHOD": "scrypt"}])
def test_passwords_are_stored_hashed_with_scrypt_by_default(client: FlaskClient) -> None:
    user = create_user(Role.ADMIN)
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith("scrypt:")
    assert login(client, user.email).status_code == 302


def test_the_signed_in_user_is_read_once_while_the_users_are_unchanged(
    client: FlaskClient, login_as
) -> None:
    """Kept (pmg.auth.sessions.load_user): a logout, a disabled account or a new password
    writes to users, and the tests above show each ends the session at the next request."""
    login_as(create_user(Role.DIPRES))
    assert client.get("/cuenta/contrasena").status_code == 200
    with counting_queries() as seen:
        assert client.get("/cuenta/contrasena").status_code == 200
    assert [statement for statement in seen if "FROM users" in statement] == []
