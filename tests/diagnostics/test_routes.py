from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.institutions.models import MesuCommitment, Stage
from pmg.submissions.models import Submission, SubmissionState
from tests.factories import (
    PASSWORD,
    create_cycle,
    create_institution,
    create_user,
    diagnostic_draft,
)
from tests.submissions.pages import flatten


@pytest.fixture
def setting(client: FlaskClient, login_as) -> dict[str, Any]:
    institution = create_institution("1306", mesu=MesuCommitment.YES)
    cycle = create_cycle(2026)
    coordinator = login_as(create_user(Role.COORDINATOR, institutions=[institution]))
    return {"institution": institution, "cycle": cycle, "coordinator": coordinator}


def _submission() -> Submission:
    return db.session.scalar(select(Submission))


def _post(client: FlaskClient, draft: dict[str, Any], **extra: str) -> Any:
    submission = _submission()
    data = {**flatten(draft), "lock_version": str(submission.lock_version if submission else "")}
    data.update(extra)
    return client.post("/instituciones/1306/diagnostico", data=data)


def test_empty_form_shows_every_section_for_a_stage_3_mesu_institution(
    client: FlaskClient, setting
) -> None:
    body = client.get("/instituciones/1306/diagnostico").get_data(as_text=True)
    for title in (
        "Responsable y equipo de trabajo",
        "Reclamos",
        "Solicitudes de acceso a información pública (SAIP)",
        "Trámites y servicios relevantes",
        "Canales de atención",
        "Satisfacción usuaria (MESU)",
        "Brechas",
    ):
        assert f">{title}</h2>" in body
    assert _submission() is None  # looking creates nothing


def test_saip_stage_sees_saip_and_gaps_only(client: FlaskClient, login_as) -> None:
    institution = create_institution("2001", stage=Stage.SAIP, mesu=MesuCommitment.YES)
    create_cycle(2026)
    login_as(create_user(Role.COORDINATOR, institutions=[institution]))
    body = client.get("/instituciones/2001/diagnostico").get_data(as_text=True)
    assert ">Solicitudes de acceso a información pública (SAIP)</h2>" in body
    assert ">Brechas</h2>" in body
    for absent in (
        "Reclamos</h2>",
        "Trámites y servicios relevantes</h2>",
        "Canales de atención</h2>",
        "Satisfacción usuaria (MESU)</h2>",
    ):
        assert absent not in body


def test_saving_keeps_invalid_input_and_shows_the_error_at_the_field(
    client: FlaskClient, setting
) -> None:
    draft = diagnostic_draft()
    draft["complaints"]["received"] = "mil"
    response = _post(client, draft)
    assert response.status_code == 302
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="mil"' in body
    assert "Escriba un número, por ejemplo 1234 o 12,5." in body
    assert 'aria-invalid="true"' in body
    assert _submission().draft["complaints"]["received"] == "mil"
    assert _submission().draft["procedures"][1]["name"] == "Trámite de prueba 2"


def test_adding_and_removing_rows_keeps_what_was_typed(client: FlaskClient, setting) -> None:
    draft = diagnostic_draft(procedures=1, gaps=1)
    _post(client, draft, accion="agregar:procedures")
    rows = _submission().draft["procedures"]
    assert [row["name"] for row in rows] == ["Trámite de prueba 1", ""]
    draft["procedures"] = rows
    draft["procedures"][1]["name"] = "Segundo"
    _post(client, draft, accion="quitar:procedures:0")
    assert [row["name"] for row in _submission().draft["procedures"]] == ["Segundo"]


def test_an_added_gap_gets_a_hidden_key_that_goes_with_it(client: FlaskClient, setting) -> None:
    draft = diagnostic_draft(gaps=1)  # a gap from before gaps had keys
    _post(client, draft, accion="agregar:gaps")
    gaps = _submission().draft["gaps"]
    key = gaps[1]["key"]
    assert re.fullmatch(r"[0-9a-f]{12}", key)
    assert gaps[0]["key"] == ""  # a gap without key keeps none: plans refer to it by number
    body = client.get("/instituciones/1306/diagnostico").get_data(as_text=True)
    assert f'<input id="gaps-1-key" name="gaps-1-key" type="hidden" value="{key}">' in body
    assert "Identificador" not in body

    draft["gaps"] = gaps
    draft["gaps"][1]["description"] = "Segunda brecha"
    _post(client, draft, accion="quitar:gaps:0")
    gaps = _submission().draft["gaps"]
    assert [(gap["key"], gap["description"]) for gap in gaps] == [(key, "Segunda brecha")]


