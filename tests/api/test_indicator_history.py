"""``/api/v1/institutions/<code>/indicators``: the yearly figures and targets the imports
stored, by year, as stored (not reported, blank and zero apart; decimals unrounded); the
institution page's authorization; ETag; a fixed number of queries. The data is built once
for the module and only read."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.indicators.models import ComplaintFigures, Justification, SaipFigures
from tests.api.tokens import bearer
from tests.conftest import shared_app
from tests.exports.queries import counting_queries
from tests.factories import create_cycle, create_institution, create_user
from tests.submissions.prefill_history import SAIP, add_procedure, add_targets

PROBLEM = "application/problem+json"
OWN, OTHER, EMPTY = "1306", "3101_61", "0420"
# What a float column gives back, digit for digit: no rounding on the way out.
UNROUNDED = 0.30000000000000004


@dataclass
class World:
    app: Flask
    client: FlaskClient
    # Each role's token headers; "other-coordinator" coordinates 3101_61 only.
    headers: dict[str, dict[str, str]]


def _build() -> dict[str, dict[str, str]]:
    """1306: complaints for 2024 and 2022 (stored in that order) and 2023, whose received
    are zero, whose answered were left blank and whose mean was written «-»; SAIP for 2023;
    two procedures (the second reported only in 2024, in a unit the import did not know)
    and targets for two cycles. 3101_61: one year of each. 0420: nothing."""
    cycles = [create_cycle(2025, current=False), create_cycle(2026)]
    own, other = create_institution(OWN), create_institution(OTHER)
    create_institution(EMPTY)
    for year, received, answered, mean in ((2024, 90, 80, 7.25), (2022, 100, 95, UNROUNDED)):
        db.session.add(
            ComplaintFigures(
                institution=own, year=year, received=received, answered=answered, mean_days=mean
            )
        )
    db.session.add(
        ComplaintFigures(
            institution=own, year=2023, received=0, answered=None, unreported_as={"answered": ""}
        )
    )
    db.session.add(SaipFigures(institution=own, year=2023, **SAIP))
    db.session.add(ComplaintFigures(institution=other, year=2024, received=1, answered=1))
    db.session.add(SaipFigures(institution=other, year=2024, received=1, answered=1))
    add_procedure(
        own,
        "Pago de bonos",
        {year: {"mean": 9.5, "handled": 4500, "handled_late": 0} for year in (2024, 2022, 2023)},
    )
    add_procedure(
        own,
        "Atención de consultas",
        {2024: {"mean": 1.125, "handled": None, "unreported_as": {"handled": "s/i"}}},
        justification=Justification.OTHER,
        justification_text="Otra",
        other_reason="Reclamos frecuentes",
        time_unit=None,
        time_unit_text="semanas",
        expected_time=None,
        unreported_as={"expected_time": ""},
    )
    add_procedure(other, "Licencias", {2024: {"mean": 3.0}})
    add_targets(own, cycles[1], complaints_answered_pct=97.5, saip_mean_days=None)
    add_targets(own, cycles[0], complaints_answered_pct=95.0, unreported_as={"saip_late_pct": ""})
    add_targets(other, cycles[1], complaints_answered_pct=90.0)
    other_coordinator = create_user(Role.COORDINATOR, institutions=[other])
    headers = {
        role.value: bearer(
            create_user(role, institutions=[own] if role is Role.COORDINATOR else None)
        )
        for role in Role
    }
    return {**headers, "other-coordinator": bearer(other_coordinator)}


@pytest.fixture(scope="module")
def world(migrated_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with shared_app(migrated_database, tmp_path_factory.mktemp("indicators")) as app:
        yield World(app, app.test_client(), _build())


def _get(world: World, path: str, who: str = "dipres", status: int = 200) -> Any:
    response = world.client.get(path, headers=world.headers[who])
    assert response.status_code == status, response.get_data(as_text=True)
    return response


def _history(world: World, code: str = OWN, query: str = "", who: str = "dipres") -> Any:
    return _get(world, f"/api/v1/institutions/{code}/indicators{query}", who).json


def test_complaints_by_year_as_stored(world: World) -> None:
    body = _history(world)
    assert body["institution"] == {"code": OWN, "name": body["institution"]["name"]}
    complaints = body["complaints"]
    assert [row["year"] for row in complaints] == [2022, 2023, 2024]
    assert complaints[2] == {
        "year": 2024,
        "received": 90,
        "answered": 80,
        "mean_days": 7.25,
        "median_days": None,
        "min_days": None,
        "max_days": None,
        "answered_over_20": None,
        "unreported_as": {},
    }


def test_zero_blank_and_not_reported_stay_apart(world: World) -> None:
    """2023: zero received, answered left blank, the mean written «-»."""
    complaints = _history(world)["complaints"][1]
    assert complaints["received"] == 0
    assert complaints["answered"] is None and complaints["mean_days"] is None
    assert complaints["unreported_as"] == {"answered": ""}


def test_decimals_come_back_unrounded(world: World) -> None:
    response = _get(world, f"/api/v1/institutions/{OWN}/indicators")
    assert response.json["complaints"][0]["mean_days"] == UNROUNDED
    assert repr(UNROUNDED) in response.get_data(as_text=True)


def test_saip_with_their_bands(world: World) -> None:
    [saip] = _history(world)["saip"]
    assert saip == {"year": 2023, **SAIP, "unreported_as": {}}


def test_procedures_in_import_order_with_their_figures_by_year(world: World) -> None:
    bonuses, queries = _history(world)["procedures"]
    assert bonuses["name"] == "Pago de bonos"
    assert (bonuses["justification"], bonuses["time_unit"]) == ("masividad", "dias_habiles")
    assert bonuses["expected_time"] == 10.0 and bonuses["unreported_as"] == {}
    assert [figures["year"] for figures in bonuses["figures"]] == [2022, 2023, 2024]
    assert bonuses["figures"][0] == {
        "year": 2022,
        "mean": 9.5,
        "median": None,
        "minimum": None,
        "maximum": None,
        "handled_late": 0,
        "handled": 4500,
        "unreported_as": {},
    }
    assert {key: queries[key] for key in queries if key != "figures"} == {
        "name": "Atención de consultas",
        "justification": "otra",
        "justification_text": "Otra",
        "other_reason": "Reclamos frecuentes",
        "start_milestone": "Ingreso de la solicitud",
        "end_milestone": "Notificación de la resolución",
        "expected_time": None,
        "time_unit": None,
        "time_unit_text": "semanas",
        "unreported_as": {"expected_time": ""},
    }
    [figures] = queries["figures"]
    assert figures["mean"] == 1.125 and figures["handled"] is None
    assert figures["unreported_as"] == {"handled": "s/i"}


def test_targets_by_cycle(world: World) -> None:
    targets = _history(world)["targets"]
    assert [(row["cycle"], row["complaints_answered_pct"]) for row in targets] == [
        (2025, 95.0),
        (2026, 97.5),
    ]
    assert targets[0]["unreported_as"] == {"saip_late_pct": ""}
    assert targets[1]["saip_mean_days"] is None and targets[1]["unreported_as"] == {}


def test_one_year(world: World) -> None:
    body = _history(world, query="?year=2023")
    assert [row["year"] for row in body["complaints"]] == [2023]
    assert [row["year"] for row in body["saip"]] == [2023]
    assert [[row["year"] for row in p["figures"]] for p in body["procedures"]] == [[2023], []]
    assert [row["cycle"] for row in body["targets"]] == [2025, 2026]  # not by year
    whole = _history(world)  # the filtered figures leave nothing behind
    assert [len(p["figures"]) for p in whole["procedures"]] == [3, 1]


def test_an_institution_without_history(world: World) -> None:
    body = _history(world, EMPTY)
    assert {key: body[key] for key in ("complaints", "saip", "procedures", "targets")} == {
        "complaints": [],
        "saip": [],
        "procedures": [],
        "targets": [],
    }


@pytest.mark.parametrize("query", ["year=0", "year=dos", "year=2147483648", "anio=2023"])
def test_a_bad_parameter_is_400(world: World, query: str) -> None:
    response = _get(world, f"/api/v1/institutions/{OWN}/indicators?{query}", status=400)
    assert response.mimetype == PROBLEM
    assert query.split("=")[0] in response.json["errors"]["query"]


@pytest.mark.parametrize("who", [role.value for role in Role])
def test_every_role_reads_what_it_may_see(world: World, who: str) -> None:
    assert len(_history(world, OWN, who=who)["complaints"]) == 3
    hidden = who == Role.COORDINATOR.value
    _get(world, f"/api/v1/institutions/{OTHER}/indicators", who, 404 if hidden else 200)


def test_a_coordinator_of_another_institution_gets_404(world: World) -> None:
    response = _get(world, f"/api/v1/institutions/{OWN}/indicators", "other-coordinator", 404)
    missing = _get(world, "/api/v1/institutions/nada/indicators", status=404)
    assert response.mimetype == PROBLEM and response.json == missing.json
    assert len(_history(world, OTHER, who="other-coordinator")["complaints"]) == 1


def test_an_etag_and_304_while_unchanged(world: World) -> None:
    path = f"/api/v1/institutions/{OWN}/indicators"
    etag = _get(world, path).headers["ETag"]
    again = world.client.get(path, headers={**world.headers["dipres"], "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert _get(world, f"{path}?year=2023").headers["ETag"] != etag


def test_as_many_queries_for_a_long_history_as_for_a_short_one(world: World) -> None:
    counts = []
    for code in (OTHER, OWN):
        with counting_queries() as seen:
            _history(world, code)
        counts.append(len(seen))
    assert counts[0] == counts[1]
