"""Every admin change and export is in the trail: actor, role, institution, before → after.

One table: what the admin does through the pages, and the entry it must leave.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from pmg.audit.operations import verify_chain
from pmg.audit.queries import last_entry_id
from pmg.auth.models import User
from pmg.core.permissions import Role
from pmg.cycles.models import Cycle
from pmg.extensions import db
from pmg.institutions.models import Institution
from tests.audit.trail import actor_of, entries, trail_text
from tests.cycles.test_routes import form_data
from tests.exports.reading import sheets
from tests.factories import create_cycle, create_institution, create_ministry, create_user
from tests.indicators.workbooks import complaints, consolidated_xlsx, official_workbook
from tests.institutions.workbooks import catalog_row, catalog_xlsx

NEW_PASSWORD = "clave-inicial-segura"


@dataclass
class World:
    admin: User
    institution: Institution
    cycle: Cycle
    other_cycle: Cycle
    target: User
    acted: dict[str, Any] = field(default_factory=dict)

    def user(self, email: str) -> User:
        return db.session.scalar(select(User).where(User.email == email))


def _windows(year: int) -> dict[str, date]:
    return {
        name: date.fromisoformat(value)
        for name, value in form_data(year).items()
        if name.endswith(("_start", "_end"))
    }


@pytest.fixture
def world(app, login_as) -> World:  # type: ignore[no-untyped-def]
    agriculture = create_ministry("MINISTERIO DE AGRICULTURA")
    institution = create_institution("1306", "COMISION NACIONAL DE RIEGO", ministry=agriculture)
    create_ministry("MINISTERIO DE SALUD")
    return World(
        admin=login_as(create_user(Role.ADMIN, email="jefa@modernizacion.gob.cl")),
        institution=institution,
        cycle=create_cycle(2026, **_windows(2026)),
        other_cycle=create_cycle(2025, current=False, **_windows(2025)),
        target=create_user(Role.DIPRES, email="analista@dipres.gob.cl"),
    )


@dataclass(frozen=True)
class Expected:
    object: tuple[str, Any]
    before: Any = None
    after: Any = None
    institution_id: int | None = None


@dataclass(frozen=True)
class Case:
    act: Callable[[FlaskClient, World], Any]
    expect: Callable[[World], Expected]


def _post_ok(client: FlaskClient, path: str, **kwargs: Any) -> Any:
    response = client.post(path, **kwargs)
    assert response.status_code in {200, 302}, response.get_data(as_text=True)
    return response


def _upload(client: FlaskClient, world: World, path: str, data: bytes) -> None:
    world.acted["sha256"] = hashlib.sha256(data).hexdigest()
    files = {"file": (BytesIO(data), "archivo.xlsx")}
    _post_ok(client, path, data=files, content_type="multipart/form-data")


def _create_user(client: FlaskClient, world: World) -> None:
    data = {
        "name": "Ana Pérez",
        "email": "Ana.Perez@Servicio.gob.cl",
        "role": "coordinator",
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
        "institutions": [str(world.institution.id)],
    }
    _post_ok(client, "/admin/usuarios/nuevo", data=data)


def _edit_user(client: FlaskClient, world: World) -> None:
    data = {"name": "Nuevo Nombre", "email": world.target.email, "role": "reviewer"}
    _post_ok(client, f"/admin/usuarios/{world.target.id}", data=data)


def _enable_user(client: FlaskClient, world: World) -> None:
    world.target.active = False
    db.session.commit()
    _post_ok(client, f"/admin/usuarios/{world.target.id}/estado", data={"activo": "1"})


def _edit_institution(client: FlaskClient, world: World) -> None:
    institution = world.institution
    data = {
        "name": "COMISIÓN NACIONAL DE RIEGO",
        "ministry_id": str(create_ministry("MINISTERIO DE SALUD").id),
        "stage": institution.stage.value,
        "mesu": institution.mesu.value,
        "category": institution.category.value,
        "commits_system": "y",
        "active": "y",
    }
    _post_ok(client, "/instituciones/1306/editar", data=data)


def _download(client: FlaskClient, world: World, path: str) -> None:
    world.acted["last_id"] = last_entry_id()
    response = client.get(path)
    assert response.status_code == 200
    world.acted["sheets"] = {
        title: len(rows) - 1 for title, rows in sheets(response.get_data()).items()
    }


CATALOG = [
    catalog_row("1306", ETAPA="Etapa 2"),
    catalog_row("3101_61", SERVICIO="FONDO NACIONAL DE SALUD", MINISTERIO="MINISTERIO DE SALUD"),
]
CYCLE_2027 = {
    "year": 2027,
    "reference_year": 2026,
    **{name: value for name, value in form_data(2027).items() if name.endswith(("start", "end"))},
}
ADMIN_CASES: dict[str, Case] = {
    "user.create": Case(
        _create_user,
        lambda w: Expected(
            ("User", w.user("ana.perez@servicio.gob.cl").id),
            after={
                "email": "ana.perez@servicio.gob.cl",
                "name": "Ana Pérez",
                "role": "coordinator",
                "active": True,
                "institutions": ["1306"],
            },
        ),
    ),
    "user.update": Case(
        _edit_user,
        lambda w: Expected(
            ("User", w.target.id),
            before={"name": "Persona Analista DIPRES", "role": "dipres"},
            after={"name": "Nuevo Nombre", "role": "reviewer"},
        ),
    ),
    "user.disable": Case(
        lambda c, w: _post_ok(c, f"/admin/usuarios/{w.target.id}/estado", data={"activo": "0"}),
        lambda w: Expected(("User", w.target.id), {"active": True}, {"active": False}),
    ),
    "user.enable": Case(
        _enable_user,
        lambda w: Expected(("User", w.target.id), {"active": False}, {"active": True}),
    ),
    "user.password_set": Case(
        lambda c, w: _post_ok(
            c,
            f"/admin/usuarios/{w.target.id}/contrasena",
            data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        ),
        lambda w: Expected(
            ("User", w.target.id), after={"changed": ["password"], "sessions_ended": True}
        ),
    ),
    "institution.update": Case(
        _edit_institution,
        lambda w: Expected(
            ("Institution", w.institution.id),
            before={"name": "COMISION NACIONAL DE RIEGO", "ministry": "MINISTERIO DE AGRICULTURA"},
            after={"name": "COMISIÓN NACIONAL DE RIEGO", "ministry": "MINISTERIO DE SALUD"},
            institution_id=w.institution.id,
        ),
    ),
    "catalog.import": Case(
        lambda c, w: _upload(c, w, "/instituciones/importar", catalog_xlsx(CATALOG)),
        lambda w: Expected(
            ("ImportedFile", w.acted["sha256"]),
            after={"created": 1, "updated": 1, "unchanged": 0, "skipped": 0},
        ),
    ),
    "indicators.import": Case(
        lambda c, w: _upload(
            c,
            w,
            "/admin/indicadores/importar",
            consolidated_xlsx("reclamos", [2025], [complaints("1306", 2025)]),
        ),
        lambda w: Expected(
            ("ImportedFile", w.acted["sha256"]),
            after={
                "layout": "reclamos",
                "years": [2025],
                "cycle_year": 2026,
                "cycle_created": False,
                "created": 1,
                "updated": 0,
                "unchanged": 0,
                "skipped": 0,
            },
        ),
    ),
    "cycle.create": Case(
        lambda c, w: _post_ok(c, "/admin/ciclos/nuevo", data=form_data(2027)),
        lambda w: Expected(("Cycle", w.cycle.id + 2), after=CYCLE_2027),
    ),
    "cycle.update": Case(
        lambda c, w: _post_ok(
            c, "/admin/ciclos/2026/editar", data=form_data(2026, diagnostic_end="2026-04-29")
        ),
        lambda w: Expected(
            ("Cycle", w.cycle.id),
            {"diagnostic_end": "2026-04-30"},
            {"diagnostic_end": "2026-04-29"},
        ),
    ),
    "cycle.make_current": Case(
        lambda c, w: _post_ok(c, "/admin/ciclos/2025/vigente"),
        lambda w: Expected(
            ("Cycle", w.other_cycle.id), {"current_year": 2026}, {"current_year": 2025}
        ),
    ),
    "export.consolidated": Case(
        lambda c, w: _download(c, w, "/reportes/consolidado.xlsx?ciclo=2026&desde=2024&hasta=2025"),
        lambda w: Expected(
            ("Cycle", w.cycle.id),
            after={"cycle_year": 2026, "years": [2024, 2025], "rows": w.acted["sheets"]},
        ),
    ),
    "export.audit": Case(
        lambda c, w: _download(c, w, "/admin/auditoria.xlsx?accion=auth.login"),
        lambda w: Expected(
            ("AuditTrail", w.acted["last_id"]),
            after={"filters": {"accion": "auth.login"}, "rows": 1},
        ),
    ),
}


@pytest.mark.parametrize("action", ADMIN_CASES)
def test_admin_action_is_recorded(client: FlaskClient, world: World, action: str) -> None:
    case = ADMIN_CASES[action]
    case.act(client, world)
    db.session.expire_all()
    expected = case.expect(world)
    [entry] = [e for e in entries(action) if e.actor_id == world.admin.id]
    assert actor_of(entry) == (world.admin.id, "jefa@modernizacion.gob.cl", "admin")
    assert (entry.object_type, entry.object_id) == (expected.object[0], str(expected.object[1]))
    assert entry.institution_id == expected.institution_id
    assert (entry.before, entry.after) == (expected.before, expected.after)
    assert verify_chain().ok


def test_no_password_or_hash_ever_reaches_the_trail(client: FlaskClient, world: World) -> None:
    _create_user(client, world)
    ADMIN_CASES["user.password_set"].act(client, world)
    db.session.expire_all()
    text = trail_text()
    for user in (world.user("ana.perez@servicio.gob.cl"), world.target):
        assert user.password_hash not in text
        assert user.session_token not in text
    assert NEW_PASSWORD not in text
    assert "pbkdf2" not in text


@pytest.mark.parametrize(
    ("action", "path", "data"),
    [
        ("cycle.create", "/admin/ciclos/nuevo", form_data(2026)),  # the year is taken
        (
            "user.create",
            "/admin/usuarios/nuevo",
            {
                "name": "X",
                "email": "analista@dipres.gob.cl",
                "role": "dipres",
                "password": NEW_PASSWORD,
                "confirm": NEW_PASSWORD,
            },
        ),
    ],
)
def test_a_refused_change_leaves_no_entry(
    client: FlaskClient, world: World, action: str, path: str, data: dict[str, Any]
) -> None:
    before = [entry.id for entry in entries(action)]
    assert client.post(path, data=data).status_code in {200, 422}
    assert [entry.id for entry in entries(action)] == before


def test_a_failed_import_leaves_no_entry(client: FlaskClient, world: World) -> None:
    broken = catalog_xlsx([("M", "S")], headers=("MINISTERIO", "SERVICIO"))
    files = {"file": (BytesIO(broken), "catalogo.xlsx")}
    response = client.post(
        "/instituciones/importar", data=files, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert entries("catalog.import") == []


def test_saving_without_changes_leaves_no_entry(client: FlaskClient, world: World) -> None:
    _post_ok(client, "/admin/ciclos/2026/editar", data=form_data(2026))
    _post_ok(
        client,
        f"/admin/usuarios/{world.target.id}",
        data={"name": world.target.name, "email": world.target.email, "role": "dipres"},
    )
    assert entries("cycle.update") == entries("user.update") == []


def test_creating_the_first_cycle_also_makes_it_current(client: FlaskClient, login_as) -> None:
    admin = login_as(create_user(Role.ADMIN))
    _post_ok(client, "/admin/ciclos/nuevo", data=form_data(2027))
    [made_current] = entries("cycle.make_current")
    assert made_current.actor_id == admin.id
    assert (made_current.before, made_current.after) == (
        {"current_year": None},
        {"current_year": 2027},
    )


def test_cycle_created_by_an_indicators_import_names_the_admin(
    client: FlaskClient,
    login_as,  # type: ignore[no-untyped-def]
) -> None:
    admin = login_as(create_user(Role.ADMIN))
    data = official_workbook("saip", [create_institution("1306")], [2024], seed=1)
    files = {"file": (BytesIO(data), "saip.xlsx"), "cycle_year": "2030"}
    _post_ok(client, "/admin/indicadores/importar", data=files, content_type="multipart/form-data")
    created, imported = entries("cycle.create"), entries("indicators.import")
    assert [(e.actor_id, e.after["year"]) for e in created] == [(admin.id, 2030)]
    assert [(e.actor_id, e.after["cycle_created"]) for e in imported] == [(admin.id, True)]
    assert created[0].id < imported[0].id
