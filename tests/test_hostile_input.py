"""No request the application can receive answers 500: every route, every role.

Path: every ``int`` segment of every rule is filled with a number the database cannot hold
(or that no row can have) while the other segments name real data; the answer is 404 for
everyone, signed in or not. Query strings: every argument a GET route reads is set, one at a
time, to hostile text; the answer is never 500 (ANSWERS says what some of them answer).

The data (the authorization table's) is built once for the module; PostgreSQL is shared
with no other test meanwhile: every test here uses ``world``, never the per-test ``app``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import Rule
from werkzeug.routing.converters import BaseConverter, UnicodeConverter

from pmg import create_app
from pmg.auth.links import send_link
from pmg.auth.models import User
from pmg.core.forms import DATE_OUT_OF_RANGE, INVALID_CHOICE
from pmg.core.permissions import Role
from pmg.core.routing import DB_INT_MAX, NUL_REFUSED, DatabaseIntegerConverter
from pmg.extensions import db
from tests.auth.accounts import link_in, mails_to
from tests.conftest import login, shared_app
from tests.test_authorization import build_world

# Path numbers beyond the 32-bit integer columns, beyond 64 bits, and negative: no rule
# matches them.
OUT_OF_RANGE = {
    "20-digits": "12345678901234567890",
    "2**31": str(2**31),
    "2**63": str(2**63),
    "negative": "-1",
}
HOSTILE_ARGS = {
    "20-digits": "12345678901234567890",
    "2**31": str(2**31),
    "negative": "-1",
    "1e5000": "1e5000",
    "NaN": "NaN",
    "empty": "",
    "10000-digits": "9" * 10_000,
    "10000-letters": "ñ" * 10_000,
    "NUL": "\x00",
    "superscript-year": "²⁰²⁶",
    "arabic-indic-year": "٢٠٢٦",
    "first-date": "0001-01-01",
    "last-date": "9999-12-31",
}
# Text in place of an institution code in a path.
HOSTILE_TEXT = {
    "NUL": "\x00",
    "10000-letters": "ñ" * 10_000,
    "superscript": "²",
    "percent": "%",
    "quote": "'",
}
# The filters of the institution list and of its downloads (the page also reads ``pagina``).
LISTING_ARGS = (
    "atrasadas", "categoria", "ciclo", "diagnostico", "etapa", "ministerio", "plan", "q"
)
# The query-string arguments each GET route reads (test_query_args_are_all_listed checks
# the table against what the routes really read).
QUERY_ARGS: dict[str, tuple[str, ...]] = {
    "auth.login": ("next",),
    "auth.users": ("pagina", "q", "rol"),
    "workspace.home": ("ciclo", "indicador", "institucion"),
    "dashboard.cycle_report": ("ciclo", "institucion"),
    "dashboard.institutions": tuple(sorted((*LISTING_ARGS, "pagina"))),
    "dashboard.institutions_xlsx": LISTING_ARGS,
    "dashboard.institutions_csv": LISTING_ARGS,
    "exports.index": ("ciclo", "desde", "hasta"),
    "exports.consolidated": ("ciclo", "desde", "hasta"),
    "review.queue": (
        "estado",
        "etapa",
        "marcado",
        "ministerio",
        "orden",
        "pagina",
        "q",
        "revisor",
        "sentido",
        "tipo",
        "vence_hasta",
    ),
    "audit.index": ("accion", "correo", "desde", "hasta", "institucion", "pagina"),
    "audit.export": ("accion", "correo", "desde", "hasta", "institucion"),
    "notifications.outbox": ("estado", "pagina"),
    "api.institution": ("cycle",),
    "api.institution_indicators": ("year",),
    "api.institutions": ("cycle", "diagnostic", "ministry", "page", "per_page", "plan", "stage"),
    "api.submissions": (
        "cycle", "institution", "kind", "ministry", "page", "per_page", "stage", "state"
    ),
    "api.institutions_csv": ("cycle", "diagnostic", "ministry", "plan", "stage"),
    "api.submissions_csv": ("cycle", "institution", "kind", "ministry", "stage", "state"),
    "api.sheet": ("page", "per_page"),
}


@dataclass
class World:
    app: Flask
    clients: dict[Role | None, FlaskClient]
    # A real value for each path segment name: institution code, slug, year, ids.
    values: dict[str, str]


@pytest.fixture(scope="module")
def world(migrated_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with shared_app(migrated_database, tmp_path_factory.mktemp("hostile")) as app:
        values = _build_data()
        clients: dict[Role | None, FlaskClient] = {None: app.test_client()}
        for role in Role:
            clients[role] = app.test_client()
            assert login(clients[role], values[role.value]).status_code == 302
            # The API reads the token, the pages the session: each client carries both.
            bearer = values[f"bearer-{role.value}"]
            clients[role].environ_base["HTTP_AUTHORIZATION"] = f"Bearer {bearer}"
        yield World(app, clients, values)


def _build_data() -> dict[str, str]:
    """The data of the authorization table, under the names of the rules' segments; a link
    to set a password mailed to its other user (``token``)."""
    values = build_world()
    target = db.session.get(User, int(values["user"]))
    assert target is not None
    send_link(target, actor=None)
    db.session.commit()
    return {
        **values,
        "token": link_in(mails_to(target.email)[-1]).rsplit("/", 1)[1],
        "slug": "diagnostico",
        "number": "1",
        "user_id": values["user"],
        "evidence_id": values["evidence"],
        "package_id": values["package"],
        "token_id": values["token"],
        "submission_id": values["submission"],
        "version_id": values["version"],
        "filename": "css/app.css",
        "name": "reclamos",
    }


@cache
def _rules() -> list[Rule]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "rules"})
    return sorted(app.url_map.iter_rules(), key=lambda rule: (rule.rule, rule.endpoint))


def _segments(kind: type[BaseConverter]) -> list[tuple[str, str, str]]:
    """(endpoint, method, segment) for every segment of every rule converted by ``kind``."""
    return [
        (rule.endpoint, method, name)
        for rule in _rules()
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
        for name, converter in rule._converters.items()
        if type(converter) is kind
    ]


def _path(app: Flask, endpoint: str, method: str, values: dict[str, str]) -> str:
    """The rule's path with each segment taken from ``values`` (even values it would refuse)."""
    rule = next(r for r in app.url_map.iter_rules(endpoint) if method in (r.methods or ()))
    built = rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)
    assert built is not None
    return built[1]


