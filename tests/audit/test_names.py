"""The audit page and its workbook name each object as people know it, never by a database
id, with as many queries for many entries as for few."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from pmg.api.operations import issue_token
from pmg.audit import names
from pmg.audit.models import AuditEntry
from pmg.audit.names import OBJECT_LABELS, RowNamer, object_names, register_names
from pmg.audit.operations import record
from pmg.auth.models import LoginAttempt, PasswordLinkRequest
from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.institutions.models import Ministry
from pmg.packages.operations import request_package
from pmg.packages.queries import Selection
from tests.audit.trail import entries
from tests.evidence.files import create_evidence
from tests.exports.queries import counting_queries
from tests.exports.reading import records, sheets
from tests.exports.reviews import answer_and_resubmit, approve, observe, start
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

NAMING = "test.naming"
SHA256 = "3f2a9c1b4e5d" + "0" * 52
OBJECT_CELL = re.compile(r'<th scope="row">(\d+)</th>(?:.*?<td>){5}(.*?)</td>', re.DOTALL)


def one_of_each_kind(code: str, name: str, year: int) -> dict[str, Any]:
    """An object of every kind that the trail keeps in rows, made through the operations."""
    institution = create_institution(code, name)
    planning = create_institution(f"{code}_P", f"{name} (PLAN)")
    cycle = create_cycle(year, current=False)
    catalog = load_starting_catalog(cycle)
    coordinator = create_user(
        Role.COORDINATOR, email=f"carla@{code}.gob.cl", institutions=[institution, planning]
    )
    version = create_submitted_diagnostic(institution, cycle, coordinator)
    observation = observe_one(version.submission, create_user(Role.REVIEWER))
    attempt = LoginAttempt(email=f"nadie@{code}.gob.cl", address="127.0.0.1", succeeded=False)
    request = PasswordLinkRequest(email=f"olvido@{code}.gob.cl", address="127.0.0.1")
    db.session.add_all([attempt, request])
    analyst = create_user(Role.DIPRES, email=f"analista@{code}.gob.cl")
    found = {
        "User": coordinator,
        "LoginAttempt": attempt,
        "PasswordLinkRequest": request,
        "Institution": institution,
        "Cycle": cycle,
        "RequirementCatalog": catalog,
        "Submission": version.submission,
        "SubmissionVersion": version,
        "EvidenceFile": create_evidence(version.submission, coordinator, name="acta final.pdf"),
        "Review": observation.raised_in,
        "Observation": observation,
        "plan": create_submitted_plan(planning, cycle, coordinator),
        "EvidencePackage": request_package(analyst, cycle, Selection(year))[0],
        "ApiToken": issue_token(analyst, "Planilla", 30, actor=None).token,
    }
    db.session.commit()
    return found


def expected_names(code: str, name: str, year: int) -> dict[str, str]:
    diagnostic = f"Diagnóstico {year} · {code}"
    return {
        "User": f"Cuenta carla@{code}.gob.cl",
        "LoginAttempt": f"Intento de ingreso con nadie@{code}.gob.cl",
        "PasswordLinkRequest": f"Pedido de enlace para la contraseña de olvido@{code}.gob.cl",
        "Institution": f"Institución {code} · {name}",
        "Cycle": f"Ciclo {year}",
        "RequirementCatalog": f"Catálogo de requisitos {year} · versión «1»",
        "Submission": diagnostic,
        "SubmissionVersion": f"{diagnostic} · versión 1",
        "EvidenceFile": f"Archivo «acta final.pdf» · {diagnostic}",
        "Review": f"Revisión de {diagnostic} · versión 1",
        "Observation": f"Observación R01 · {diagnostic}",
        "plan": f"Plan de mejora {year} · {code}_P · versión 1",
        "EvidencePackage": f"Paquete de evidencia n.º {PACKAGE_NUMBERS[year]} · ciclo {year}",
        "ApiToken": f"Token de la API «Planilla» de analista@{code}.gob.cl",
    }


RIEGO = ("1306", "COMISION NACIONAL DE RIEGO", 2026)
FONASA = ("3101_61", "FONDO NACIONAL DE SALUD", 2027)
# A package is named by its number: RIEGO's objects are always made first in a test.
PACKAGE_NUMBERS = {2026: 1, 2027: 2}

# Objects that are not rows, deleted since, or of a kind this version does not know.
BY_REFERENCE = [
    (
        {"object_type": "ImportedFile", "object_id": SHA256},
        "Archivo importado · SHA-256 3f2a9c1b4e5d…",
    ),
    ({"object_type": "AuditTrail", "object_id": 41}, "Registro de auditoría hasta la entrada 41"),
    ({"object_type": "SubmissionVersion", "object_id": 999_999}, "Versión #999999"),
    ({"object_type": "User", "object_id": "9" * 20}, f"Cuenta #{'9' * 20}"),
    ({"object_type": "Institution", "object_id": "riego"}, "Institución #riego"),
    ({"object_type": "Thing", "object_id": "x"}, "Thing #x"),
    ({"object_type": "EvidenceFile", "object_id": 999_999}, "Archivo de evidencia #999999"),
    (
        {"object_type": "EvidenceFile", "object_id": 999_999, "before": {"name": "acta.pdf"}},
        "Archivo «acta.pdf» (eliminado)",
    ),
]


def _record_each(objects: dict[str, Any]) -> dict[str, int]:
    """One entry on each object; the entry number of each."""
    found = {kind: record(NAMING, obj).id for kind, obj in objects.items()}
    db.session.commit()
    return found


def _page_names(client: FlaskClient) -> dict[int, str]:
    response = client.get("/admin/auditoria")
    assert response.status_code == 200
    body = html.unescape(response.get_data(as_text=True))
    return {int(number): cell for number, cell in OBJECT_CELL.findall(body)}


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"PMG_PAGE_SIZE": 500}  # every entry of a test on the first page


@pytest.fixture
def admin_client(client: FlaskClient, login_as) -> FlaskClient:  # type: ignore[no-untyped-def]
    login_as(create_user(Role.ADMIN, email="jefa@modernizacion.gob.cl"))
    return client


def test_page_names_every_kind_of_object_as_people_know_it(admin_client: FlaskClient) -> None:
    numbers = _record_each(one_of_each_kind(*RIEGO))
    names = _page_names(admin_client)
    assert {kind: names[number] for kind, number in numbers.items()} == expected_names(*RIEGO)
    not_rows = {reference["object_type"] for reference, _ in BY_REFERENCE}
    assert set(OBJECT_LABELS) <= set(numbers) | not_rows  # no kind is left unnamed here


@pytest.mark.parametrize(("reference", "expected"), BY_REFERENCE, ids=lambda v: str(v)[:40])
def test_page_names_an_object_without_a_row_by_its_kind_and_reference(
    admin_client: FlaskClient, reference: dict[str, Any], expected: str
) -> None:
    number = record(NAMING, **reference).id
    db.session.commit()
    assert _page_names(admin_client)[number] == expected


def test_workbook_names_objects_as_the_page_does(
    admin_client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pmg.audit.queries.STREAM_BATCH", 4)  # names found batch by batch
    numbers = _record_each(one_of_each_kind(*RIEGO))
    response = admin_client.get("/admin/auditoria.xlsx", query_string={"accion": NAMING})
    rows = {row["N.º"]: row for row in records(sheets(response.get_data())["auditoria"])}
    expected = expected_names(*RIEGO)
    assert {kind: rows[number]["Objeto"] for kind, number in numbers.items()} == expected
    version = numbers["SubmissionVersion"]
    stored = db.session.get(AuditEntry, version)
    assert rows[version]["Tipo e id del objeto"] == f"SubmissionVersion {stored.object_id}"


def test_names_follow_each_entry_in_a_mixed_batch(app) -> None:  # type: ignore[no-untyped-def]
    riego, fonasa = one_of_each_kind(*RIEGO), one_of_each_kind(*FONASA)
    first, second = _record_each(riego), _record_each(fonasa)
    mixed = sorted([*first.items(), *second.items()], key=lambda item: item[1])
    trail = {entry.id: entry for entry in entries(NAMING)}
    names = object_names([trail[number] for _, number in mixed])
    expected = {**{n: expected_names(*RIEGO)[k] for k, n in first.items()}}
    expected |= {n: expected_names(*FONASA)[k] for k, n in second.items()}
    assert names == [expected[number] for _, number in mixed]


# --- A constant number of queries ----------------------------------------------------------


def _queries_of(client: FlaskClient, path: str) -> int:
    db.session.expire_all()
    with counting_queries() as statements:
        response = client.get(path)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("path", ["/admin/auditoria", f"/admin/auditoria.xlsx?accion={NAMING}"])
def test_naming_runs_as_many_queries_for_many_entries_as_for_few(
    admin_client: FlaskClient, path: str
) -> None:
    _record_each(one_of_each_kind(*RIEGO))
    few = _queries_of(admin_client, path)
    _record_each(one_of_each_kind(*FONASA))
    for _ in range(3):
        for reference, _name in BY_REFERENCE:
            record(NAMING, **reference)
    db.session.commit()
    many = _queries_of(admin_client, path)
    assert len(entries(NAMING)) == 2 * len(expected_names(*RIEGO)) + 3 * len(BY_REFERENCE)
    assert many == few


def test_a_real_review_loop_names_every_object(admin_client: FlaskClient) -> None:
    """Entries written by the operations themselves, not by this test: none falls back."""
    cycle = create_cycle(2026)
    load_starting_catalog(cycle)
    loop = start(cycle, create_institution("1306", "COMISION NACIONAL DE RIEGO"))
    observe(loop)
    answer_and_resubmit(loop)
    approve(loop)
    names = _page_names(admin_client)
    written = {entry.object_type for entry in entries()}
    assert {"Submission", "Observation", "RequirementCatalog", "User"} <= written
    assert [name for name in names.values() if "#" in name] == []
    assert "Observación R01 · Diagnóstico 2026 · 1306" in names.values()
    assert "Diagnóstico 2026 · 1306" in names.values()


# --- The registry --------------------------------------------------------------------------


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """The application's namers, plus any a test registers, for that test only."""
    for name in ("OBJECT_LABELS", "_NAMERS", "_NAMED_BY_ID"):
        monkeypatch.setattr(names, name, dict(getattr(names, name)))


def test_a_registered_kind_is_named_by_its_namer_else_by_its_label_and_id(
    app: Any, registry: None
) -> None:
    ministry = create_ministry("MINISTERIO DE SALUD")
    register_names(
        "Ministry",
        "Ministerio",
        RowNamer(Ministry, lambda: select(Ministry.id, Ministry.name), lambda r: r.name.title()),
    )
    register_names("Receipt", "Comprobante", lambda number: f"Comprobante N.º {number}")
    register_names("Stamp", "Sello")
    trail = [
        record(NAMING, ministry),
        record(NAMING, object_type="Ministry", object_id=999),
        record(NAMING, object_type="Receipt", object_id="A-1"),
        record(NAMING, object_type="Stamp", object_id=3),
        record(NAMING, object_type="Thing", object_id="x"),
    ]
    assert object_names(trail) == [
        "Ministerio De Salud",
        "Ministerio #999",
        "Comprobante N.º A-1",
        "Sello #3",
        "Thing #x",
    ]
