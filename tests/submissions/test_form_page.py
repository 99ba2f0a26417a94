"""The form page of a submission: every button saves what was typed, then does its job;
errors are summed up at the top; dates show their allowed range."""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pmg.core.permissions import Role
from pmg.submissions.kinds import KindSpec
from pmg.submissions.models import SubmissionKind
from tests.conftest import login
from tests.evidence.files import create_evidence, pdf
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
    diagnostic_draft,
    plan_draft,
)
from tests.submissions.pages import find, flatten, post_page, saved_draft

DIAGNOSTIC = "/instituciones/1306/diagnostico"
PLAN = "/instituciones/1306/plan"


@pytest.fixture
def coordinator(app: Flask, login_as) -> Any:
    institution = create_institution("1306")
    cycle = create_cycle(2026, execution_start=date(2026, 7, 1), execution_end=date(2027, 6, 30))
    user = login_as(create_user(Role.COORDINATOR, institutions=[institution]))
    return {"institution": institution, "cycle": cycle, "user": user}


def test_check_and_send_saves_first_and_checks_what_was_just_typed(
    client: FlaskClient, coordinator
) -> None:
    draft = diagnostic_draft()
    post_page(client, DIAGNOSTIC, draft)
    draft["gaps"][0]["description"] = ""  # typed, not yet saved, then «Revisar y enviar»
    draft["responsible"]["name"] = "Nombre recién escrito"
    response = post_page(client, DIAGNOSTIC, draft, "revisar")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{DIAGNOSTIC}/revisar"
    assert saved_draft()["responsible"]["name"] == "Nombre recién escrito"
    check = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Errores (1)" in check
    assert "Brecha 1 · Descripción de la brecha" in check


def test_check_and_send_is_a_button_of_the_form(client: FlaskClient, coordinator) -> None:
    body = client.get(DIAGNOSTIC).get_data(as_text=True)
    actions = body[body.index('<div class="form-actions">') :]
    actions = actions[: actions.index("</div>")]
    assert '<button type="submit" name="accion" value="guardar" class="button">' in actions
    assert '<button type="submit" name="accion" value="revisar"' in actions
    assert "<a " not in actions
    form = body[body.index('<form method="post" enctype="multipart/form-data"') :]
    assert form.index('<div class="form-actions">') < form.index("</form>")


def test_a_save_with_errors_opens_at_the_summary_naming_each_field(
    client: FlaskClient, coordinator
) -> None:
    draft = diagnostic_draft()
    draft["complaints"]["received"] = "mil"
    draft["gaps"][1]["description"] = ""
    response = post_page(client, DIAGNOSTIC, draft)
    assert response.headers["Location"] == f"{DIAGNOSTIC}#resumen-errores"
    body = client.get(DIAGNOSTIC).get_data(as_text=True)
    summary = body[body.index('<div class="error-summary" id="resumen-errores"') :]
    summary = summary[: summary.index("</div>")]
    assert 'role="alert" tabindex="-1"' in summary
    assert re.findall(r'<li><a href="#([^"]+)">([^<]+)</a>: ([^<]+)</li>', summary) == [
        (
            "complaints-received",
            "Reclamos · Reclamos recibidos en el año",
            "Escriba un número, por ejemplo 1234 o 12,5.",
        ),
    ]
    assert 'id="complaints-received"' in body


def test_a_save_without_errors_and_row_buttons_keep_their_place(
    client: FlaskClient, coordinator
) -> None:
    draft = diagnostic_draft()
    assert post_page(client, DIAGNOSTIC, draft).headers["Location"] == DIAGNOSTIC
    response = post_page(client, DIAGNOSTIC, draft, "agregar:gaps")
    assert response.headers["Location"] == f"{DIAGNOSTIC}#gaps-2"


@pytest.fixture
def plan_page(client: FlaskClient, coordinator) -> dict[str, Any]:
    institution, cycle, user = coordinator["institution"], coordinator["cycle"], coordinator["user"]
    create_submitted_diagnostic(institution, cycle, user)
    return coordinator


