"""``/api/v1/``: each endpoint's data against the database, the web's authorization (a
coordinator sees only their institutions; the rest is 404), errors as problem+json,
ETag and 304, pagination, and a fixed number of queries whatever the rows."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pmg.api.models import ApiToken
from pmg.core.models import utcnow
from pmg.core.permissions import Role
from pmg.cycles.queries import get_cycle
from pmg.extensions import db
from pmg.institutions.models import Stage
from tests.api.tokens import bearer, token_for
from tests.exports.queries import counting_queries
from tests.factories import (
    create_cycle,
    create_institution,
    create_ministry,
    create_submitted_diagnostic,
    create_submitted_plan,
    create_user,
    load_starting_catalog,
    observe_one,
)

PROBLEM = "application/problem+json"


@dataclass
class Data:
    headers: dict[str, str]
    coordinator: dict[str, str]
    version_id: int
    other_version_id: int
    submission_id: int
    other_submission_id: int


def _build() -> Data:
    """Two cycles; in the current one, 1306 (SALUD, etapa 3) with a diagnostic observed and a
    coordinator, 3101_61 (SALUD, etapa 2) with a plan sent, and 0420 (HACIENDA) with nothing."""
    health, treasury = create_ministry("MINISTERIO DE SALUD"), create_ministry("HACIENDA")
    create_cycle(2025, current=False)
    cycle = create_cycle(2026)
    load_starting_catalog(cycle)
    own = create_institution("1306", "COMISION NACIONAL DE RIEGO", ministry=health)
    other = create_institution(
        "3101_61", "FONDO NACIONAL DE SALUD", ministry=health, stage=Stage.STAGE_2
    )
    create_institution("0420", "TESORERIA", ministry=treasury)
    coordinator = create_user(Role.COORDINATOR, institutions=[own], name="Carla Coordinadora")
    version = create_submitted_diagnostic(own, cycle, coordinator)
    observe_one(version.submission, create_user(Role.REVIEWER, name="Rita Revisora"))
    plan = create_submitted_plan(other, cycle)
    db.session.commit()
    return Data(
        headers=bearer(create_user(Role.DIPRES)),
        coordinator=bearer(coordinator),
        version_id=version.id,
        other_version_id=plan.id,
        submission_id=version.submission_id,
        other_submission_id=plan.submission_id,
    )


@pytest.fixture
def data(app: Flask) -> Data:
    return _build()


def _get(client: FlaskClient, path: str, headers: dict[str, str], status: int = 200) -> Any:
    response = client.get(path, headers=headers)
    assert response.status_code == status, response.get_data(as_text=True)
    return response


def test_cycles_with_their_windows(client: FlaskClient, data: Data) -> None:
    body = _get(client, "/api/v1/cycles", data.headers).json
    assert [cycle["year"] for cycle in body["items"]] == [2026, 2025]
    current = body["items"][0]
    assert current["is_current"] is True and current["reference_year"] == 2025
    assert current["execution"] == {"start": "2026-01-01", "end": "2026-12-31"}
    windows = {window["kind"]: window for window in current["windows"]}
    assert list(windows) == ["diagnostic", "plan", "review", "correction", "close"]
    assert windows["diagnostic"]["state"] == "open"
    assert windows["diagnostic"]["start"] == (date.today() - timedelta(days=10)).isoformat()
    assert windows["diagnostic"]["label"] == "Envío del diagnóstico"


def _standings(row: dict[str, Any]) -> dict[str, str | None]:
    return {standing["kind"]: standing["state"] for standing in row["standings"]}


def test_institutions_by_code_with_their_state_in_the_cycle(
    client: FlaskClient, data: Data
) -> None:
    body = _get(client, "/api/v1/institutions", data.headers).json
    assert [row["institution"]["code"] for row in body["items"]] == ["0420", "1306", "3101_61"]
    assert body["total"] == 3 and body["page"] == 1 and body["per_page"] == 50
    row = body["items"][1]
    assert row["cycle"] == 2026
    assert row["institution"] == {
        "code": "1306",
        "name": "COMISION NACIONAL DE RIEGO",
        "report_code": "",
        "ministry": row["institution"]["ministry"],
        "stage": "etapa_3",
        "mesu": "no",
        "category": "servicios_generales",
        "commits_system": True,
        "active": True,
    }
    assert row["institution"]["ministry"]["name"] == "MINISTERIO DE SALUD"
    assert _standings(row) == {"diagnostic": "observed", "plan": "sin_iniciar"}
    assert _standings(body["items"][2]) == {"diagnostic": "submitted", "plan": "submitted"}
    assert row["links"]["submissions"] == "/api/v1/submissions?institution=1306"


def test_institutions_in_another_cycle(client: FlaskClient, data: Data) -> None:
    body = _get(client, "/api/v1/institutions?cycle=2025", data.headers).json
    assert {row["cycle"] for row in body["items"]} == {2025}
    assert {_standings(row)["diagnostic"] for row in body["items"]} == {"sin_iniciar"}


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("stage=etapa_2", ["3101_61"]),
        ("diagnostic=observed", ["1306"]),
        ("plan=sin_iniciar", ["0420", "1306"]),
        ("plan=sin_iniciar&diagnostic=observed", ["1306"]),
        ("", ["0420", "1306", "3101_61"]),
    ],
)
def test_institutions_filtered(
    client: FlaskClient, data: Data, query: str, codes: list[str]
) -> None:
    body = _get(client, f"/api/v1/institutions?{query}", data.headers).json
    assert [row["institution"]["code"] for row in body["items"]] == codes


def test_institutions_filtered_by_ministry(client: FlaskClient, data: Data) -> None:
    first = _get(client, "/api/v1/institutions/0420", data.headers).json
    ministry = first["institution"]["ministry"]["id"]
    body = _get(client, f"/api/v1/institutions?ministry={ministry}", data.headers).json
    assert [row["institution"]["code"] for row in body["items"]] == ["0420"]


def test_pages_link_to_each_other(client: FlaskClient, data: Data) -> None:
    response = _get(client, "/api/v1/institutions?per_page=1&page=2&stage=etapa_3", data.headers)
    body = response.json
    assert [row["institution"]["code"] for row in body["items"]] == ["1306"]
    assert body["total"] == 2
    links = body["links"]
    assert links["prev"] == "/api/v1/institutions?per_page=1&page=1&stage=etapa_3"
    assert links["first"] == links["prev"]
    assert "next" not in links and links["last"] == links["self"]
    assert response.headers["Link"] == (
        f'<{links["first"]}>; rel="first", <{links["last"]}>; rel="last", '
        f'<{links["prev"]}>; rel="prev"'
    )
    beyond = _get(client, "/api/v1/institutions?page=9", data.headers).json
    assert beyond["items"] == [] and beyond["total"] == 3


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("page=0", "page"),
        ("per_page=101", "per_page"),
        ("page=12345678901234567890", "page"),
        ("page=uno", "page"),
        ("stage=etapa_9", "stage"),
        ("state=observed", "state"),  # on the list of institutions, one per kind
        ("kind=plan", "kind"),
        ("diagnostic=otro", "diagnostic"),
        ("stge=etapa_2", "stge"),
    ],
)
def test_a_bad_filter_is_400_saying_which(
    client: FlaskClient, data: Data, query: str, parameter: str
) -> None:
    response = _get(client, f"/api/v1/institutions?{query}", data.headers, 400)
    assert response.mimetype == PROBLEM
    assert response.json["title"] == "Parámetros no válidos"
    assert parameter in response.json["errors"]["query"]


@pytest.mark.parametrize("path", ["/api/v1/institutions", "/api/v1/submissions"])
def test_an_unknown_cycle_is_404(client: FlaskClient, data: Data, path: str) -> None:
    response = _get(client, f"{path}?cycle=1999", data.headers, 404)
    assert response.mimetype == PROBLEM and response.json["detail"] == "El ciclo pedido no existe."


def test_one_institution(client: FlaskClient, data: Data) -> None:
    body = _get(client, "/api/v1/institutions/3101_61", data.headers).json
    assert body["institution"]["name"] == "FONDO NACIONAL DE SALUD"
    assert _standings(body) == {"diagnostic": "submitted", "plan": "submitted"}


def test_submissions_with_their_versions(client: FlaskClient, data: Data) -> None:
    body = _get(client, "/api/v1/submissions", data.headers).json
    assert [(item["institution"]["code"], item["kind"]) for item in body["items"]] == [
        ("1306", "diagnostic"),
        ("3101_61", "diagnostic"),
        ("3101_61", "plan"),
    ]
    observed = body["items"][0]
    assert observed["id"] == data.submission_id
    assert observed["state"] == "observed" and observed["cycle"] == 2026
    assert observed["reviewer"] == {"name": "Rita Revisora"}
    assert observed["correction_deadline"] == (date.today() + timedelta(days=30)).isoformat()
    assert observed["window"]["end"] == (date.today() + timedelta(days=30)).isoformat()
    [version] = observed["versions"]
    assert version["id"] == data.version_id and version["number"] == 1
    assert version["submitted_by"] == {"name": "Carla Coordinadora"}
    body_bytes = _get(client, f"/api/v1/versions/{data.version_id}/content", data.headers).data
    assert version["content_sha256"] == hashlib.sha256(body_bytes).hexdigest()


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("institution=1306", 1),
        ("kind=plan", 1),
        ("state=submitted", 2),
        ("cycle=2025", 0),
        ("stage=etapa_2&kind=diagnostic", 1),
    ],
)
def test_submissions_filtered(client: FlaskClient, data: Data, query: str, count: int) -> None:
    body = _get(client, f"/api/v1/submissions?{query}", data.headers).json
    assert body["total"] == count == len(body["items"])


def test_one_submission(client: FlaskClient, data: Data) -> None:
    body = _get(client, f"/api/v1/submissions/{data.other_submission_id}", data.headers).json
    assert body["kind"] == "plan" and body["state"] == "submitted" and body["reviewer"] is None


def test_a_versions_content_is_what_was_hashed(client: FlaskClient, data: Data) -> None:
    response = _get(client, f"/api/v1/versions/{data.other_version_id}/content", data.headers)
    digest = hashlib.sha256(response.data).hexdigest()
    assert response.mimetype == "application/json"
    assert response.headers["ETag"] == f'"{digest}"'
    assert response.json["content"]["actions"]


PATHS = [
    "/api/v1/cycles",
    "/api/v1/institutions",
    "/api/v1/institutions/1306",
    "/api/v1/institutions/1306/indicators",
    "/api/v1/submissions",
    "/api/v1/submissions/{submission_id}",
    "/api/v1/submissions/{submission_id}/reviews",
    "/api/v1/versions/{version_id}/content",
    "/api/v1/openapi.json",
]


def _path(template: str, data: Data) -> str:
    return template.format(submission_id=data.submission_id, version_id=data.version_id)


@pytest.mark.parametrize("template", PATHS)
def test_every_get_has_an_etag_and_answers_304_while_unchanged(
    client: FlaskClient, data: Data, template: str
) -> None:
    path = _path(template, data)
    first = _get(client, path, data.headers)
    etag = first.headers["ETag"]
    again = _get(client, path, {**data.headers, "If-None-Match": etag}, 304)
    assert again.data == b"" and again.headers["ETag"] == etag
    _get(client, path, {**data.headers, "If-None-Match": '"otra"'})


def test_an_etag_changes_with_the_data(client: FlaskClient, data: Data) -> None:
    etag = _get(client, "/api/v1/institutions", data.headers).headers["ETag"]
    create_institution("9999")
    _get(client, "/api/v1/institutions", {**data.headers, "If-None-Match": etag}, 200)


@pytest.mark.parametrize(
    "template",
    [
        "/api/v1/institutions/3101_61",
        "/api/v1/institutions/3101_61/indicators",
        "/api/v1/submissions/{other_submission_id}",
        "/api/v1/submissions/{other_submission_id}/reviews",
        "/api/v1/versions/{other_version_id}/content",
    ],
)
def test_a_coordinator_gets_404_for_another_institution(
    client: FlaskClient, data: Data, template: str
) -> None:
    path = template.format(
        other_submission_id=data.other_submission_id, other_version_id=data.other_version_id
    )
    response = _get(client, path, data.coordinator, 404)
    assert response.mimetype == PROBLEM
    assert response.json == _get(client, "/api/v1/institutions/nada", data.headers, 404).json


def test_a_coordinator_lists_only_their_institutions(client: FlaskClient, data: Data) -> None:
    institutions = _get(client, "/api/v1/institutions", data.coordinator).json
    assert [row["institution"]["code"] for row in institutions["items"]] == ["1306"]
    submissions = _get(client, "/api/v1/submissions", data.coordinator).json
    assert [item["id"] for item in submissions["items"]] == [data.submission_id]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/submissions/12345678901234567890",
        "/api/v1/versions/2147483647/content",
        "/api/v1/x",
    ],
)
def test_what_does_not_exist_is_404_problem(client: FlaskClient, data: Data, path: str) -> None:
    response = _get(client, path, data.headers, 404)
    assert response.mimetype == PROBLEM
    assert response.json["title"] == "No encontrado"


def test_the_api_is_read_only(client: FlaskClient, data: Data) -> None:
    response = client.post("/api/v1/cycles", headers=data.headers)
    assert response.status_code == 405 and response.mimetype == PROBLEM
    assert "GET" in response.headers["Allow"]


# --- Tokens, never sessions ---------------------------------------------------------------


def _refused(response: Any) -> None:
    assert response.status_code == 401
    assert response.mimetype == PROBLEM
    assert response.json["title"] == "Falta un token válido"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer pmg_000000000000_" + "A" * 43],
)
def test_without_a_working_token_is_401(
    client: FlaskClient, data: Data, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    _refused(client.get("/api/v1/cycles", headers=headers))


@pytest.mark.parametrize("end", ["expires_at", "revoked_at"])
def test_an_expired_or_revoked_token_is_401(client: FlaskClient, app: Flask, end: str) -> None:
    user = create_user(Role.DIPRES)
    headers = bearer(user)
    _get(client, "/api/v1/cycles", headers)
    token = db.session.query(ApiToken).one()
    setattr(token, end, utcnow() - timedelta(seconds=1))
    db.session.commit()
    _refused(client.get("/api/v1/cycles", headers=headers))


def test_failed_tokens_are_throttled_with_429(client: FlaskClient, app: Flask) -> None:
    headers = bearer(create_user(Role.DIPRES))
    wrong = {"Authorization": "Bearer pmg_000000000000_" + "A" * 43}
    for _ in range(app.config["PMG_LOGIN_MAX_FAILURES"]):
        _refused(client.get("/api/v1/cycles", headers=wrong))
    response = client.get("/api/v1/cycles", headers=headers)
    assert response.status_code == 429 and response.mimetype == PROBLEM
    assert "Demasiados intentos con un token no válido" in response.json["detail"]


def test_a_token_opens_no_session(client: FlaskClient, data: Data) -> None:
    response = _get(client, "/api/v1/institutions", data.headers)
    assert "Set-Cookie" not in response.headers
    assert client.get_cookie("pmg_session") is None
    assert client.get("/").status_code == 302  # the web still asks to log in


def test_a_session_cookie_does_not_open_the_api(client: FlaskClient, login_as) -> None:
    login_as(create_user(Role.ADMIN))
    assert client.get("/").status_code == 200
    _refused(client.get("/api/v1/cycles"))


def test_a_token_of_a_disabled_account_is_401(client: FlaskClient, app: Flask) -> None:
    user = create_user(Role.REVIEWER)
    secret = token_for(user)
    user.active = False
    db.session.commit()
    _refused(client.get("/api/v1/cycles", headers={"Authorization": f"Bearer {secret}"}))


# --- As many queries for many rows as for few ----------------------------------------------


def _statements(client: FlaskClient, path: str, headers: dict[str, str]) -> int:
    with counting_queries() as seen:
        _get(client, path, headers)
    return len(seen)


@pytest.mark.parametrize("path", ["/api/v1/institutions", "/api/v1/submissions"])
def test_a_page_runs_as_many_queries_for_many_rows_as_for_few(
    client: FlaskClient, data: Data, path: str
) -> None:
    few = _statements(client, path, data.headers)
    cycle = get_cycle(2026)
    assert cycle is not None
    for number in range(4):
        create_submitted_plan(create_institution(f"77{number}"), cycle)
    assert _statements(client, path, data.headers) == few


# --- The document and its reference ---------------------------------------------------------


def test_the_document_is_openapi_3_1_with_every_endpoint(client: FlaskClient, app: Flask) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    document = response.json
    assert document["openapi"] == "3.1.0"
    assert set(document["paths"]) == {
        "/api/v1/cycles",
        "/api/v1/institutions",
        "/api/v1/institutions/{code}",
        "/api/v1/institutions/{code}/indicators",
        "/api/v1/submissions",
        "/api/v1/submissions/{submission_id}",
        "/api/v1/submissions/{submission_id}/reviews",
        "/api/v1/versions/{version_id}/content",
        "/api/v1/institutions.csv",
        "/api/v1/submissions.csv",
        "/api/v1/cycles/{year}/sheets",
        "/api/v1/cycles/{year}/sheets/{name}",
        "/api/v1/cycles/{year}/sheets/{name}.csv",
    }
    problem = document["components"]["responses"]["NOT_FOUND"]["content"]
    assert list(problem) == [PROBLEM]
    assert document["components"]["securitySchemes"]["token"]["scheme"] == "bearer"


def test_the_reference_page_shows_every_operation_and_schema(client: FlaskClient) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    for text in (
        "Referencia de la API",
        "GET /api/v1/versions/{version_id}/content",
        "Contenido de una versión",
        "If-None-Match",
        'id="schema-Submission"',
        "lista de Version",
        "Person o null",  # the reviewer of a submission not yet taken
        "uno de: etapa_1, etapa_2, etapa_3, saip",
    ):
        assert text in page, text
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing loaded from elsewhere
