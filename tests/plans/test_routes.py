from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.submissions.models import Submission, SubmissionKind, SubmissionState
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_submitted_plan,
    create_user,
    diagnostic_draft,
    load_starting_catalog,
    plan_draft,
    resubmit,
    with_gap_keys,
    with_value,
)
from tests.submissions.pages import flatten


@pytest.fixture
def setting(client: FlaskClient, login_as) -> dict[str, Any]:
    institution = create_institution("1306")
    cycle = create_cycle(2026)
    coordinator = login_as(create_user(Role.COORDINATOR, institutions=[institution]))
    return {"institution": institution, "cycle": cycle, "coordinator": coordinator}


def _plan() -> Submission | None:
    return db.session.scalar(select(Submission).where(Submission.kind == SubmissionKind.PLAN))


def _post(client: FlaskClient, draft: dict[str, Any], **extra: str) -> Any:
    plan = _plan()
    data = {**flatten(draft), "lock_version": str(plan.lock_version if plan else "")}
    data.update(extra)
    return client.post("/instituciones/1306/plan", data=data)


def test_without_a_submitted_diagnostic_the_page_says_so_and_links_to_it(
    client: FlaskClient, setting
) -> None:
    body = client.get("/instituciones/1306/plan").get_data(as_text=True)
    assert "aún no ha enviado el diagnóstico del ciclo 2026" in body
    assert 'href="/instituciones/1306/diagnostico"' in body


def test_the_form_offers_the_diagnostic_gaps_and_one_target_per_procedure(
    client: FlaskClient, setting
) -> None:
    create_submitted_diagnostic(setting["institution"], setting["cycle"], setting["coordinator"])
    _post(client, plan_draft(actions=1, year=2026))
    body = client.get("/instituciones/1306/plan").get_data(as_text=True)
    assert "B1 · Brecha de prueba 1 (alta)" in body
    assert "B2 · Brecha de prueba 2 (media)" in body
    assert ">Trámite de prueba 1</label>" in body
    assert ">Trámite de prueba 2</label>" in body


def test_uncovered_high_priority_gap_blocks_submitting_until_fixed(
    client: FlaskClient, setting
) -> None:
    create_submitted_diagnostic(setting["institution"], setting["cycle"], setting["coordinator"])
    draft = plan_draft(year=2026)
    for action in draft["actions"]:
        action["gaps"] = ["2"]
    _post(client, draft)
    body = client.get("/instituciones/1306/plan/revisar").get_data(as_text=True)
    assert "Sin acción: B1 · Brecha de prueba 1 (alta)." in body
    assert "Corrija los errores para poder enviar." in body

    draft["actions"][0]["gaps"] = ["1"]
    _post(client, draft)
    body = client.get("/instituciones/1306/plan/revisar").get_data(as_text=True)
    assert "Errores (0)" in body
    response = client.post(
        "/instituciones/1306/plan/enviar", data={"lock_version": str(_plan().lock_version)}
    )
    assert response.headers["Location"] == "/instituciones/1306/2026/plan/v1"
    db.session.expire_all()
    assert _plan().state is SubmissionState.SUBMITTED


def test_adding_an_action_gives_it_a_stable_key(client: FlaskClient, setting) -> None:
    create_submitted_diagnostic(setting["institution"], setting["cycle"], setting["coordinator"])
    _post(client, plan_draft(actions=1, year=2026), accion="agregar:actions")
    keys = [action["key"] for action in _plan().draft["actions"]]
    assert keys[0] == "accion1"
    assert len(keys[1]) == 12


def _gap_choices(client: FlaskClient) -> list[tuple[str, str, bool]]:
    """The first action's gap checkboxes: value, label and whether it is checked."""
    body = client.get("/instituciones/1306/plan").get_data(as_text=True)
    found = re.findall(
        r'<input (checked )?id="actions-0-gaps-\d+" name="actions-0-gaps" type="checkbox" '
        r'value="([^"]*)"> <label for="actions-0-gaps-\d+">([^<]*)</label>',
        body,
    )
    return [(value, label, bool(checked)) for checked, value, label in found]


def test_a_gap_without_key_is_offered_by_its_number(client: FlaskClient, setting) -> None:
    create_submitted_diagnostic(setting["institution"], setting["cycle"], setting["coordinator"])
    _post(client, plan_draft(actions=1, year=2026))

    assert _gap_choices(client) == [
        ("1", "B1 · Brecha de prueba 1 (alta)", True),
        ("2", "B2 · Brecha de prueba 2 (media)", False),
    ]


def test_a_chosen_gap_stays_chosen_when_the_diagnostic_is_sent_again_reordered(
    client: FlaskClient, setting
) -> None:
    load_starting_catalog(setting["cycle"])
    diagnostic = with_gap_keys(diagnostic_draft())
    first = create_submitted_diagnostic(
        setting["institution"], setting["cycle"], setting["coordinator"], diagnostic
    )
    plan = plan_draft(actions=1, year=2026)
    plan["actions"][0]["gaps"] = ["brecha-1"]
    _post(client, plan)
    assert _gap_choices(client) == [
        ("brecha-1", "B1 · Brecha de prueba 1 (alta)", True),
        ("brecha-2", "B2 · Brecha de prueba 2 (media)", False),
    ]

    reordered = with_value(diagnostic, "gaps", diagnostic["gaps"][::-1])
    resubmit(first.submission, reordered, setting["coordinator"])

    assert _gap_choices(client) == [
        ("brecha-2", "B1 · Brecha de prueba 2 (media)", False),
        ("brecha-1", "B2 · Brecha de prueba 1 (alta)", True),
    ]
    body = client.get("/instituciones/1306/plan/revisar").get_data(as_text=True)
    assert "Errores (0)" in body
    assert "Brechas de prioridad media sin acción: B1 · Brecha de prueba 2 (media)." in body


@pytest.mark.parametrize(
    ("role", "own", "status"),
    [
        (Role.COORDINATOR, True, 200),
        (Role.COORDINATOR, False, 404),
        (Role.REVIEWER, False, 200),
        (Role.DIPRES, False, 200),
        (Role.ADMIN, False, 200),
    ],
)
@pytest.mark.parametrize("suffix", ["", "v1", "v1.pdf"])
def test_plan_versions_are_visible_like_their_institution(
    client: FlaskClient, login_as, role: Role, own: bool, status: int, suffix: str
) -> None:
    institution = create_institution("1306")
    create_submitted_plan(institution, create_cycle(2026))
    other = create_institution("3101_61")
    login_as(create_user(role, institutions=[institution if own else other]))
    response = client.get(f"/instituciones/1306/2026/plan/{suffix}")
    assert response.status_code == status
    if status == 200 and suffix.endswith(".pdf"):
        assert response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("attachment;")