def test_plan_dates_show_the_execution_period_before_anything_is_typed(
    client: FlaskClient, plan_page
) -> None:
    post_page(client, PLAN, plan_draft(actions=1), kind=SubmissionKind.PLAN)
    body = client.get(PLAN).get_data(as_text=True)
    hint = "Entre el 1 de julio de 2026 y el 30 de junio de 2027 (período de ejecución del plan)."
    for name in ("start_date", "end_date"):
        field_id = f"actions-0-{name}"
        assert f'<p class="hint" id="{field_id}-ayuda">{hint}</p>' in body
        tag = re.search(rf'<input [^>]*id="{field_id}"[^>]*>', body).group(0)
        assert 'max="2027-06-30"' in tag and 'min="2026-07-01"' in tag
        assert 'type="date"' in tag


def test_plan_dates_across_the_year_end_are_accepted_inside_the_execution_period(
    client: FlaskClient, plan_page
) -> None:
    draft = plan_draft(actions=1)
    draft["actions"][0]["start_date"], draft["actions"][0]["end_date"] = "2026-12-01", "2027-06-30"
    post_page(client, PLAN, draft, kind=SubmissionKind.PLAN)
    body = client.get(f"{PLAN}/revisar").get_data(as_text=True)
    assert "período de ejecución" not in body
    draft["actions"][0]["end_date"] = "2027-07-01"
    post_page(client, PLAN, draft, kind=SubmissionKind.PLAN)
    body = client.get(f"{PLAN}/revisar").get_data(as_text=True)
    assert (
        "Acción 1 · Fecha de término</a>: La fecha debe estar entre el 1 de julio de 2026 y "
        "el 30 de junio de 2027, el período de ejecución del plan."
    ) in body


def test_pages_with_typed_input_ask_before_leaving(client: FlaskClient, coordinator) -> None:
    body = client.get(DIAGNOSTIC).get_data(as_text=True)
    assert '<script src="/static/js/pmg.js" defer></script>' in body
    form = re.search(r'<form method="post" enctype="multipart/form-data" [^>]*>', body).group(0)
    assert "data-aviso-cambios" in form
    script = client.get("/static/js/pmg.js")
    assert script.status_code == 200
    assert script.mimetype in ("text/javascript", "application/javascript")
    assert "beforeunload" in script.get_data(as_text=True)


HOSTILE_BUTTONS = [
    "eliminar-archivo:²",
    "eliminar-archivo:" + "9" * 20,
    "quitar:gaps:²",
    "quitar:gaps:-1",
    "responder:²",
    "responder:" + "9" * 5000,
    "agregar:",
    "agregar:nada",
    ":",
    "x" * 10_000,
]


@pytest.mark.parametrize("button", HOSTILE_BUTTONS)
def test_no_button_value_breaks_the_page(client: FlaskClient, coordinator, button: str) -> None:
    draft = diagnostic_draft()
    response = post_page(client, DIAGNOSTIC, draft, button)
    assert response.status_code == 302
    assert saved_draft()["responsible"] == draft["responsible"]


@pytest.mark.parametrize("name", ["respuesta-²", "respuesta-" + "9" * 20, "respuesta-", "x" * 500])
def test_no_field_name_breaks_the_page(client: FlaskClient, coordinator, name: str) -> None:
    response = post_page(client, DIAGNOSTIC, diagnostic_draft(), **{name: "texto"})
    assert response.status_code == 302


def test_a_file_chosen_with_another_button_is_said_not_attached(
    client: FlaskClient, coordinator
) -> None:
    file = (BytesIO(pdf()), "acta.pdf")
    post_page(client, DIAGNOSTIC, diagnostic_draft(), "guardar", **{"evidencia-file": file})
    body = client.get(DIAGNOSTIC).get_data(as_text=True)
    assert (
        "El archivo elegido («acta.pdf») no se adjuntó: para adjuntarlo, elíjalo de nuevo y use "
        "«Adjuntar archivo»."
    ) in body
    assert "Aún no hay archivos adjuntos." in body