def _send(client: FlaskClient, method: str, path: str, form: dict[str, str] | None = None) -> Any:
    return client.post(path, data=form or {}) if method == "POST" else client.get(path)


def _name(role: Role | None) -> str:
    return role.value if role else "anonymous"


def _statuses(world: World, method: str, path: str) -> dict[str, int]:
    return {
        _name(role): _send(client, method, path).status_code
        for role, client in world.clients.items()
    }


@pytest.mark.parametrize("value", OUT_OF_RANGE.values(), ids=OUT_OF_RANGE.keys())
@pytest.mark.parametrize(("endpoint", "method", "segment"), _segments(DatabaseIntegerConverter))
def test_path_number_out_of_range_is_404_for_everyone(
    world: World, endpoint: str, method: str, segment: str, value: str
) -> None:
    path = _path(world.app, endpoint, method, {**world.values, segment: value})
    assert _statuses(world, method, path) == dict.fromkeys(map(_name, world.clients), 404)


@pytest.mark.parametrize(("endpoint", "method", "segment"), _segments(DatabaseIntegerConverter))
def test_path_number_at_the_top_of_the_range_is_404_for_who_may_see(
    world: World, endpoint: str, method: str, segment: str
) -> None:
    """The largest number the database holds reaches the route (and finds nothing); the
    API answers a role it does not serve 404 too, as what does not exist."""
    path = _path(world.app, endpoint, method, {**world.values, segment: str(DB_INT_MAX)})
    allowed = world.app.view_functions[endpoint].allowed_roles
    api = path.startswith("/api/")
    anonymous = 401 if api else 302  # no token; or not signed in
    expected = {
        _name(role): anonymous if role is None else 404 if role in allowed or api else 403
        for role in world.clients
    }
    assert _statuses(world, method, path) == expected


@pytest.mark.parametrize("value", HOSTILE_TEXT.values(), ids=HOSTILE_TEXT.keys())
@pytest.mark.parametrize(("endpoint", "method", "segment"), _segments(UnicodeConverter))
def test_hostile_path_text_never_answers_500(
    world: World, endpoint: str, method: str, segment: str, value: str
) -> None:
    path = _path(world.app, endpoint, method, {**world.values, segment: value})
    statuses = _statuses(world, method, path)
    assert max(statuses.values()) < 500, statuses


