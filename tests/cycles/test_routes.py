from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from pmg.core.permissions import Role
from pmg.cycles.models import Cycle, WindowKind
from pmg.cycles.queries import chile_today
from pmg.extensions import db
from tests.exports.queries import counting_queries
from tests.factories import create_cycle, create_user


def form_data(cycle_year: int = 2026, **changes: str) -> dict[str, str]:
    year = cycle_year
    data = {
        "year": str(year),
        "reference_year": "",
        "diagnostic_start": f"{year}-03-02",
        "diagnostic_end": f"{year}-04-30",
        "plan_start": f"{year}-05-04",
        "plan_end": f"{year}-06-30",
        "review_start": f"{year}-07-01",
        "review_end": f"{year}-08-31",
        "correction_start": f"{year}-09-01",
        "correction_end": f"{year}-09-30",
        "close_start": f"{year}-10-01",
        "close_end": f"{year}-12-31",
        "execution_start": f"{year}-01-01",
        "execution_end": f"{year}-12-31",
    }
    data.update(changes)
    return data


def cycle(year: int) -> Cycle | None:
    return db.session.scalar(select(Cycle).where(Cycle.year == year))


def current_years() -> list[int]:
    return list(db.session.scalars(select(Cycle.year).where(Cycle.is_current.is_(True))))


@pytest.fixture
def admin(login_as: Any) -> Any:
    return login_as(create_user(Role.ADMIN))


# --- Access --------------------------------------------------------------------------------

PAGES = [
    ("get", "/admin/ciclos/"),
    ("get", "/admin/ciclos/nuevo"),
    ("post", "/admin/ciclos/nuevo"),
    ("get", "/admin/ciclos/2026/editar"),
    ("post", "/admin/ciclos/2026/editar"),
    ("post", "/admin/ciclos/2026/vigente"),
]


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.REVIEWER, Role.DIPRES])
@pytest.mark.parametrize(("method", "url"), PAGES)
def test_cycle_pages_are_forbidden_to_other_roles(
    client: FlaskClient, login_as: Any, role: Role, method: str, url: str
) -> None:
    create_cycle(2026)
    login_as(create_user(role))
    response = getattr(client, method)(url, data=form_data(2027) if method == "post" else None)
    assert response.status_code == 403
    assert [c.year for c in db.session.scalars(select(Cycle))] == [2026]


@pytest.mark.parametrize(("method", "url"), PAGES)
def test_cycle_pages_send_anonymous_visitors_to_login(
    client: FlaskClient, method: str, url: str
) -> None:
    create_cycle(2026)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/ingresar")


# --- The list ------------------------------------------------------------------------------


def test_index_lists_cycles_with_the_current_one_and_windows(
    client: FlaskClient, admin: Any
) -> None:
    create_cycle(2025, current=False, diagnostic_start=date(2025, 3, 3))
    create_cycle(2026)
    body = client.get("/admin/ciclos/").get_data(as_text=True)
    assert "<caption" in body
    assert '<th scope="row">2026</th>' in body
    assert '<th scope="row">2025</th>' in body
    assert body.index(">2026</th>") < body.index(">2025</th>")
    assert body.count("<strong>Vigente</strong>") == 1
    assert "3 de marzo de 2025 al" in body
    for kind in WindowKind:
        assert f'<th scope="col">{kind.label}</th>' in body
    assert 'action="/admin/ciclos/2025/vigente"' in body
    # The row's button names its cycle for a screen reader.
    assert (
        '· <button type="submit" class="link-button">Marcar como vigente'
        '<span class="visually-hidden"> el ciclo 2025</span></button>'
    ) in body
    assert 'action="/admin/ciclos/2026/vigente"' not in body
    assert '<th scope="col">Ejecución del plan</th>' in body
    assert "<td>1 de enero de 2026 al 31 de diciembre de 2026</td>" in body


def test_index_without_cycles_invites_to_create_one(client: FlaskClient, admin: Any) -> None:
    body = client.get("/admin/ciclos/").get_data(as_text=True)
    assert "Aún no hay ciclos." in body


# --- Creating ------------------------------------------------------------------------------


def test_new_cycle_form_groups_each_window_in_a_fieldset(client: FlaskClient, admin: Any) -> None:
    response = client.get("/admin/ciclos/nuevo")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    for kind in WindowKind:
        assert f"<legend>{kind.label}</legend>" in body
        for end in ("start", "end"):
            name = f"{kind.value}_{end}"
            assert f'<label for="{name}">' in body
            assert re.search(rf'<input [^>]*id="{name}"[^>]*type="date"', body)
    assert '<label for="year">Año del ciclo</label>' in body
    assert 'aria-describedby="reference_year-ayuda"' in body
    assert "<legend>Ejecución del plan de mejora</legend>" in body
    year = chile_today().year
    for name, value in (("execution_start", f"{year}-01-01"), ("execution_end", f"{year}-12-31")):
        assert f'id="{name}" name="{name}" required type="date" value="{value}"' in body


