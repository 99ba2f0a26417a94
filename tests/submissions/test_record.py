"""A submission its coordinator can no longer edit opens as a document: its latest version,
its state and next step at the top, its PDF one click away."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pmg.core.filters import format_date
from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.review.models import Decision, Outcome
from pmg.review.operations import VerdictInput, decide, take
from pmg.submission_pages.record import next_step
from pmg.submissions.models import Submission, SubmissionState
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
    load_starting_catalog,
)

FORM = "/instituciones/1306/diagnostico"
PDF = "/instituciones/1306/2026/diagnostico/v1.pdf"


@pytest.fixture
def submitted(app: Flask) -> dict[str, Any]:
    cycle = create_cycle(2026)
    load_starting_catalog(cycle)
    institution = create_institution("1306")
    coordinator = create_user(Role.COORDINATOR, institutions=[institution])
    version = create_submitted_diagnostic(institution, cycle, coordinator)
    return {"coordinator": coordinator, "submission": version.submission, "cycle": cycle}


def approve(submission: Submission, note: str) -> None:
    """Rosa Revisora takes ``submission`` and approves it: every requirement met."""
    reviewer = create_user(Role.REVIEWER, name="Rosa Revisora")
    review = take(submission, reviewer, submission.lock_version)
    checklist = {v.requirement_id: VerdictInput(Outcome.MEETS) for v in review.verdicts}
    decide(
        review,
        Decision.APPROVE,
        reviewer,
        submission.lock_version,
        date.today(),
        note=note,
        checklist=checklist,
    )
    db.session.commit()


def _main(client: FlaskClient) -> str:
    response = client.get(FORM)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return page[page.index("<main") : page.index("</main>")]


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_submitted_form_reads_as_its_latest_version(
    client: FlaskClient, login_as, submitted: dict[str, Any]
) -> None:
    login_as(submitted["coordinator"])
    main = _main(client)
    for control in ("<input", "<textarea", "<select", "<button", "<form"):
        assert control not in main
    assert re.search(rf'<a class="button" href="{re.escape(PDF)}" download[ >]', main)
    text = _text(main)
    review_end = format_date(submitted["cycle"].review_end)
    assert "Estado: Enviado" in text
    assert f"revisará la versión 1, a más tardar el {review_end}" in text
    # The values, whole, as text: the team written on two lines, the procedures' table.
    assert "Pedro Soto, Planificación Ana Rojas, OIRS" in text
    assert "Trámite de prueba 2" in text
    assert text.index("Estado: Enviado") < text.index("Responsable y equipo de trabajo")


def test_an_approved_form_says_who_approved_it_and_why(
    client: FlaskClient, login_as, submitted: dict[str, Any]
) -> None:
    approve(submitted["submission"], "Cumple cada requisito.")
    login_as(submitted["coordinator"])
    main = _main(client)
    state = _text(main[: main.index("</section>")])
    assert "Estado: Aprobado" in state
    assert "La revisión aprobó la versión 1" in state
    assert "Decisión Aprobado Fundamento Cumple cada requisito. Decidida por Rosa Revisora" in state
    assert "Plazo para corregir" not in state
    assert f'href="{PDF}"' in main


def test_the_version_page_shows_the_same_document(
    client: FlaskClient, login_as, submitted: dict[str, Any]
) -> None:
    login_as(submitted["coordinator"])
    record = _main(client)
    version = client.get("/instituciones/1306/2026/diagnostico/v1").get_data(as_text=True)
    document = version[version.index("</div>", version.index('<div class="page-head">')) :]
    document = document[document.index("<dl") : document.index("</main>")]
    start = record.index("<dl", record.index("</section>"))
    assert _text(record[start:]) == _text(document)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (SubmissionState.SUBMITTED, "La Secretaría de Modernización del Estado revisará la "),
        (SubmissionState.RESUBMITTED, "La Secretaría de Modernización del Estado revisará la "),
        (SubmissionState.IN_REVIEW, "La Secretaría está revisando la versión 1 (Rosa Revisora)."),
        (SubmissionState.APPROVED, "La revisión aprobó la versión 1: cumple los requisitos"),
        (SubmissionState.REJECTED, "La revisión rechazó la versión 1: no cumple los requisitos"),
    ],
)
def test_the_next_step_of_each_state(
    submitted: dict[str, Any], state: SubmissionState, expected: str
) -> None:
    submission = submitted["submission"]
    submission.reviewer = create_user(Role.REVIEWER, name="Rosa Revisora")
    submission.state = state
    assert next_step(submission, submission.latest_version).startswith(expected)
