"""``/api/v1/submissions/<id>/reviews``: each review round of a submission with its verdicts
and the observations it raised, each with its whole life; the web's authorization; ETag;
a fixed number of queries. The data is built once for the module and only read."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pmg.auth.models import User
from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.review.models import Decision, ObservationAction, Outcome
from pmg.review.observations import answer_observation
from pmg.review.operations import VerdictInput, decide, save_review, take
from pmg.review.queries import current_review, observations_of
from pmg.submissions.models import Submission
from pmg.submissions.operations import save_draft, submit
from tests.api.tokens import bearer
from tests.conftest import shared_app
from tests.exports.queries import counting_queries
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
    diagnostic_draft,
    load_starting_catalog,
    observe_one,
)

PROBLEM = "application/problem+json"


@dataclass
class World:
    app: Flask
    client: FlaskClient
    # Each role's token headers; "other-coordinator" coordinates 3101_61 only.
    headers: dict[str, dict[str, str]]
    reviewed: int  # 1306's diagnostic: three rounds, the last undecided
    observed_once: int  # 3101_61's diagnostic: one round, one observation
    unreviewed: int  # 0420's diagnostic: sent, never taken


def _decide(
    submission: Submission,
    reviewer: User,
    notes: dict[str, VerdictInput],
    note: str,
    resolutions: dict[int, tuple[ObservationAction, str]] | None = None,
) -> None:
    review = current_review(submission)
    assert review is not None
    ids = {verdict.requirement.code: verdict.requirement_id for verdict in review.verdicts}
    checklist = {ids[code]: given for code, given in notes.items()}
    lock = submission.lock_version
    decide(
        review,
        Decision.OBSERVE,
        reviewer,
        lock,
        date.today(),
        note=note,
        checklist=checklist,
        resolutions=resolutions,
    )
    db.session.commit()


def _resend(submission: Submission, coordinator: User, gaps: int) -> None:
    """Send ``submission`` again, with ``gaps`` gaps (an unchanged content is refused)."""
    save_draft(submission, diagnostic_draft(gaps=gaps), coordinator, submission.lock_version)
    submit(submission, coordinator, date.today(), submission.lock_version)
    db.session.commit()


def _build() -> dict[str, Any]:
    """1306's diagnostic, reviewed by Rita: observed on R01 (pointing at the responsible
    section) and R02, both answered; sent again, R01's resolved, R02's reopened and R04
    observed; both answered, sent a third time and under review, with progress saved."""
    cycle = create_cycle(2026)
    load_starting_catalog(cycle)
    own = create_institution("1306", "COMISION NACIONAL DE RIEGO")
    other = create_institution("3101_61", "FONDO NACIONAL DE SALUD")
    coordinator = create_user(Role.COORDINATOR, institutions=[own], name="Carla Coordinadora")
    reviewer = create_user(Role.REVIEWER, name="Rita Revisora")
    submission = create_submitted_diagnostic(own, cycle, coordinator).submission
    take(submission, reviewer, submission.lock_version)
    _decide(
        submission,
        reviewer,
        {
            "R01": VerdictInput(Outcome.FAILS, "Falta el equipo de trabajo.", "responsible"),
            "R02": VerdictInput(Outcome.FAILS, "Justifique el segundo trámite."),
            "R03": VerdictInput(Outcome.MEETS),
        },
        "Corrija R01 y R02.",
    )
    team, procedure = observations_of(submission)
    answer_observation(team, "Agregamos el equipo.", coordinator)
    answer_observation(procedure, "Lo justificamos.", coordinator)
    _resend(submission, coordinator, 3)  # back to Rita
    _decide(
        submission,
        reviewer,
        {
            "R01": VerdictInput(Outcome.MEETS),
            "R02": VerdictInput(Outcome.FAILS),
            "R04": VerdictInput(Outcome.FAILS, "Caracterice los canales."),
        },
        "Falta R02 y R04.",
        {
            team.id: (ObservationAction.RESOLVE, "Conforme."),
            procedure.id: (ObservationAction.REOPEN, "Sigue sin justificar."),
        },
    )
    for observation in observations_of(submission)[1:]:
        answer_observation(observation, "Corregido.", coordinator)
    _resend(submission, coordinator, 4)
    third = current_review(submission)
    assert third is not None
    save_review(
        third, {third.verdicts[0].requirement_id: VerdictInput(Outcome.MEETS)}, {}, reviewer
    )
    db.session.commit()

    other_coordinator = create_user(Role.COORDINATOR, institutions=[other])
    observed_once = create_submitted_diagnostic(other, cycle, other_coordinator).submission
    observe_one(observed_once, reviewer)
    unreviewed = create_submitted_diagnostic(create_institution("0420"), cycle).submission
    headers = {
        role.value: bearer(create_user(role)) for role in Role if role is not Role.COORDINATOR
    }
    return {
        "headers": {
            **headers,
            Role.COORDINATOR.value: bearer(coordinator),
            "other-coordinator": bearer(other_coordinator),
        },
        "reviewed": submission.id,
        "observed_once": observed_once.id,
        "unreviewed": unreviewed.id,
    }


@pytest.fixture(scope="module")
def world(migrated_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with shared_app(migrated_database, tmp_path_factory.mktemp("reviews")) as app:
        yield World(app=app, client=app.test_client(), **_build())


def _get(world: World, submission_id: int, who: str = "dipres", status: int = 200) -> Any:
    path = f"/api/v1/submissions/{submission_id}/reviews"
    response = world.client.get(path, headers=world.headers[who])
    assert response.status_code == status, response.get_data(as_text=True)
    return response


def _steps(observation: dict[str, Any]) -> list[tuple[str, str, int, str]]:
    return [
        (step["action"], step["actor"]["name"], step["version_number"], step["text"])
        for step in observation["steps"]
    ]


def test_each_review_round_by_version(world: World) -> None:
    rounds = _get(world, world.reviewed).json["items"]
    assert [item["version"]["number"] for item in rounds] == [1, 2, 3]
    assert [item["decision"] for item in rounds] == ["observe", "observe", None]
    assert [item["decision_note"] for item in rounds] == [
        "Corrija R01 y R02.",
        "Falta R02 y R04.",
        "",
    ]
    first = rounds[0]
    assert first["reviewer"] == first["decided_by"] == {"name": "Rita Revisora"}
    assert first["catalog_version"] == "1"
    assert first["correction_due"] is not None
    started, decided = (datetime.fromisoformat(first[key]) for key in ("started_at", "decided_at"))
    assert started <= decided <= datetime.fromisoformat(rounds[1]["started_at"])


def test_a_decided_round_has_a_verdict_per_requirement(world: World) -> None:
    first = _get(world, world.reviewed).json["items"][0]
    verdicts = [
        (verdict["requirement"]["code"], verdict["outcome"], verdict["note"])
        for verdict in first["verdicts"]
    ]
    assert verdicts == [
        ("R01", "fails", "Falta el equipo de trabajo."),
        ("R02", "fails", "Justifique el segundo trámite."),
        ("R03", "meets", ""),
        ("R04", None, ""),
        ("R06", None, ""),
    ]
    assert (
        first["verdicts"][0]["requirement"]["title"]
        == "Responsable del sistema y equipo de trabajo"
    )


def test_a_round_under_review_shows_no_verdicts(world: World) -> None:
    """The reviewer's saved progress (and the outcomes copied from the last round) are not
    a verdict yet, for anyone, as on the PDF."""
    last = _get(world, world.reviewed, "reviewer").json["items"][-1]
    assert last["verdicts"] == [] and last["observations"] == []
    assert last["decided_at"] is None and last["decided_by"] is None
    assert last["correction_due"] is None


def test_observations_with_their_life_under_the_round_that_raised_them(world: World) -> None:
    first, second, _ = _get(world, world.reviewed).json["items"]
    team, procedure = first["observations"]
    assert team["requirement"]["code"] == "R01" and team["path"] == "responsible"
    assert team["text"] == "Falta el equipo de trabajo." and team["state"] == "resolved"
    assert _steps(team) == [
        ("raise", "Rita Revisora", 1, "Falta el equipo de trabajo."),
        ("answer", "Carla Coordinadora", 1, "Agregamos el equipo."),
        ("resolve", "Rita Revisora", 2, "Conforme."),
    ]
    assert procedure["path"] == "" and procedure["state"] == "answered"
    assert _steps(procedure) == [
        ("raise", "Rita Revisora", 1, "Justifique el segundo trámite."),
        ("answer", "Carla Coordinadora", 1, "Lo justificamos."),
        ("reopen", "Rita Revisora", 2, "Sigue sin justificar."),
        ("answer", "Carla Coordinadora", 2, "Corregido."),
    ]
    moments = [datetime.fromisoformat(step["at"]) for step in procedure["steps"]]
    assert moments == sorted(moments)
    [channels] = second["observations"]
    assert channels["requirement"]["code"] == "R04" and channels["state"] == "answered"
    assert [step["action"] for step in channels["steps"]] == ["raise", "answer"]


def test_a_submission_never_taken_has_no_rounds(world: World) -> None:
    assert _get(world, world.unreviewed).json == {"items": []}


@pytest.mark.parametrize("who", [role.value for role in Role])
def test_every_role_reads_what_it_may_see(world: World, who: str) -> None:
    assert len(_get(world, world.reviewed, who).json["items"]) == 3
    hidden = who == Role.COORDINATOR.value
    _get(world, world.observed_once, who, 404 if hidden else 200)


def test_a_coordinator_of_another_institution_gets_404(world: World) -> None:
    response = _get(world, world.reviewed, "other-coordinator", 404)
    assert response.mimetype == PROBLEM
    nothing = _get(world, 2147483647, status=404)
    assert response.json == nothing.json and nothing.mimetype == PROBLEM
    assert len(_get(world, world.observed_once, "other-coordinator").json["items"]) == 1


def test_an_etag_and_304_while_unchanged(world: World) -> None:
    first = _get(world, world.reviewed)
    etag = first.headers["ETag"]
    headers = {**world.headers["dipres"], "If-None-Match": etag}
    path = f"/api/v1/submissions/{world.reviewed}/reviews"
    again = world.client.get(path, headers=headers)
    assert again.status_code == 304 and again.data == b""
    assert _get(world, world.observed_once).headers["ETag"] != etag


def test_as_many_queries_for_three_rounds_as_for_one(world: World) -> None:
    counts = []
    for submission_id in (world.observed_once, world.reviewed):
        with counting_queries() as seen:
            _get(world, submission_id)
        counts.append(len(seen))
    assert counts[0] == counts[1]