def test_new_cycle_form_suggests_the_year_after_the_latest_cycle(
    client: FlaskClient, admin: Any
) -> None:
    body = client.get("/admin/ciclos/nuevo").get_data(as_text=True)
    assert f'name="year" required type="number" value="{chile_today().year}"' in body
    create_cycle(chile_today().year + 1)
    body = client.get("/admin/ciclos/nuevo").get_data(as_text=True)
    assert f'name="year" required type="number" value="{chile_today().year + 2}"' in body


def test_admin_creates_a_cycle(client: FlaskClient, admin: Any) -> None:
    response = client.post("/admin/ciclos/nuevo", data=form_data(2026))
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/ciclos/"
    created = cycle(2026)
    assert created is not None
    assert (created.reference_year, created.is_current) == (2025, True)
    assert created.window(WindowKind.CLOSE) == (date(2026, 10, 1), date(2026, 12, 31))
    assert created.execution_period == (date(2026, 1, 1), date(2026, 12, 31))
    page = client.get("/admin/ciclos/").get_data(as_text=True)
    assert "Se creó el ciclo 2026 y quedó como ciclo vigente." in page


def test_admin_creates_a_cycle_and_makes_it_current(client: FlaskClient, admin: Any) -> None:
    create_cycle(2025)
    response = client.post(
        "/admin/ciclos/nuevo", data=form_data(2026, reference_year="2024", make_current="y")
    )
    assert response.status_code == 302
    assert current_years() == [2026]
    assert cycle(2026).reference_year == 2024


def test_new_cycle_without_make_current_keeps_the_current_one(
    client: FlaskClient, admin: Any
) -> None:
    create_cycle(2025)
    client.post("/admin/ciclos/nuevo", data=form_data(2026))
    assert current_years() == [2025]


def test_rule_broken_shows_the_error_at_the_field_and_keeps_the_input(
    client: FlaskClient, admin: Any
) -> None:
    response = client.post("/admin/ciclos/nuevo", data=form_data(2026, plan_start="2026-03-01"))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    message = (
        "No puede comenzar antes que «Envío del diagnóstico», que comienza el 2 de marzo de 2026."
    )
    assert '<p class="field-error" id="plan_start-error">' in body
    assert message in body
    assert '<input aria-describedby="plan_start-error" aria-invalid="true" id="plan_start"' in body
    assert f'<a href="#plan_start">Envío del plan de mejora, fecha de inicio: {message}</a>' in body
    assert 'value="2026-03-01"' in body
    assert cycle(2026) is None


def test_duplicate_year_is_shown_at_the_year_field(client: FlaskClient, admin: Any) -> None:
    create_cycle(2026)
    response = client.post("/admin/ciclos/nuevo", data=form_data(2026))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="year-error"' in body
    assert "Ya existe el ciclo 2026." in body


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"diagnostic_start": "31-02-2026"}, "diagnostic_start", "Escriba una fecha válida"),
        ({"review_end": ""}, "review_end", "Complete este campo."),
        ({"year": "dos mil"}, "year", "Escriba un año de cuatro cifras"),
        ({"reference_year": "x"}, "reference_year", "Escriba un año de cuatro cifras"),
    ],
    ids=["unreadable date", "missing date", "unreadable year", "unreadable reference year"],
)
def test_unreadable_input_is_refused_at_the_field(
    client: FlaskClient, admin: Any, changes: dict[str, str], field: str, message: str
) -> None:
    response = client.post("/admin/ciclos/nuevo", data=form_data(2026, **changes))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(rf'<p class="field-error" id="{field}-error">(.*?)</p>', body, re.S)
    assert error and message in error.group(1)
    for value in changes.values():
        assert f'value="{value}"' in body or value == ""
    assert cycle(2026) is None


# --- Editing -------------------------------------------------------------------------------


def test_edit_form_shows_the_cycle(client: FlaskClient, admin: Any) -> None:
    create_cycle(2026, plan_start=date(2026, 5, 4))
    body = client.get("/admin/ciclos/2026/editar").get_data(as_text=True)
    assert "Editar ciclo 2026" in body
    assert (
        '<input id="plan_start" name="plan_start" required type="date" value="2026-05-04">' in body
    )
    assert 'id="make_current"' not in body


def test_admin_edits_a_cycle(client: FlaskClient, admin: Any) -> None:
    create_cycle(2026)
    response = client.post(
        "/admin/ciclos/2026/editar",
        data=form_data(2026, reference_year="2024", close_end="2027-01-31"),
    )
    assert response.status_code == 302
    edited = cycle(2026)
    assert edited.reference_year == 2024
    assert edited.window(WindowKind.CLOSE) == (date(2026, 10, 1), date(2027, 1, 31))
    assert edited.is_current


def test_admin_sets_an_execution_period_across_years(client: FlaskClient, admin: Any) -> None:
    create_cycle(2026)
    data = form_data(2026, execution_start="2026-07-01", execution_end="2027-06-30")
    assert client.post("/admin/ciclos/2026/editar", data=data).status_code == 302
    assert cycle(2026).execution_period == (date(2026, 7, 1), date(2027, 6, 30))