def test_a_page_shown_again_after_a_refusal_holds_unsaved_changes(
    client: FlaskClient, coordinator
) -> None:
    post_page(client, DIAGNOSTIC, diagnostic_draft())
    stale = {"lock_version": "0"}
    response = post_page(client, DIAGNOSTIC, diagnostic_draft(gaps=3), **stale)
    assert response.status_code == 409
    assert 'data-aviso-cambios="sin-guardar"' in response.get_data(as_text=True)
    fresh = client.get(DIAGNOSTIC).get_data(as_text=True)
    assert "data-aviso-cambios>" in fresh


def test_a_line_break_counts_once_against_a_text_limit(client: FlaskClient, coordinator) -> None:
    """Browsers send a typed line break as CR LF; ``maxlength`` counts it as one."""
    draft = diagnostic_draft()
    line = "x" * 49
    draft["gaps"][0]["description"] = "\r\n".join([line] * 20)  # 999 typed characters
    post_page(client, DIAGNOSTIC, draft)
    assert "Use como máximo" not in client.get(DIAGNOSTIC).get_data(as_text=True)
    assert saved_draft()["gaps"][0]["description"] == draft["gaps"][0]["description"]


def test_input_restored_after_an_expired_session_does_not_press_its_button_again(
    client: FlaskClient, coordinator
) -> None:
    draft = diagnostic_draft()
    post_page(client, DIAGNOSTIC, draft)
    submission = find()
    evidence = create_evidence(submission, coordinator["user"])
    token = client.csrf_token()
    with client.session_transaction() as session:
        session["seen_at"] -= 31 * 60
    draft["responsible"]["name"] = "Escrito mientras la sesión expiraba"
    data = {
        **flatten(draft),
        "lock_version": str(find().lock_version),
        "accion": f"eliminar-archivo:{evidence.id}",
        "csrf_token": token,
    }
    client.post(DIAGNOSTIC, data=data)
    login(client, coordinator["user"].email)
    client.get(DIAGNOSTIC)
    assert saved_draft()["responsible"]["name"] == "Escrito mientras la sesión expiraba"
    assert [e.id for e in find().evidence] == [evidence.id]


def test_the_saved_draft_is_laid_out_once_and_never_over_what_was_typed(
    client: FlaskClient, coordinator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pmg.submission_pages.drafts: a visit with nothing changed shows what the last one
    laid out; a save lays it out again; a page shown again shows what was typed."""
    evaluated: list[int] = []
    evaluate = KindSpec.evaluate
    monkeypatch.setattr(
        KindSpec,
        "evaluate",
        lambda *args, **kwargs: evaluated.append(1) or evaluate(*args, **kwargs),
    )
    post_page(client, DIAGNOSTIC, diagnostic_draft())
    client.get(DIAGNOSTIC)  # says it was saved
    first = client.get(DIAGNOSTIC).get_data(as_text=True)
    laid_out = len(evaluated)
    assert _without_token(client.get(DIAGNOSTIC).get_data(as_text=True)) == _without_token(first)
    assert len(evaluated) == laid_out
    typed = diagnostic_draft()
    typed["responsible"]["name"] = "Nombre recién escrito"
    stale = post_page(client, DIAGNOSTIC, typed, lock_version="0")
    assert stale.status_code == 409
    assert 'value="Nombre recién escrito"' in stale.get_data(as_text=True)
    post_page(client, DIAGNOSTIC, typed)
    assert 'value="Nombre recién escrito"' in client.get(DIAGNOSTIC).get_data(as_text=True)


def _without_token(page: str) -> str:
    """``page`` without its CSRF tokens' values (the form's and the header's sign-out): each
    is signed with the second it was made in."""
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]+', r"\1", page)
