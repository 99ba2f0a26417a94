"""Every route × every role (and anonymous), from one table.

A new route fails ``test_every_route_is_in_the_table`` until it is added here, so no
page can ship without a decision about who may use it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pmg.api.operations import issue_token
from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.packages.operations import request_package
from pmg.packages.queries import Selection
from pmg.review.operations import take
from tests.api.tokens import token_for
from tests.conftest import login
from tests.evidence.files import create_evidence
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
    load_starting_catalog,
    observe_one,
)

ADMIN = frozenset({Role.ADMIN})
COORDINATOR = frozenset({Role.COORDINATOR})
EVERYONE = frozenset(Role)
REVIEWER = frozenset({Role.REVIEWER})
STAFF = frozenset({Role.REVIEWER, Role.DIPRES, Role.ADMIN})


@dataclass(frozen=True)
class Route:
    path: str
    allowed: frozenset[Role]
    method: str = "GET"


# {code}: an institution of the coordinator, its diagnostic observed;
# {other}: another institution, its diagnostic in review; {user}: another user;
# {year}: the cycle; {package}, {token}: an evidence package, an API token of the person
# asking (of DIPRES for the roles that have none).
ROUTES: dict[str, Route] = {
    "workspace.home": Route("/", EVERYONE),
    "auth.logout": Route("/salir", EVERYONE, "POST"),
    "auth.change_own_password": Route("/cuenta/contrasena", EVERYONE),
    "api_tokens.tokens": Route("/cuenta/api", STAFF),
    "api_tokens.revoke": Route("/cuenta/api/{token}/revocar", STAFF, "POST"),
    "auth.users": Route("/admin/usuarios", ADMIN),
    "auth.new_user": Route("/admin/usuarios/nuevo", ADMIN),
    "auth.edit_user": Route("/admin/usuarios/{user}", ADMIN),
    "auth.set_user_password": Route("/admin/usuarios/{user}/contrasena", ADMIN, "POST"),
    "auth.set_user_active": Route("/admin/usuarios/{user}/estado", ADMIN, "POST"),
    "auth.send_password_link": Route("/admin/usuarios/{user}/enlace", ADMIN, "POST"),
    "auth.import_users": Route("/admin/usuarios/importar", ADMIN),
    "dashboard.institutions": Route("/instituciones/", EVERYONE),
    "dashboard.institutions_xlsx": Route("/instituciones/descargar.xlsx", EVERYONE),
    "dashboard.institutions_csv": Route("/instituciones/descargar.csv", EVERYONE),
    "dashboard.cycle_report": Route("/panel/informe.pdf", STAFF),
    "institutions.detail": Route("/instituciones/{code}", EVERYONE),
    "institutions.edit": Route("/instituciones/{code}/editar", ADMIN),
    "institutions.import_catalog": Route("/instituciones/importar", ADMIN),
    "cycles.index": Route("/admin/ciclos/", ADMIN),
    "cycles.new": Route("/admin/ciclos/nuevo", ADMIN),
    "cycles.edit": Route("/admin/ciclos/{year}/editar", ADMIN),
    "cycles.make_current": Route("/admin/ciclos/{year}/vigente", ADMIN, "POST"),
    "indicators.import_indicators": Route("/admin/indicadores/importar", ADMIN),
    "submissions.edit": Route("/instituciones/{code}/diagnostico", COORDINATOR),
    "submissions.check": Route("/instituciones/{code}/diagnostico/revisar", COORDINATOR),
    "submissions.confirm": Route("/instituciones/{code}/diagnostico/confirmar", COORDINATOR),
    "submissions.submit": Route("/instituciones/{code}/diagnostico/enviar", COORDINATOR, "POST"),
    "submissions.versions": Route("/instituciones/{code}/{year}/diagnostico/", EVERYONE),
    "submissions.version": Route("/instituciones/{code}/{year}/diagnostico/v1", EVERYONE),
    "submissions.version_pdf": Route("/instituciones/{code}/{year}/diagnostico/v1.pdf", EVERYONE),
    "evidence.download": Route(
        "/instituciones/{code}/{year}/diagnostico/evidencia/{evidence}", EVERYONE
    ),
    "exports.index": Route("/reportes/", frozenset({Role.REVIEWER, Role.DIPRES, Role.ADMIN})),
    "exports.consolidated": Route(
        "/reportes/consolidado.xlsx?ciclo={year}",
        frozenset({Role.REVIEWER, Role.DIPRES, Role.ADMIN}),
    ),
    "review.queue": Route("/revision/", STAFF),
    "review.page": Route("/revision/{other}/{year}/diagnostico", STAFF),
    "review.take": Route("/revision/{other}/{year}/diagnostico/tomar", REVIEWER, "POST"),
    "review.assign": Route("/revision/{other}/{year}/diagnostico/asignar", ADMIN, "POST"),
    "review.decide": Route("/revision/{other}/{year}/diagnostico", REVIEWER, "POST"),
    "review.bulk_approve": Route("/revision/aprobar", REVIEWER, "POST"),
    "review.reject_overdue": Route(
        "/revision/{other}/{year}/diagnostico/rechazar-vencido", REVIEWER, "POST"
    ),
    "requirements.index": Route("/admin/requisitos/", ADMIN),
    "requirements.detail": Route("/admin/requisitos/{year}", ADMIN),
    "requirements.edit": Route("/admin/requisitos/{year}/editar", ADMIN),
    "notifications.outbox": Route("/admin/correo", ADMIN),
    "notifications.retry": Route("/admin/correo/reintentar", ADMIN, "POST"),
    "audit.index": Route("/admin/auditoria", ADMIN),
    "audit.export": Route("/admin/auditoria.xlsx", ADMIN),
    "packages.index": Route("/paquetes/", STAFF),
    "packages.progress": Route("/paquetes/avance", STAFF),
    "packages.download": Route("/paquetes/{package}/descargar", STAFF),
    "packages.cancel": Route("/paquetes/{package}/cancelar", STAFF, "POST"),
    "packages.remove": Route("/paquetes/{package}/eliminar", STAFF, "POST"),
}
# The API (/api/v1/): a bearer token of any role, never a session; what the token's account
# may not see is 404 ({other}: another institution than the coordinator's, {submission},
# {version}: its diagnostic and the version sent).
API_ROUTES: dict[str, Route] = {
    "api.cycles": Route("/api/v1/cycles", EVERYONE),
    "api.institutions": Route("/api/v1/institutions", EVERYONE),
    "api.institution": Route("/api/v1/institutions/{other}", EVERYONE),
    "api.institution_indicators": Route("/api/v1/institutions/{other}/indicators", EVERYONE),
    "api.submissions": Route("/api/v1/submissions", EVERYONE),
    "api.submission": Route("/api/v1/submissions/{submission}", EVERYONE),
    "api.submission_reviews": Route("/api/v1/submissions/{submission}/reviews", EVERYONE),
    "api.version_content": Route("/api/v1/versions/{version}/content", EVERYONE),
    "api.institutions_csv": Route("/api/v1/institutions.csv", EVERYONE),
    "api.submissions_csv": Route("/api/v1/submissions.csv", EVERYONE),
    # The consolidated workbook's sheets: who downloads the workbook; anyone else, 404.
    "api.cycle_sheets": Route("/api/v1/cycles/{year}/sheets", STAFF),
    "api.sheet": Route("/api/v1/cycles/{year}/sheets/reclamos", STAFF),
    "api.sheet_csv": Route("/api/v1/cycles/{year}/sheets/reclamos.csv", STAFF),
}
# Pages for someone not signed in: logging in, asking for a link to set one's password, and
# the pages such a link opens (the token in the URL is what lets a person in); the API's
# documentation (it holds no data).
PUBLIC = {
    "static",
    "auth.login",
    "auth.forgot_password",
    "auth.activate_account",
    "auth.reset_password",
    "api_docs.openapi",
    "api_docs.reference_page",
}


def test_every_route_is_in_the_table(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - PUBLIC == set(ROUTES) | set(API_ROUTES)


def test_every_protected_view_declares_its_roles(app: Flask) -> None:
    for endpoint, route in {**ROUTES, **API_ROUTES}.items():
        view = app.view_functions[endpoint]
        assert getattr(view, "allowed_roles", None) == route.allowed, endpoint


@pytest.fixture
def world(app: Flask) -> dict[str, str]:
    return build_world()


def build_world() -> dict[str, str]:
    """One user per role; the values the table's paths name; each role's e-mail."""
    own = create_institution("1306")
    cycle = create_cycle(2026)
    load_starting_catalog(cycle)
    other_version = create_submitted_diagnostic(create_institution("3101_61"), cycle)
    other = other_version.submission
    target = create_user(Role.DIPRES, email="objetivo@dipres.gob.cl")
    users = {
        role: create_user(role, institutions=[own] if role is Role.COORDINATOR else None)
        for role in Role
    }
    version = create_submitted_diagnostic(own, cycle, users[Role.COORDINATOR])
    evidence = create_evidence(version.submission, users[Role.COORDINATOR])
    observe_one(version.submission, users[Role.REVIEWER])
    take(other, users[Role.REVIEWER], other.lock_version)
    packages = {
        f"package-{role.value}": str(request_package(users[role], cycle, Selection(2026))[0].id)
        for role in STAFF
    }
    tokens = {
        f"token-{role.value}": str(issue_token(users[role], "Planilla", 30, actor=None).token.id)
        for role in STAFF
    }
    db.session.commit()
    return {
        **packages,
        **tokens,
        "token": tokens[f"token-{Role.DIPRES.value}"],
        "package": packages[f"package-{Role.DIPRES.value}"],
        "code": own.code,
        "other": "3101_61",
        "evidence": str(evidence.id),
        "submission": str(other.id),
        "version": str(other_version.id),
        **{f"bearer-{role.value}": token_for(user) for role, user in users.items()},
        "user": str(target.id),
        "year": str(cycle.year),
        **{role.value: user.email for role, user in users.items()},
    }


def _request(client: FlaskClient, route: Route, world: dict[str, str]):  # type: ignore[no-untyped-def]
    path = route.path.format(**world)
    if route.method == "POST":
        return client.post(path, data={})
    return client.get(path)


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_anonymous_is_sent_to_login(client: FlaskClient, world, endpoint: str) -> None:
    route = ROUTES[endpoint]
    response = _request(client, route, world)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/ingresar?next=")


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_role_access(client: FlaskClient, world, endpoint: str, role: Role) -> None:
    route = ROUTES[endpoint]
    assert login(client, world[role.value]).status_code == 302
    own = {name: world.get(f"{name}-{role.value}", world[name]) for name in ("package", "token")}
    response = _request(client, route, {**world, **own})
    if role in route.allowed:
        assert response.status_code in {200, 302, 422}, response.status_code
        if response.status_code == 302:
            assert not response.headers["Location"].startswith("/ingresar?next=")
    else:
        assert response.status_code == 403


def test_login_page_is_public(client: FlaskClient) -> None:
    assert client.get("/ingresar").status_code == 200


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/cuenta/recuperar", 200),
        ("/cuenta/activar/" + "A" * 43, 404),
        ("/cuenta/restablecer/" + "A" * 43, 404),
    ],
)
def test_password_link_pages_are_public(client: FlaskClient, path: str, status: int) -> None:
    """A link page with no such link says so to anyone; it never sends to login."""
    assert client.get(path).status_code == status


SCOPED = sorted(
    endpoint
    for endpoint, route in ROUTES.items()
    if "{code}" in route.path and Role.COORDINATOR in route.allowed
)


@pytest.mark.parametrize("endpoint", SCOPED)
def test_coordinator_gets_404_for_another_institution(
    client: FlaskClient, world, endpoint: str
) -> None:
    """Another institution's data answers as if it did not exist."""
    login(client, world[Role.COORDINATOR.value])
    response = _request(client, ROUTES[endpoint], {**world, "code": "3101_61"})
    assert response.status_code == 404


