"""``/api/v1/cycles/<year>/sheets``: the consolidated workbook's sheets, cell for cell the
workbook's (its own tables, and the written file read back), texts exactly as stored, for
the roles that download the workbook (the rest 404), with an ETag answered 304 before the
sheets are built, and their CSV with no cell a spreadsheet could run as a formula."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO, StringIO
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pmg.api import sheets
from pmg.core.delimited import BYTE_ORDER_MARK, SEPARATOR, csv_cell
from pmg.core.permissions import Role
from pmg.core.xlsx import reads_as_formula
from pmg.cycles.queries import get_cycle
from pmg.exports.workbook import cycle_tables, write_consolidated
from pmg.extensions import db
from pmg.indicators.models import ComplaintFigures, Procedure, ProcedureFigures, SaipFigures
from pmg.submissions.models import SubmissionKind, SubmissionVersion
from tests.api.tokens import bearer
from tests.conftest import shared_app
from tests.exports.reading import records
from tests.exports.reading import sheets as read_sheets
from tests.exports.submissions import submit_with_evidence
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
    diagnostic_draft,
    load_starting_catalog,
    plan_draft,
)

PROBLEM = "application/problem+json"
# Texts a coordinator typed: a formula, a phone number, spaces and line breaks, a dash.
FORMULA = '=HYPERLINK("http://x.cl","clic")'
PHONE = "+56 2 2222 2222"
SPACED = "  Notificación  \n  segunda línea \n"  # the form keeps every space and break
AT = "@SUMA(A1)"
# A name the catalog holds as written: starting with a tab, ending in spaces.
TAB = "\t=1+1 TESORERÍA  "
CARRIAGE = "\r=1+1"


@dataclass
class World:
    app: Flask
    client: FlaskClient
    headers: dict[Role, dict[str, str]]
    year: int


@pytest.fixture(scope="module")
def world(migrated_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with shared_app(migrated_database, tmp_path_factory.mktemp("sheets")) as app:
        year = _build()
        headers = {role: bearer(create_user(role)) for role in Role}
        yield World(app, app.test_client(), headers, year)


def _build() -> int:
    """A cycle where every sheet has rows: 1306 with history, a diagnostic whose texts
    start like formulas, keep their spaces and line breaks, and a plan; 3101_61 with
    history only (its diagnostic's columns `-`)."""
    cycle = create_cycle(2026)
    load_starting_catalog(cycle)
    own = create_institution("1306", "COMISIÓN NACIONAL DE RIEGO")
    other = create_institution("3101_61", "FONDO NACIONAL DE SALUD")
    treasury = create_institution("0420", TAB)
    for institution in (own, other, treasury):
        db.session.add(ComplaintFigures(institution_id=institution.id, year=2024, received=20))
        db.session.add(SaipFigures(institution_id=institution.id, year=2024, received=16))
        procedure = Procedure(institution_id=institution.id, name="Trámite de prueba 1")
        procedure.figures.append(ProcedureFigures(year=2024, mean=4.5, handled=10))
        db.session.add(procedure)
    db.session.commit()
    draft = diagnostic_draft(gaps=3)
    draft["procedures"][0].update(start_milestone=FORMULA, end_milestone=SPACED)
    draft["procedures"][1].update(start_milestone=AT, end_milestone=CARRIAGE)
    draft["gaps"][0].update(description=PHONE, current_value="-")
    coordinator = create_user(Role.COORDINATOR, institutions=[own])
    create_submitted_diagnostic(own, cycle, coordinator, draft)
    submit_with_evidence(
        own, cycle, SubmissionKind.PLAN, plan_draft(year=cycle.year), [], coordinator
    )
    db.session.commit()
    return cycle.year


def _get(world: World, path: str, role: Role = Role.DIPRES, status: int = 200, **headers: str):  # type: ignore[no-untyped-def]
    response = world.client.get(path, headers={**world.headers[role], **headers})
    assert response.status_code == status, response.get_data(as_text=True)
    return response


def _tables(world: World) -> dict[str, Any]:
    cycle = get_cycle(world.year)
    assert cycle is not None
    return {table.title: table for table in cycle_tables(cycle)[1]}


def _all_rows(world: World, name: str) -> list[dict[str, Any]]:
    path = f"/api/v1/cycles/{world.year}/sheets/{name}?per_page=100"
    rows: list[dict[str, Any]] = []
    while path:
        body = _get(world, path).json
        rows += body["items"]
        path = body["links"].get("next")
    return rows


def _as_json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


# --- The sheets and their rows --------------------------------------------------------------


def test_the_sheets_are_the_workbooks_in_order(world: World) -> None:
    body = _get(world, f"/api/v1/cycles/{world.year}/sheets").json
    tables = _tables(world)
    assert [item["name"] for item in body["items"]] == list(tables) == list(sheets.NAMES)
    assert body["cycle"] == world.year and body["years"] == [2024, 2025]
    for item in body["items"]:
        table = tables[item["name"]]
        assert item["columns"] == list(table.headers)
        assert item["rows"] == len(list(table.rows))
        assert item["title"] == sheets.TITLES[item["name"]]
        assert item["links"] == {
            "self": f"/api/v1/cycles/{world.year}/sheets/{item['name']}",
            "csv": f"/api/v1/cycles/{world.year}/sheets/{item['name']}.csv",
        }
    reclamos = body["items"][0]["columns"]
    assert reclamos[:3] == ["codigo_reporte", "codigo_interno_SCSEU", "nombre_institucion"]
    assert reclamos[3] == "2024_n_de_reclamos_respondidos_en_el_ano"


@pytest.mark.parametrize("name", sheets.NAMES)
def test_a_sheets_rows_are_the_workbooks_tables_cell_for_cell(world: World, name: str) -> None:
    table = _tables(world)[name]
    assert len(set(table.headers)) == len(table.headers)  # every cell has a key of its own
    expected = [
        {header: _as_json(value) for header, value in zip(table.headers, row, strict=True)}
        for row in table.rows
    ]
    rows = _all_rows(world, name)
    assert rows == expected and rows


def _read_back(value: Any) -> Any:
    """A value read back from the .xlsx as the API writes it (a date comes back a
    date-time at midnight; a line break as XML reads every one, ``\n``)."""
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date().isoformat()
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return _as_json(value)


@pytest.mark.parametrize("name", sheets.NAMES)
def test_a_sheets_rows_are_the_written_workbooks(world: World, name: str) -> None:
    cycle = get_cycle(world.year)
    assert cycle is not None
    buffer = BytesIO()
    write_consolidated(cycle, buffer)
    written = records(read_sheets(buffer.getvalue())[name])
    expected = [{key: _read_back(value) for key, value in row.items()} for row in written]
    assert [
        {key: _read_back(value) for key, value in row.items()} for row in _all_rows(world, name)
    ] == expected


def test_texts_are_exactly_as_stored_and_numbers_stay_numbers(world: World) -> None:
    [treasury, own, other] = _all_rows(world, "reclamos")
    assert treasury["nombre_institucion"] == TAB and treasury["codigo_interno_SCSEU"] == "0420"
    assert own["codigo_interno_SCSEU"] == 1306 and other["codigo_interno_SCSEU"] == "3101_61"
    assert own["nombre_institucion"] == "COMISIÓN NACIONAL DE RIEGO"
    assert own["2024_n_de_reclamos_recibidos_al_ano"] == 20
    assert own["2025_n_de_reclamos_recibidos_al_ano"] == 1250  # the diagnostic's
    assert own["2025_promedio_tiempo_de_respuesta"] == 8.5
    assert other["2025_n_de_reclamos_recibidos_al_ano"] == "-"
    stored = db.session.query(SubmissionVersion).first()
    assert stored is not None
    typed = stored.content["content"]["procedures"]
    procedures = [
        row for row in _all_rows(world, "tramites") if row["codigo_interno_SCSEU"] == 1306
    ]
    milestones = [(row["hito_de_inicio"], row["hito_final"]) for row in procedures[:2]]
    assert milestones == [(p["start_milestone"], p["end_milestone"]) for p in typed]
    assert milestones == [(FORMULA, SPACED), (AT, CARRIAGE)]  # as typed
    gaps = _all_rows(world, "brechas")
    assert PHONE in gaps[0].values() and "-" in gaps[0].values()
    dates = [row["fecha_inicio"] for row in _all_rows(world, "acciones")]
    assert dates and all(date.fromisoformat(value) for value in dates)


def test_pages_of_a_sheet_link_to_each_other(world: World) -> None:
    path = f"/api/v1/cycles/{world.year}/sheets/brechas?per_page=1&page=2"
    response = _get(world, path)
    body = response.json
    assert body["total"] == 3 and body["page"] == 2 and len(body["items"]) == 1
    assert body["name"] == "brechas" and body["cycle"] == world.year
    assert body["columns"] == list(_tables(world)["brechas"].headers)
    assert body["items"] == _all_rows(world, "brechas")[1:2]
    base = f"/api/v1/cycles/{world.year}/sheets/brechas"
    assert body["links"]["next"] == f"{base}?per_page=1&page=3"
    assert body["links"]["prev"] == f"{base}?per_page=1&page=1"
    assert 'rel="next"' in response.headers["Link"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/cycles/1999/sheets", 404),
        ("/api/v1/cycles/1999/sheets/reclamos", 404),
        ("/api/v1/cycles/1999/sheets/reclamos.csv", 404),
        ("/api/v1/cycles/{year}/sheets/otra", 404),
        ("/api/v1/cycles/{year}/sheets/otra.csv", 404),
        ("/api/v1/cycles/{year}/sheets/reclamos.xlsx", 404),
        ("/api/v1/cycles/{year}/sheets/reclamos?page=0", 400),
        ("/api/v1/cycles/{year}/sheets/reclamos?per_page=101", 400),
        ("/api/v1/cycles/{year}/sheets/reclamos?hoja=1", 400),
        ("/api/v1/cycles/{year}/sheets?page=1", 400),
        ("/api/v1/cycles/{year}/sheets/reclamos.csv?page=1", 400),
    ],
)
def test_what_is_not_there_is_404_and_a_bad_parameter_400(
    world: World, path: str, status: int
) -> None:
    response = _get(world, path.format(year=world.year), status=status)
    assert response.mimetype == PROBLEM
    if "1999" in path:
        assert response.json["detail"] == "El ciclo pedido no existe."


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
@pytest.mark.parametrize("suffix", ["", "/reclamos", "/reclamos.csv"])
def test_the_sheets_are_for_who_downloads_the_workbook(
    world: World, role: Role, suffix: str
) -> None:
    path = f"/api/v1/cycles/{world.year}/sheets{suffix}"
    readers = {Role.REVIEWER, Role.DIPRES, Role.ADMIN}
    response = _get(world, path, role, 200 if role in readers else 404)
    if role not in readers:
        nothing = f"/api/v1/cycles/{world.year}/sheets/otra"
        assert response.json == _get(world, nothing, Role.DIPRES, 404).json
        # Not even the ETag a reader got opens it.
        etag = _get(world, path).headers["ETag"]
        _get(world, path, role, 404, **{"If-None-Match": etag})