def test_a_stale_page_cannot_overwrite_a_newer_save(client: FlaskClient, setting) -> None:
    _post(client, diagnostic_draft())
    submission = _submission()
    old = str(submission.lock_version)
    _post(client, diagnostic_draft(gaps=1))
    response = client.post(
        "/instituciones/1306/diagnostico",
        data={**flatten(diagnostic_draft(gaps=3)), "lock_version": old},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "modificó este envío" in body
    assert "Brecha de prueba 3" in body  # what was typed is shown again, not lost
    db.session.expire_all()
    assert len(_submission().draft["gaps"]) == 1


def test_check_page_lists_errors_and_warnings(client: FlaskClient, setting) -> None:
    draft = diagnostic_draft()
    draft["complaints"]["answered"] = "1300"  # more answered than received: a warning
    draft["gaps"][0]["description"] = ""  # an error
    _post(client, draft)
    body = client.get("/instituciones/1306/diagnostico/revisar").get_data(as_text=True)
    assert "Errores (1)" in body
    assert "Brecha 1 · Descripción de la brecha" in body
    assert "Reclamos · Reclamos respondidos en el año" in body
    assert "Corrija los errores para poder enviar." in body


def test_submit_freezes_a_version_and_makes_the_form_read_only(
    client: FlaskClient, setting
) -> None:
    _post(client, diagnostic_draft())
    submission = _submission()
    response = client.post(
        "/instituciones/1306/diagnostico/enviar",
        data={"lock_version": str(submission.lock_version)},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/instituciones/1306/2026/diagnostico/v1"
    db.session.expire_all()
    submission = _submission()
    assert submission.state is SubmissionState.SUBMITTED
    digest = submission.versions[0].content_hash
    assert len(digest) == 64
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Se envió la versión 1. Ya no se puede modificar" in page
    integrity = page[page.index('<details class="integrity">') :]
    assert page.count(digest) == 1 and digest in integrity  # only in «Integridad»
    body = client.get("/instituciones/1306/diagnostico").get_data(as_text=True)
    assert "Estado: Enviado" in body and "Mientras tanto no se puede modificar" in body
    assert "Guardar borrador</button>" not in body
    refused = _post(client, diagnostic_draft())
    assert refused.status_code == 409
    assert "ya no se puede modificar" in refused.get_data(as_text=True)


def test_submit_is_refused_outside_the_window(client: FlaskClient, login_as) -> None:
    from datetime import date, timedelta

    institution = create_institution("1306")
    past = date.today() - timedelta(days=5)
    create_cycle(
        2026,
        diagnostic_start=past - timedelta(days=30),
        diagnostic_end=past,
    )
    login_as(create_user(Role.COORDINATOR, institutions=[institution]))
    _post(client, diagnostic_draft())
    submission = _submission()
    response = client.post(
        "/instituciones/1306/diagnostico/enviar",
        data={"lock_version": str(submission.lock_version)},
        follow_redirects=True,
    )
    assert "hoy no se puede enviar" in response.get_data(as_text=True)
    db.session.expire_all()
    assert _submission().state is SubmissionState.DRAFT


def test_other_institutions_diagnostic_is_404(client: FlaskClient, setting) -> None:
    create_institution("3101_61")
    assert client.get("/instituciones/3101_61/diagnostico").status_code == 404
    assert client.post("/instituciones/3101_61/diagnostico", data={}).status_code == 404
    assert client.get("/instituciones/3101_61/diagnostico/revisar").status_code == 404


def test_input_typed_when_the_session_expired_is_restored_after_login(
    client: FlaskClient, setting
) -> None:
    _post(client, diagnostic_draft(gaps=1))
    token = client.csrf_token()
    with client.session_transaction() as session:
        session["seen_at"] -= 31 * 60
    draft = diagnostic_draft(gaps=2)
    draft["gaps"][1]["description"] = "Escrita mientras la sesión expiraba"
    response = client.post(
        "/instituciones/1306/diagnostico",
        data={
            **flatten(draft),
            "lock_version": str(_submission().lock_version),
            "csrf_token": token,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-2500:]
    assert response.headers["Location"] == "/ingresar?next=/instituciones/1306/diagnostico"
    db.session.expire_all()
    assert len(_submission().draft["gaps"]) == 1  # nothing saved without a session

    response = client.post(
        "/ingresar",
        data={
            "email": setting["coordinator"].email,
            "password": PASSWORD,
            "next": "/instituciones/1306/diagnostico",
        },
    )
    assert response.headers["Location"] == "/instituciones/1306/diagnostico"
    restored = client.get("/instituciones/1306/diagnostico", follow_redirects=True)
    body = restored.get_data(as_text=True)
    assert "Se recuperó lo que había escrito" in body
    assert "Escrita mientras la sesión expiraba" in body
    db.session.expire_all()
    assert _submission().draft["gaps"][1]["description"] == "Escrita mientras la sesión expiraba"


def test_preserved_input_is_only_given_back_to_the_same_person(
    app, client: FlaskClient, setting
) -> None:
    _post(client, diagnostic_draft(gaps=1))
    token = client.csrf_token()
    with client.session_transaction() as session:
        session["seen_at"] -= 31 * 60
    client.post(
        "/instituciones/1306/diagnostico",
        data={**flatten(diagnostic_draft(gaps=3)), "lock_version": "1", "csrf_token": token},
    )
    colleague = create_user(Role.COORDINATOR, institutions=[setting["institution"]])
    client.post("/ingresar", data={"email": colleague.email, "password": PASSWORD})
    body = client.get("/instituciones/1306/diagnostico").get_data(as_text=True)
    assert "Se recuperó" not in body
    db.session.expire_all()
    assert len(_submission().draft["gaps"]) == 1
