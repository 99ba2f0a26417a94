"""«Enviar» on the check page leads to a confirmation that says what sending will do; only
«Confirmar envío» sends. A page older than the draft, or a second send, is refused."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.review.observations import answer_observation
from pmg.submissions.models import SubmissionKind, SubmissionState
from pmg.submissions.operations import open_submission, save_draft
from tests.evidence.files import create_evidence
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
    diagnostic_draft,
    load_starting_catalog,
    observe_one,
    with_value,
)
from tests.submissions.pages import find

FORM = "/instituciones/1306/diagnostico"
CHECK = f"{FORM}/revisar"
CONFIRM = f"{FORM}/confirmar"
SEND = f"{FORM}/enviar"


@pytest.fixture
def drafted(app: Flask, login_as) -> dict[str, Any]:
    """A complete diagnostic draft (one warning: more answered than received) with a file."""
    cycle = create_cycle(2026)
    load_starting_catalog(cycle)
    institution = create_institution("1306", "COMISION NACIONAL DE RIEGO")
    coordinator = login_as(create_user(Role.COORDINATOR, institutions=[institution]))
    submission = open_submission(institution, cycle, SubmissionKind.DIAGNOSTIC)
    draft = with_value(diagnostic_draft(), "complaints.received", "1.150")
    save_draft(submission, draft, coordinator, submission.lock_version)
    create_evidence(submission, coordinator)
    db.session.commit()
    return {"coordinator": coordinator, "submission": submission, "institution": institution}


def _lock_version() -> int:
    submission = find()
    assert submission is not None
    return submission.lock_version


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_send_on_the_check_page_asks_for_a_confirmation_first(
    client: FlaskClient, drafted: dict[str, Any]
) -> None:
    check = client.get(CHECK).get_data(as_text=True)
    main = check[check.index("<main") : check.index("</main>")]
    form = re.search(r'<form method="get" action="([^"]+)">(.*?)</form>', main, re.S)
    assert form and form.group(1) == CONFIRM
    # Nothing to type on the check page: its only input is the hidden version counter.
    hidden = f'<input type="hidden" name="lock_version" value="{_lock_version()}">'
    assert re.findall(r"<(?:input|textarea|select)[^>]*>", main) == [hidden]
    assert "Enviar diagnóstico de brechas</button>" in form.group(2)
    assert f'action="{SEND}"' not in check

    page = client.get(f"{CONFIRM}?lock_version={_lock_version()}")
    assert page.status_code == 200
    assert find().state is SubmissionState.DRAFT and find().versions == []  # nothing sent yet
    text = _text(page.get_data(as_text=True))
    for sentence in (
        "Se enviará la versión 1 del diagnóstico de brechas de COMISION NACIONAL DE RIEGO a la "
        "Secretaría de Modernización del Estado para su revisión.",
        "No podrá editarlo mientras esté en revisión",
        "Incluye 1 medio de verificación adjunto.",
        "Tiene 1 advertencia: no impide el envío y la Secretaría la verá.",
    ):
        assert sentence in text
    html = page.get_data(as_text=True)
    send = re.search(rf'<form method="post" action="{SEND}"[^>]*>(.*?)</form>', html, re.S)
    assert send
    assert f'name="lock_version" value="{_lock_version()}"' in send.group(1)
    assert '<button type="submit" class="button">Confirmar envío</button>' in send.group(1)
    assert f'<a class="button secondary" href="{CHECK}">Volver</a>' in send.group(1)


def test_confirming_sends_the_version(client: FlaskClient, drafted: dict[str, Any]) -> None:
    seen = _lock_version()
    client.get(f"{CONFIRM}?lock_version={seen}")
    response = client.post(SEND, data={"lock_version": str(seen)})
    assert response.headers["Location"] == "/instituciones/1306/2026/diagnostico/v1"
    assert find().state is SubmissionState.SUBMITTED


def test_a_draft_changed_since_the_check_goes_back_to_it(
    client: FlaskClient, drafted: dict[str, Any]
) -> None:
    seen = _lock_version()
    submission = find()
    draft = with_value(submission.draft, "responsible.name", "Otra persona")
    save_draft(submission, draft, drafted["coordinator"], submission.lock_version)  # another tab
    db.session.commit()
    response = client.get(f"{CONFIRM}?lock_version={seen}")
    assert response.headers["Location"] == CHECK
    check = client.get(CHECK).get_data(as_text=True)
    assert "modificó este envío" in check and "Su acción no se aplicó" in check
    for stale in ("", "abc", "99999999999999999999"):
        assert client.get(f"{CONFIRM}?lock_version={stale}").headers["Location"] == CHECK
    assert find().state is SubmissionState.DRAFT


def test_a_draft_with_errors_is_not_confirmed(client: FlaskClient, drafted: dict[str, Any]) -> None:
    submission = find()
    draft = with_value(submission.draft, "gaps.0.description", "")
    save_draft(submission, draft, drafted["coordinator"], submission.lock_version)
    db.session.commit()
    response = client.get(f"{CONFIRM}?lock_version={_lock_version()}")
    assert response.headers["Location"] == CHECK
    assert "Corrija los errores para poder enviar." in client.get(CHECK).get_data(as_text=True)


def test_a_second_send_is_refused_clearly(client: FlaskClient, drafted: dict[str, Any]) -> None:
    seen = _lock_version()
    assert client.post(SEND, data={"lock_version": str(seen)}).status_code == 302
    again = client.post(SEND, data={"lock_version": str(seen)}, follow_redirects=True)
    assert "Este envío ya no se puede modificar." in again.get_data(as_text=True)
    assert len(find().versions) == 1
    confirm = client.get(f"{CONFIRM}?lock_version={_lock_version()}")
    assert confirm.headers["Location"] == CHECK


def test_a_resubmission_says_its_number_and_that_the_answers_go_with_it(
    client: FlaskClient, login_as
) -> None:
    cycle = create_cycle(2026)
    load_starting_catalog(cycle)
    institution = create_institution("1306", "COMISION NACIONAL DE RIEGO")
    coordinator = login_as(create_user(Role.COORDINATOR, institutions=[institution]))
    submission = create_submitted_diagnostic(institution, cycle, coordinator).submission
    observation = observe_one(submission, create_user(Role.REVIEWER))
    answer_observation(observation, "Se completó el equipo.", coordinator)
    draft = with_value(submission.draft, "responsible.team", "Equipo completo")
    save_draft(submission, draft, coordinator, submission.lock_version)
    db.session.commit()
    check = client.get(CHECK).get_data(as_text=True)
    assert "Reenviar diagnóstico de brechas</button>" in check
    text = _text(client.get(f"{CONFIRM}?lock_version={_lock_version()}").get_data(as_text=True))
    assert "Se enviará la versión 2 del diagnóstico de brechas" in text
    assert "Se envían también sus respuestas a las observaciones de la revisión." in text
    assert "No incluye medios de verificación adjuntos." in text