def _readers(app: Flask, endpoint: str) -> list[Role | None]:
    """Who reaches the route's code: its roles, or anonymous for a public route."""
    allowed = getattr(app.view_functions[endpoint], "allowed_roles", None)
    return sorted(allowed, key=list(Role).index) if allowed else [None]


@pytest.mark.parametrize("value", HOSTILE_ARGS.values(), ids=HOSTILE_ARGS.keys())
@pytest.mark.parametrize(
    ("endpoint", "arg"), [(endpoint, arg) for endpoint, args in QUERY_ARGS.items() for arg in args]
)
def test_hostile_query_argument_never_answers_500(
    world: World, endpoint: str, arg: str, value: str
) -> None:
    path = _path(world.app, endpoint, "GET", world.values)
    for role in _readers(world.app, endpoint):
        response = world.clients[role].get(path, query_string={arg: value})
        assert response.status_code != 500, (role, path, arg)
        assert response.status_code < 500, response.status_code


class _RecordingArgs(ImmutableMultiDict):  # type: ignore[type-arg]
    """Query arguments that remember which names the route asked for."""

    asked: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self.asked.add(str(key))
        return super().__contains__(key)

    def getlist(self, key: str, type: Any = None) -> list[Any]:
        self.asked.add(key)
        return super().getlist(key, type)


def test_query_args_are_all_listed(world: World) -> None:
    """Every GET route is requested with one harmless argument; the names each one reads
    (in its code or its template) are those the table lists."""

    class Recording(world.app.request_class):  # type: ignore[name-defined,misc]
        parameter_storage_class = _RecordingArgs

    original = world.app.request_class
    world.app.request_class = Recording
    read: dict[str, tuple[str, ...]] = {}
    try:
        for rule in _rules():
            if "GET" not in (rule.methods or ()):
                continue
            path = _path(world.app, rule.endpoint, "GET", world.values)
            for role in _readers(world.app, rule.endpoint):
                _RecordingArgs.asked = set()
                assert world.clients[role].get(path, query_string={"x": "1"}).status_code < 500
                names = _RecordingArgs.asked - {"x"}
                if names:
                    read[rule.endpoint] = tuple(sorted(set(read.get(rule.endpoint, ())) | names))
    finally:
        world.app.request_class = original
    assert read == QUERY_ARGS


# (who, method, path, form, status, what the page says): a filter out of range is said at
# the filter, a year or id out of range is a page that does not exist, NUL is refused.
ANSWERS = [
    (Role.ADMIN, "GET", "/admin/auditoria?hasta=9999-12-31", None, 422, DATE_OUT_OF_RANGE),
    (Role.REVIEWER, "GET", "/revision/?vence_hasta=0001-01-01", None, 200, DATE_OUT_OF_RANGE),
    (Role.REVIEWER, "GET", "/revision/?revisor=12345678901234567890", None, 200, INVALID_CHOICE),
    (Role.DIPRES, "GET", "/reportes/?ciclo=12345678901234567890", None, 404, "no existe"),
    (Role.DIPRES, "GET", "/reportes/?ciclo=²⁰²⁶", None, 404, "no existe"),
    (
        Role.DIPRES,
        "GET",
        "/reportes/consolidado.xlsx?ciclo=2026&desde=²⁰²⁴",
        None,
        422,
        "Escriba el año «desde» con cuatro cifras",
    ),
    (Role.ADMIN, "GET", "/admin/usuarios?q=%00", None, 400, NUL_REFUSED),
    (Role.COORDINATOR, "GET", "/instituciones/1306%00", None, 404, "no existe"),
    (
        None,
        "POST",
        "/ingresar",
        {"email": "a\x00@servicio.gob.cl", "password": "x"},
        400,
        NUL_REFUSED,
    ),
    (None, "POST", "/cuenta/recuperar", {"email": "a\x00@servicio.gob.cl"}, 400, NUL_REFUSED),
    (None, "GET", "/cuenta/activar/" + "ñ" * 10_000, None, 404, "El enlace no es válido"),
    (None, "GET", "/cuenta/restablecer/%27%3B--", None, 404, "El enlace no es válido"),
]


@pytest.mark.parametrize(("role", "method", "path", "form", "status", "text"), ANSWERS)
def test_answer_to_a_value_out_of_range(
    world: World,
    role: Role | None,
    method: str,
    path: str,
    form: dict[str, str] | None,
    status: int,
    text: str,
) -> None:
    response = _send(world.clients[role], method, path, form)
    assert response.status_code == status
    assert text in response.get_data(as_text=True)