# --- ETag and 304, before anything is built ---------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "/saip", "/saip?page=2&per_page=1", "/saip.csv"])
def test_an_etag_is_answered_304_without_building_the_sheets(
    world: World, suffix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = f"/api/v1/cycles/{world.year}/sheets{suffix}"
    first = _get(world, path)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache"

    def unbuilt(*args: Any) -> Any:
        raise AssertionError("built")

    monkeypatch.setattr(sheets, "cycle_tables", unbuilt)
    again = _get(world, path, status=304, **{"If-None-Match": etag})
    assert again.data == b"" and again.headers["ETag"] == etag
    assert again.headers["Cache-Control"] == "private, no-cache"
    assert "Authorization" in again.headers["Vary"]
    # Another answer (another page, the CSV) has another ETag; the same data, not rebuilt.
    other = _get(world, f"/api/v1/cycles/{world.year}/sheets/reclamos?page=2")
    assert other.headers["ETag"] != etag


# --- CSV ----------------------------------------------------------------------------------


def _parsed(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith(BYTE_ORDER_MARK)
    return list(csv.reader(StringIO(text[1:], newline=""), delimiter=SEPARATOR))


@pytest.mark.parametrize("name", sheets.NAMES)
def test_a_sheets_csv_is_every_row_of_the_workbook(world: World, name: str) -> None:
    response = _get(world, f"/api/v1/cycles/{world.year}/sheets/{name}.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="consolidado_cseu_{world.year}_{name}.csv"'
    )
    table = _tables(world)[name]
    expected = [list(table.headers), *([csv_cell(value) for value in row] for row in table.rows)]
    assert _parsed(response.data) == expected


def test_no_csv_cell_starts_like_a_formula_and_texts_are_kept(world: World) -> None:
    data = _get(world, f"/api/v1/cycles/{world.year}/sheets/tramites.csv").data
    cells = [cell for row in _parsed(data) for cell in row]
    assert not [cell for cell in cells if reads_as_formula(cell)]
    for text in (FORMULA, AT, CARRIAGE, TAB):
        assert f"'{text}" in cells
    assert SPACED in cells  # spaces and line breaks as typed
    assert "-" in cells and "" not in cells[: len(_tables(world)["tramites"].headers)]
    gaps = [
        cell
        for row in _parsed(_get(world, f"/api/v1/cycles/{world.year}/sheets/brechas.csv").data)
        for cell in row
    ]
    assert f"'{PHONE}" in gaps and PHONE not in gaps
