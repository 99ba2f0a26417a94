from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from pmg.auth import operations
from pmg.auth.forms import UNKNOWN_INSTITUTION
from pmg.auth.models import User
from pmg.core.errors import Conflict, DomainError
from pmg.core.permissions import Role
from pmg.extensions import db
from tests.audit.trail import entries
from tests.conftest import login
from tests.factories import create_institution, create_user

NEW_PASSWORD = "clave-inicial-segura"


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def test_admin_creates_a_coordinator_with_institutions(client: FlaskClient, login_as) -> None:
    login_as(create_user(Role.ADMIN))
    first, second = create_institution("1306"), create_institution("3101_61")
    response = client.post(
        "/admin/usuarios/nuevo",
        data={
            "name": "Ana Pérez",
            "email": "Ana.Perez@Servicio.gob.cl",
            "role": "coordinator",
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "institutions": [str(first.id), str(second.id)],
        },
    )
    assert response.status_code == 302
    user = _user("ana.perez@servicio.gob.cl")
    assert user is not None
    assert user.role is Role.COORDINATOR
    assert sorted(i.code for i in user.institutions) == ["1306", "3101_61"]


def test_creating_a_coordinator_without_institution_shows_the_error_at_the_field(
    client: FlaskClient, login_as
) -> None:
    login_as(create_user(Role.ADMIN))
    response = client.post(
        "/admin/usuarios/nuevo",
        data={
            "name": "Sin Institución",
            "email": "sin@servicio.gob.cl",
            "role": "coordinator",
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Seleccione al menos una institución para un coordinador." in body
    assert 'value="sin@servicio.gob.cl"' in body
    assert _user("sin@servicio.gob.cl") is None


def test_creating_a_user_with_a_taken_email_is_refused(client: FlaskClient, login_as) -> None:
    login_as(create_user(Role.ADMIN))
    taken = create_user(Role.DIPRES)
    response = client.post(
        "/admin/usuarios/nuevo",
        data={
            "name": "Otra",
            "email": taken.email,
            "role": "dipres",
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 200
    assert f"Ya existe una cuenta con el correo {taken.email}." in response.get_data(as_text=True)


def test_admin_edits_role_and_institutions(client: FlaskClient, login_as) -> None:
    login_as(create_user(Role.ADMIN))
    user = create_user(Role.REVIEWER)
    institution = create_institution()
    response = client.post(
        f"/admin/usuarios/{user.id}",
        data={
            "name": "Nuevo Nombre",
            "email": user.email,
            "role": "coordinator",
            "institutions": [str(institution.id)],
        },
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.name, user.role) == ("Nuevo Nombre", Role.COORDINATOR)
    assert [i.id for i in user.institutions] == [institution.id]


def test_admin_list_filters_by_role_and_search(client: FlaskClient, login_as) -> None:
    login_as(create_user(Role.ADMIN, email="jefa@modernizacion.gob.cl"))
    create_user(Role.DIPRES, email="analista@dipres.gob.cl")
    body = client.get("/admin/usuarios?rol=dipres").get_data(as_text=True)
    assert "analista@dipres.gob.cl" in body
    assert "jefa@modernizacion.gob.cl" not in body
    body = client.get("/admin/usuarios?q=JEFA").get_data(as_text=True)
    assert "jefa@modernizacion.gob.cl" in body
    assert "analista@dipres.gob.cl" not in body


@pytest.mark.parametrize(
    ("typed", "emails"),
    [
        ("nunez", ["anunez@dipres.gob.cl"]),
        ("NÚÑEZ", ["anunez@dipres.gob.cl"]),
        ("andres", ["anunez@dipres.gob.cl"]),
        ("maria jose", ["mjpena@servicio.gob.cl"]),
        ("PEÑA", ["mjpena@servicio.gob.cl"]),
        ("DIPRES.GOB", ["anunez@dipres.gob.cl"]),
        ("_", ["ana_soto@servicio.gob.cl"]),
        ("a_s", ["ana_soto@servicio.gob.cl"]),
        ("%", []),
        ("\\", []),
        (
            "",
            [
                "ana_soto@servicio.gob.cl",
                "anunez@dipres.gob.cl",
                "jefa@modernizacion.gob.cl",
                "mjpena@servicio.gob.cl",
            ],
        ),
    ],
)
def test_admin_list_search_ignores_case_and_accents_and_reads_every_character_literally(
    client: FlaskClient, login_as, typed: str, emails: list[str]
) -> None:
    login_as(create_user(Role.ADMIN, email="jefa@modernizacion.gob.cl", name="Jefa Sistemas"))
    create_user(Role.REVIEWER, email="mjpena@servicio.gob.cl", name="María José Peña")
    create_user(Role.DIPRES, email="anunez@dipres.gob.cl", name="Andrés Núñez")
    create_user(Role.REVIEWER, email="ana_soto@servicio.gob.cl", name="Ana Soto")
    response = client.get("/admin/usuarios", query_string={"q": typed})
    assert response.status_code == 200
    assert re.findall(r"<td>([^<@\s]+@[^<]+)</td>", response.get_data(as_text=True)) == emails


def test_admin_cannot_disable_own_account(client: FlaskClient, login_as) -> None:
    admin = login_as(create_user(Role.ADMIN))
    response = client.post(f"/admin/usuarios/{admin.id}/estado", data={"activo": "0"})
    assert response.status_code == 302
    assert "No puede deshabilitar su propia cuenta." in client.get("/admin/usuarios").get_data(
        as_text=True
    )
    db.session.refresh(admin)
    assert admin.active


def test_disabled_user_can_be_enabled_again(client: FlaskClient, login_as) -> None:
    login_as(create_user(Role.ADMIN))
    user = create_user(Role.DIPRES, active=False)
    client.post(f"/admin/usuarios/{user.id}/estado", data={"activo": "1"})
    db.session.refresh(user)
    assert user.active
    assert login(client.application.test_client(), user.email).status_code == 302


def test_unknown_user_gives_404(client: FlaskClient, login_as) -> None:
    login_as(create_user(Role.ADMIN))
    assert client.get("/admin/usuarios/9999").status_code == 404


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.REVIEWER, Role.DIPRES])
def test_user_pages_are_for_admins_only(client: FlaskClient, login_as, role: Role) -> None:
    login_as(create_user(role))
    assert client.get("/admin/usuarios").status_code == 403


def test_operation_create_user_refuses_duplicate_email(app) -> None:
    create_user(Role.DIPRES, email="uno@dipres.gob.cl")
    with pytest.raises(Conflict, match=r"Ya existe una cuenta con el correo uno@dipres\.gob\.cl"):
        operations.create_user(
            email=" UNO@dipres.gob.cl ", name="Uno", role=Role.DIPRES, password=NEW_PASSWORD
        )


def test_operation_create_user_refuses_short_password(app) -> None:
    with pytest.raises(DomainError, match="al menos 10 caracteres"):
        operations.create_user(
            email="dos@dipres.gob.cl", name="Dos", role=Role.DIPRES, password="corta"
        )


def test_non_coordinators_keep_no_institutions(app) -> None:
    institution = create_institution()
    user = operations.create_user(
        email="tres@dipres.gob.cl",
        name="Tres",
        role=Role.DIPRES,
        password=NEW_PASSWORD,
        institutions=[institution],
    )
    assert user.institutions == []


class TestCreateUserCommand:
    def test_creates_an_admin_reading_the_password_from_stdin(self, runner) -> None:
        result = runner.invoke(
            args=["pmg", "create-user", "--email", "Admin@Modernizacion.gob.cl", "--role", "admin"],
            input=f"{NEW_PASSWORD}\n",
        )
        assert result.exit_code == 0, result.output
        expected = "Cuenta creada: admin@modernizacion.gob.cl (Administrador/a)"
        assert result.output.strip() == expected
        user = _user("admin@modernizacion.gob.cl")
        assert user is not None and user.role is Role.ADMIN

    def test_creates_a_coordinator_for_given_institutions(self, runner) -> None:
        create_institution("3101_61")
        result = runner.invoke(
            args=[
                "pmg", "create-user", "--email", "coord@servicio.gob.cl",
                "--role", "coordinator", "--institution", "3101_61",
            ],
            input=f"{NEW_PASSWORD}\n",
        )
        assert result.exit_code == 0, result.output
        assert [i.code for i in _user("coord@servicio.gob.cl").institutions] == ["3101_61"]

    @pytest.mark.parametrize(
        ("args", "password", "message"),
        [
            (["--role", "admin"], "corta", "al menos 10 caracteres"),
            (["--role", "coordinator"], NEW_PASSWORD, "al menos a una institución"),
            (["--role", "coordinator", "--institution", "0000"], NEW_PASSWORD, "código 0000"),
        ],
    )
    def test_refuses_with_a_message(self, runner, args, password, message) -> None:
        result = runner.invoke(
            args=["pmg", "create-user", "--email", "x@servicio.gob.cl", *args],
            input=f"{password}\n",
        )
        assert result.exit_code == 1
        assert message in result.output
        assert _user("x@servicio.gob.cl") is None


# --- The edit page as a browser sends it back ----------------------------------------------


class _OwnForm(HTMLParser):
    """What a browser sends for the form that posts to the page itself (no ``action``):
    its text fields, the selected option of each select and the checked checkboxes."""

    def __init__(self) -> None:
        super().__init__()
        self.values: list[tuple[str, str]] = []
        self._inside = False
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._inside = "action" not in found
        if not self._inside or ("name" not in found and tag != "option"):
            return
        if tag == "input" and (found.get("type") != "checkbox" or "checked" in found):
            self.values.append((found["name"], found.get("value", "")))
        elif tag == "select":
            self._select = found["name"]
        elif tag == "option" and self._select and "selected" in found:
            self.values.append((self._select, found.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._inside = False


def _sent_back(body: str) -> dict[str, list[str]]:
    parser = _OwnForm()
    parser.feed(body)
    sent: dict[str, list[str]] = {}
    for name, value in parser.values:
        sent.setdefault(name, []).append(value)
    return sent


def _checked(body: str) -> list[str]:
    return _sent_back(body).get("institutions", [])


@pytest.fixture
def coordinator_of_two(login_as) -> User:  # type: ignore[no-untyped-def]
    login_as(create_user(Role.ADMIN))
    create_institution("1303", "SUBSECRETARIA DE AGRICULTURA")
    riego = create_institution("1306", "COMISION NACIONAL DE RIEGO")
    fonasa = create_institution("3101_61", "FONDO NACIONAL DE SALUD")
    return create_user(
        Role.COORDINATOR,
        email="coordinadora@riego.gob.cl",
        name="Carla Coordinadora",
        institutions=[riego, fonasa],
    )


def _ids(user: User) -> list[str]:
    return sorted(str(institution.id) for institution in user.institutions)


def test_edit_page_checks_the_institutions_the_coordinator_has(
    client: FlaskClient, coordinator_of_two: User
) -> None:
    response = client.get(f"/admin/usuarios/{coordinator_of_two.id}")
    assert response.status_code == 200
    assert sorted(_checked(response.get_data(as_text=True))) == _ids(coordinator_of_two)


def test_edit_page_saved_unchanged_keeps_the_account_as_it_was(
    client: FlaskClient, coordinator_of_two: User
) -> None:
    path = f"/admin/usuarios/{coordinator_of_two.id}"
    sent = _sent_back(client.get(path).get_data(as_text=True))
    assert {name: values for name, values in sent.items() if name != "csrf_token"} == {
        "name": ["Carla Coordinadora"],
        "email": ["coordinadora@riego.gob.cl"],
        "role": ["coordinator"],
        "institutions": _ids(coordinator_of_two),
    }
    response = client.post(path, data=sent)
    assert response.status_code == 302
    db.session.refresh(coordinator_of_two)
    assert sorted(i.code for i in coordinator_of_two.institutions) == ["1306", "3101_61"]
    assert entries("user.update") == []


@pytest.mark.parametrize(
    "bad", ["riego", "99999999999999999999", "999999", "-1", "1.5"],
    ids=["text", "20 digits", "unknown id", "negative", "fraction"],
)
def test_edit_page_with_a_bad_institution_says_so_at_the_field(
    client: FlaskClient, coordinator_of_two: User, bad: str
) -> None:
    path = f"/admin/usuarios/{coordinator_of_two.id}"
    sent = _sent_back(client.get(path).get_data(as_text=True))
    sent["institutions"] = [*sent["institutions"], bad]
    response = client.post(path, data=sent)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    field = body[body.index("<legend>Instituciones</legend>") :].split("</fieldset>")[0]
    assert UNKNOWN_INSTITUTION in field
    db.session.refresh(coordinator_of_two)
    assert sorted(i.code for i in coordinator_of_two.institutions) == ["1306", "3101_61"]


def test_refused_password_keeps_the_account_form_as_the_account_is(
    client: FlaskClient, coordinator_of_two: User
) -> None:
    response = client.post(
        f"/admin/usuarios/{coordinator_of_two.id}/contrasena",
        data={"password": "corta", "confirm": "corta"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "La contraseña debe tener al menos 10 caracteres." in body
    sent = _sent_back(body)
    assert (sent["name"], sent["role"]) == (["Carla Coordinadora"], ["coordinator"])
    assert sorted(sent["institutions"]) == _ids(coordinator_of_two)


def test_edit_page_names_the_institutions_the_coordinator_has(
    client: FlaskClient, coordinator_of_two: User
) -> None:
    body = client.get(f"/admin/usuarios/{coordinator_of_two.id}").get_data(as_text=True)
    current = body[body.index('id="instituciones-actuales"') :].split("</p>")[0]
    assert " ".join(current.split()) == (
        'id="instituciones-actuales">Instituciones asociadas hoy: '
        "1306 · COMISION NACIONAL DE RIEGO; 3101_61 · FONDO NACIONAL DE SALUD."
    )
