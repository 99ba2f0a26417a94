"""The reviewer workspace and the coordinator's answers, through HTTP."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from pmg.core.permissions import Role
from pmg.cycles.queries import chile_today
from pmg.extensions import db
from pmg.notifications.models import OutgoingMail
from pmg.review import operations
from pmg.review.models import Decision, Outcome
from pmg.review.observations import answer_observation
from pmg.review.operations import VerdictInput
from pmg.review.queries import current_review, observations_of
from pmg.submissions.models import SubmissionState
from pmg.submissions.operations import save_draft, submit
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_submitted_plan,
    create_user,
    load_starting_catalog,
    observe_one,
    with_value,
)


@pytest.fixture
def world(app: Flask) -> dict:
    cycle = create_cycle()
    load_starting_catalog(cycle)
    institution = create_institution("1306", name="Servicio de Prueba")
    coordinator = create_user(
        Role.COORDINATOR, institutions=[institution], name="Carla Coordinadora"
    )
    reviewer = create_user(Role.REVIEWER, name="Rosa Revisora")
    version = create_submitted_diagnostic(institution, cycle, coordinator)
    return {
        "cycle": cycle,
        "institution": institution,
        "coordinator": coordinator,
        "reviewer": reviewer,
        "submission": version.submission,
        "url": f"/revision/1306/{cycle.year}/diagnostico",
    }


def _checklist_form(review, outcome: Outcome, **notes: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    data = {"lock_version": str(review.submission.lock_version)}
    for verdict in review.verdicts:
        data[f"outcome_{verdict.requirement_id}"] = outcome.value
        data[f"note_{verdict.requirement_id}"] = notes.get(verdict.requirement.code, "")
    return data


def test_queue_counts_and_filters(client: FlaskClient, login_as, world) -> None:
    other = create_institution("3101_61", name="Otro Servicio")
    create_submitted_plan(other, world["cycle"])
    login_as(world["reviewer"])
    page = client.get("/revision/").get_data(as_text=True)
    assert "Servicio de Prueba" in page and "Otro Servicio" in page
    assert "Enviado: <strong>3</strong>" in page  # two diagnostics and a plan
    only_plans = client.get("/revision/?tipo=plan").get_data(as_text=True)
    assert "Otro Servicio" in only_plans and "Servicio de Prueba" not in only_plans
    unassigned = client.get("/revision/?revisor=0&estado=in_review").get_data(as_text=True)
    assert "No hay envíos que coincidan" in unassigned


def test_take_then_observe_from_the_page(client: FlaskClient, login_as, world) -> None:
    login_as(world["reviewer"])
    submission = world["submission"]
    page = client.get(world["url"]).get_data(as_text=True)
    assert "Tomar para revisión" in page
    response = client.post(world["url"] + "/tomar", data={"lock_version": submission.lock_version})
    assert response.status_code == 302
    db.session.expire_all()
    review = current_review(submission)
    assert submission.state is SubmissionState.IN_REVIEW
    page = client.get(world["url"]).get_data(as_text=True)
    assert "R01 · " in page and "Enviar observaciones" in page

    data = _checklist_form(review, Outcome.MEETS, R02="Falta el hito final del trámite 2")
    response = client.post(world["url"], data={**data, "decision": "observe"})
    assert response.status_code == 422
    assert "Escriba el fundamento" in response.get_data(as_text=True)
    assert "Falta el hito final del trámite 2" in response.get_data(as_text=True)  # kept

    response = client.post(world["url"], data={**data, "decision": "observe", "note": "Corregir"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Confirme el envío de las observaciones" in page
    db.session.expire_all()
    assert submission.state is SubmissionState.IN_REVIEW
    said = re.search(r'name="confirmado" value="([0-9a-f]+)"', page)
    assert said is not None
    confirmed = {"confirmar": "observe", "confirmado": said.group(1), "note": "Corregir"}
    response = client.post(world["url"], data={**data, **confirmed})
    assert response.status_code == 302
    db.session.expire_all()
    assert submission.state is SubmissionState.OBSERVED
    assert [o.text for o in observations_of(submission)] == ["Falta el hito final del trámite 2"]
    mail = db.session.scalars(select(OutgoingMail)).all()
    assert [m.recipient for m in mail if "observaciones" in m.subject.lower()] == [
        world["coordinator"].email
    ]


def test_approve_refused_with_the_reason_and_input_kept(
    client: FlaskClient, login_as, world
) -> None:
    submission = world["submission"]
    review = operations.take(submission, world["reviewer"], submission.lock_version)
    db.session.commit()
    login_as(world["reviewer"])
    data = _checklist_form(review, Outcome.MEETS)
    data[f"outcome_{review.verdicts[2].requirement_id}"] = Outcome.FAILS.value
    response = client.post(world["url"], data={**data, "decision": "approve"})
    assert response.status_code == 422
    assert "no cumplen: R03" in response.get_data(as_text=True)
    db.session.expire_all()
    assert submission.state is SubmissionState.IN_REVIEW


def test_a_stale_decision_is_refused_naming_who_acted(client: FlaskClient, login_as, world) -> None:
    submission = world["submission"]
    review = operations.take(submission, world["reviewer"], submission.lock_version)
    db.session.commit()
    stale = _checklist_form(review, Outcome.MEETS)
    operations.decide(
        review,
        Decision.APPROVE,
        world["reviewer"],
        submission.lock_version,
        date.today(),
        checklist={v.requirement_id: VerdictInput(Outcome.MEETS) for v in review.verdicts},
    )
    db.session.commit()
    login_as(world["reviewer"])
    response = client.post(world["url"], data={**stale, "decision": "reject", "note": "No"})
    assert response.status_code == 409
    assert "Rosa Revisora modificó este envío" in response.get_data(as_text=True)
    assert "«Aprobado»" in response.get_data(as_text=True)


def test_the_resubmission_shows_changes_beside_the_observation(
    client: FlaskClient, login_as, world
) -> None:
    submission, coordinator = world["submission"], world["coordinator"]
    observation = observe_one(submission, world["reviewer"])
    draft = with_value(submission.draft, "responsible.team", "Equipo ampliado")
    save_draft(submission, draft, coordinator, submission.lock_version)
    answer_observation(observation, "Se amplió el equipo.", coordinator)
    db.session.commit()
    login_as(coordinator)
    check = client.get("/instituciones/1306/diagnostico/revisar").get_data(as_text=True)
    assert "Reenviar diagnóstico de brechas" in check
    response = client.post(
        "/instituciones/1306/diagnostico/enviar", data={"lock_version": submission.lock_version}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert submission.state is SubmissionState.IN_REVIEW  # back to its reviewer
    client.post("/salir")
    login_as(world["reviewer"])
    page = client.get(world["url"]).get_data(as_text=True)
    assert "Cambios desde la versión 1" in page
    assert "Se amplió el equipo." in page
    assert "Equipo ampliado" in page
    assert "Reabrir" in page


def test_an_admin_assigns_a_reviewer(client: FlaskClient, login_as, world) -> None:
    submission = world["submission"]
    login_as(create_user(Role.ADMIN))
    page = client.get(world["url"]).get_data(as_text=True)
    assert "Asignar" in page and "Rosa Revisora" in page
    response = client.post(
        world["url"] + "/asignar",
        data={"lock_version": submission.lock_version, "reviewer": str(world["reviewer"].id)},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (submission.state, submission.reviewer) == (SubmissionState.IN_REVIEW, world["reviewer"])
    mail = db.session.scalars(select(OutgoingMail)).all()
    assert world["reviewer"].email in {m.recipient for m in mail}


def test_an_unknown_button_is_a_bad_request(client: FlaskClient, login_as, world) -> None:
    submission = world["submission"]
    review = operations.take(submission, world["reviewer"], submission.lock_version)
    db.session.commit()
    login_as(world["reviewer"])
    data = _checklist_form(review, Outcome.MEETS)
    assert client.post(world["url"], data={**data, "decision": "borrar"}).status_code == 400


def test_reopening_without_a_comment_is_said_at_the_field(
    client: FlaskClient, login_as, world
) -> None:
    submission, coordinator, reviewer = world["submission"], world["coordinator"], world["reviewer"]
    observation = observe_one(submission, reviewer)
    answer_observation(observation, "Listo", coordinator)
    save_draft(
        submission,
        with_value(submission.draft, "responsible.team", "Otro"),
        coordinator,
        submission.lock_version,
    )
    submit(submission, coordinator, date.today(), submission.lock_version)
    db.session.commit()
    review = current_review(submission)
    login_as(reviewer)
    data = {**_checklist_form(review, Outcome.MEETS), f"resolution_{observation.id}": "reopen"}
    response = client.post(world["url"], data={**data, "decision": "save"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="resolution_note_{observation.id}-error"' in page
    assert "Explique por qué reabre la observación." in page


def test_the_reviewer_rejects_an_overdue_submission(client: FlaskClient, login_as, world) -> None:
    submission = world["submission"]
    observe_one(submission, world["reviewer"])
    # Overdue by the Chilean calendar, which the page goes by (UTC may be a day ahead).
    yesterday = chile_today() - timedelta(days=1)
    submission.correction_due = submission.cycle.correction_end = yesterday
    db.session.commit()
    login_as(world["reviewer"])
    assert "Rechazar por plazo vencido" in client.get(world["url"]).get_data(as_text=True)
    url = world["url"] + "/rechazar-vencido"
    assert client.post(url, data={"lock_version": submission.lock_version}).status_code == 422
    response = client.post(
        url, data={"lock_version": submission.lock_version, "note": "Sin corrección"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert submission.state is SubmissionState.REJECTED


# Form values no page writes: too big for the database, other scripts' digits, past the
# 4,300 digits Python turns into a number, signed, exponent.
NO_SUCH_NUMBER = {
    "20-digits": "12345678901234567890",
    "2**31": str(2**31),
    "superscript": "²",
    "10000-digits": "9" * 10_000,
    "negative": "-1",
    "exponent": "1e5000",
    "empty": "",
}


@pytest.mark.parametrize("value", NO_SUCH_NUMBER.values(), ids=NO_SUCH_NUMBER.keys())
def test_taking_with_a_lock_version_no_page_writes_is_refused_as_stale(
    client: FlaskClient, login_as, world, value: str
) -> None:
    submission = world["submission"]
    login_as(world["reviewer"])
    response = client.post(world["url"] + "/tomar", data={"lock_version": value})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "modificó este envío" in page
    db.session.expire_all()
    assert submission.state is SubmissionState.SUBMITTED


@pytest.mark.parametrize("value", NO_SUCH_NUMBER.values(), ids=NO_SUCH_NUMBER.keys())
def test_deciding_with_a_lock_version_no_page_writes_is_refused_as_stale(
    client: FlaskClient, login_as, world, value: str
) -> None:
    submission = world["submission"]
    review = operations.take(submission, world["reviewer"], submission.lock_version)
    db.session.commit()
    login_as(world["reviewer"])
    data = {**_checklist_form(review, Outcome.MEETS), "lock_version": value}
    response = client.post(world["url"], data={**data, "decision": "approve"})
    assert response.status_code == 409
    db.session.expire_all()
    assert submission.state is SubmissionState.IN_REVIEW
