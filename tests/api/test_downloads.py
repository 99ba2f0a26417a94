"""``/api/v1/institutions.csv`` and ``/api/v1/submissions.csv``: every row of their JSON
list with the same filters and validation, as the database holds it (no cell a
spreadsheet could run as a formula), for what the token's account may see."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from typing import Any

import pytest
from flask.testing import FlaskClient

from pmg.api.tables import INSTITUTION_HEADERS, SUBMISSION_HEADERS
from pmg.core.delimited import BYTE_ORDER_MARK, SEPARATOR, csv_cell
from pmg.core.xlsx import reads_as_formula
from pmg.extensions import db
from tests.api.test_endpoints import Data, _build
from tests.conftest import shared_app
from tests.factories import create_institution

PROBLEM = "application/problem+json"
# Names the catalog holds as written.
FORMULA = "=SUMA(1;2) SERVICIO"
SPACED = "  SERVICIO CON ESPACIOS \n Y DOS LÍNEAS  "
DASH = "-"


@dataclass
class World:
    client: FlaskClient
    data: Data


@pytest.fixture(scope="module")
def world(migrated_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with shared_app(migrated_database, tmp_path_factory.mktemp("downloads")) as app:
        data = _build()
        for code, name in (("0101", FORMULA), ("0102", SPACED), ("0103", DASH)):
            create_institution(code, name)
        db.session.commit()
        yield World(app.test_client(), data)


def _get(world: World, path: str, status: int = 200, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    response = world.client.get(path, headers=headers or world.data.headers)
    assert response.status_code == status, response.get_data(as_text=True)
    return response


def _parsed(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith(BYTE_ORDER_MARK)
    return list(csv.reader(StringIO(text[1:], newline=""), delimiter=SEPARATOR))


def _listed(
    world: World, path: str, query: str, headers: dict[str, str] | None = None
) -> list[Any]:
    """Every item of the JSON list, page after page."""
    items: list[Any] = []
    link: str | None = f"{path}?{query}&per_page=2" if query else f"{path}?per_page=2"
    while link:
        body = _get(world, link, headers=headers).json
        items += body["items"]
        link = body["links"].get("next")
    return items


def _institution_cells(row: dict[str, Any]) -> list[str]:
    institution = row["institution"]
    standings = {standing["kind"]: standing for standing in row["standings"]}
    values = [
        row["cycle"],
        institution["code"],
        institution["name"],
        institution["report_code"],
        institution["ministry"]["id"],
        institution["ministry"]["name"],
        institution["stage"],
        institution["mesu"],
        institution["category"],
        institution["commits_system"],
        institution["active"],
    ]
    for kind in ("diagnostic", "plan"):
        values += [standings[kind]["state"], standings[kind]["late"]]
    return [csv_cell(value) for value in values]


INSTITUTION_QUERIES = ["", "stage=etapa_2", "diagnostic=observed", "plan=sin_iniciar", "cycle=2025"]


@pytest.mark.parametrize("query", INSTITUTION_QUERIES)
def test_institutions_csv_is_every_row_of_the_list(world: World, query: str) -> None:
    response = _get(world, f"/api/v1/institutions.csv?{query}")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    year = 2025 if "2025" in query else 2026
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="instituciones_{year}.csv"'
    )
    [headers, *rows] = _parsed(response.data)
    assert headers == [
        *INSTITUTION_HEADERS,
        "diagnostic_state",
        "diagnostic_late",
        "plan_state",
        "plan_late",
    ]
    listed = _listed(world, "/api/v1/institutions", query)
    assert rows == [_institution_cells(row) for row in listed] and rows


def test_institutions_csv_keeps_names_as_stored_and_runs_no_formula(world: World) -> None:
    rows = _parsed(_get(world, "/api/v1/institutions.csv").data)
    names = [row[2] for row in rows[1:]]
    assert f"'{FORMULA}" in names and SPACED in names and DASH in names
    assert not [cell for row in rows for cell in row if reads_as_formula(cell)]
    listed = [row["institution"]["name"] for row in _listed(world, "/api/v1/institutions", "")]
    assert FORMULA in listed and SPACED in listed and DASH in listed


def _submission_cells(item: dict[str, Any]) -> list[str]:
    last = max(item["versions"], key=lambda version: version["number"])
    values = [
        item["id"],
        item["institution"]["code"],
        item["institution"]["name"],
        item["cycle"],
        item["kind"],
        item["state"],
        (item["reviewer"] or {}).get("name"),
        item["window"]["start"],
        item["window"]["end"],
        item["correction_deadline"],
        item["last_sent_at"],
        item["state_changed_at"],
        len(item["versions"]),
        last["id"],
        last["number"],
        last["submitted_at"],
        last["submitted_by"]["name"],
        last["content_sha256"],
    ]
    return [csv_cell(value) for value in values]


@pytest.mark.parametrize(
    "query", ["", "institution=1306", "kind=plan", "state=submitted", "cycle=2025"]
)
def test_submissions_csv_is_every_row_of_the_list(world: World, query: str) -> None:
    response = _get(world, f"/api/v1/submissions.csv?{query}")
    assert response.headers["Content-Disposition"] == 'attachment; filename="envios.csv"'
    [headers, *rows] = _parsed(response.data)
    assert headers == list(SUBMISSION_HEADERS)
    assert rows == [
        _submission_cells(item) for item in _listed(world, "/api/v1/submissions", query)
    ]


def test_a_coordinator_downloads_only_their_institutions(world: World) -> None:
    coordinator = world.data.coordinator
    institutions = _parsed(_get(world, "/api/v1/institutions.csv", headers=coordinator).data)
    assert [row[1] for row in institutions[1:]] == ["1306"]
    submissions = _parsed(_get(world, "/api/v1/submissions.csv", headers=coordinator).data)
    assert [row[0] for row in submissions[1:]] == [str(world.data.submission_id)]
    empty = _parsed(
        _get(world, "/api/v1/submissions.csv?institution=3101_61", headers=coordinator).data
    )
    assert empty == [list(SUBMISSION_HEADERS)]


@pytest.mark.parametrize(
    ("path", "status", "parameter"),
    [
        ("/api/v1/institutions.csv?page=1", 400, "page"),
        ("/api/v1/institutions.csv?per_page=10", 400, "per_page"),
        ("/api/v1/institutions.csv?stage=etapa_9", 400, "stage"),
        ("/api/v1/institutions.csv?state=observed", 400, "state"),
        ("/api/v1/submissions.csv?page=1", 400, "page"),
        ("/api/v1/submissions.csv?kind=otro", 400, "kind"),
        ("/api/v1/submissions.csv?institution=", 400, "institution"),
        ("/api/v1/institutions.csv?cycle=1999", 404, None),
        ("/api/v1/submissions.csv?cycle=1999", 404, None),
    ],
)
def test_a_bad_filter_is_refused_as_in_the_list(
    world: World, path: str, status: int, parameter: str | None
) -> None:
    response = _get(world, path, status)
    assert response.mimetype == PROBLEM
    if parameter:
        assert parameter in response.json["errors"]["query"]
    else:
        assert response.json["detail"] == "El ciclo pedido no existe."


@pytest.mark.parametrize("path", ["/api/v1/institutions.csv", "/api/v1/submissions.csv"])
def test_a_csv_has_an_etag_answered_304(world: World, path: str) -> None:
    etag = _get(world, path).headers["ETag"]
    again = _get(world, path, 304, {**world.data.headers, "If-None-Match": etag})
    assert again.data == b""