def _api_request(client: FlaskClient, route: Route, world: dict[str, str], role: Role | None):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {world[f'bearer-{role.value}']}"} if role else {}
    return client.get(route.path.format(**world), headers=headers)


@pytest.mark.parametrize("endpoint", sorted(API_ROUTES))
def test_the_api_without_a_token_is_401(client: FlaskClient, world, endpoint: str) -> None:
    response = _api_request(client, API_ROUTES[endpoint], world, None)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
@pytest.mark.parametrize("endpoint", sorted(API_ROUTES))
def test_the_api_for_each_role(client: FlaskClient, world, endpoint: str, role: Role) -> None:
    """Every role's token reads every endpoint of its roles, a coordinator's only their
    institutions; the rest is 404, as what does not exist."""
    route = API_ROUTES[endpoint]
    response = _api_request(client, route, world, role)
    hidden = role not in route.allowed or (role is Role.COORDINATOR and "{" in route.path)
    assert response.status_code == (404 if hidden else 200), response.get_data(as_text=True)
    own = {**world, "other": world["code"]}
    if role is Role.COORDINATOR and "{other}" in route.path:
        assert _api_request(client, route, own, role).status_code == 200


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_a_session_never_opens_the_api(client: FlaskClient, world, role: Role) -> None:
    assert login(client, world[role.value]).status_code == 302
    for route in API_ROUTES.values():
        assert _api_request(client, route, world, None).status_code == 401