def test_an_execution_period_out_of_order_is_shown_at_its_field(
    client: FlaskClient, admin: Any
) -> None:
    create_cycle(2026)
    data = form_data(2026, execution_start="2026-07-01", execution_end="2026-06-30")
    response = client.post("/admin/ciclos/2026/editar", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert (
        '<a href="#execution_end">Ejecución del plan de mejora, fecha de término: '
        "La fecha de término no puede ser anterior a la de inicio.</a>"
    ) in body
    assert 'id="execution_end-error"' in body
    assert cycle(2026).execution_period == (date(2026, 1, 1), date(2026, 12, 31))


def test_edit_refused_keeps_the_cycle_unchanged(client: FlaskClient, admin: Any) -> None:
    create_cycle(2026, close_end=date(2026, 12, 31))
    response = client.post(
        "/admin/ciclos/2026/editar", data=form_data(2026, close_end="2028-01-01")
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "La fecha debe estar entre el 1 de enero de 2025 y el 31 de diciembre de 2027." in body
    assert 'value="2028-01-01"' in body
    assert cycle(2026).close_end == date(2026, 12, 31)


def test_editing_an_unknown_cycle_is_not_found(client: FlaskClient, admin: Any) -> None:
    assert client.get("/admin/ciclos/1999/editar").status_code == 404
    assert client.post("/admin/ciclos/1999/vigente").status_code == 404


# --- The current cycle ---------------------------------------------------------------------


def test_admin_switches_the_current_cycle(client: FlaskClient, admin: Any) -> None:
    create_cycle(2025)
    create_cycle(2026, current=False)
    assert "Ciclo vigente: <strong>2025</strong>" in client.get("/").get_data(as_text=True)
    response = client.post("/admin/ciclos/2026/vigente")
    assert response.status_code == 302
    assert current_years() == [2026]
    page = client.get("/admin/ciclos/").get_data(as_text=True)
    assert "El ciclo 2026 quedó como ciclo vigente." in page
    assert "Ciclo vigente: <strong>2026</strong>" in page
    client.post("/admin/ciclos/2025/vigente")
    assert current_years() == [2025]


def test_the_current_cycle_is_read_once_while_the_cycles_are_unchanged(
    client: FlaskClient, admin: Any
) -> None:
    """Kept (pmg.cycles.queries.current_cycle): the switch above shows at the next page."""
    create_cycle(2025)
    assert client.get("/cuenta/contrasena").status_code == 200
    with counting_queries() as seen:
        page = client.get("/cuenta/contrasena").get_data(as_text=True)
    assert "Ciclo vigente: <strong>2025</strong>" in page
    assert [statement for statement in seen if "FROM cycles" in statement] == []


@pytest.mark.parametrize(
    ("role", "url"),
    [
        (Role.ADMIN, "/"),
        (Role.ADMIN, "/admin/ciclos/"),
        (Role.ADMIN, "/admin/ciclos/nuevo"),
        (Role.ADMIN, "/admin/usuarios"),
        (Role.COORDINATOR, "/"),
        (Role.REVIEWER, "/cuenta/contrasena"),
        (Role.DIPRES, "/"),
    ],
)
def test_current_cycle_is_shown_in_the_header(
    client: FlaskClient, login_as: Any, role: Role, url: str
) -> None:
    create_cycle(2026)
    login_as(create_user(role))
    body = client.get(url).get_data(as_text=True)
    assert "Ciclo vigente: <strong>2026</strong>" in body
    assert "(año de referencia 2025)" in body


def test_home_shows_the_windows_of_the_current_cycle_with_their_state(
    client: FlaskClient, login_as: Any
) -> None:
    today = chile_today()
    create_cycle(
        today.year,
        diagnostic_start=today - timedelta(days=40),
        diagnostic_end=today - timedelta(days=1),
        plan_start=today - timedelta(days=20),
        plan_end=today + timedelta(days=20),
        review_start=today + timedelta(days=1),
        review_end=today + timedelta(days=60),
    )
    login_as(create_user(Role.COORDINATOR))
    body = client.get("/").get_data(as_text=True)
    assert "<caption" in body
    rows = re.findall(
        r'<tr>\s*<th scope="row">(.*?)</th>\s*<td>(.*?)</td>\s*<td>(.*?)</td>'
        r"\s*<td[^>]*>(.*?)</td>",
        body,
    )
    assert (
        f"Ejecución de los planes de mejora: del 1 de enero de {today.year} "
        f"al 31 de diciembre de {today.year}."
    ) in body
    assert [(label, state) for label, _, _, state in rows][:3] == [
        ("Envío del diagnóstico", "Cerrado"),
        ("Envío del plan de mejora", "Abierto"),
        ("Revisión", "Próximo"),
    ]
    assert len(rows) == 5
