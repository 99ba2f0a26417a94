"""A version of a pre-filled draft: it freezes what was pre-filled, and its PDF marks the
pre-filled sections and shows the imported value beside each changed one."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import BytesIO
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader

from pmg.core.permissions import Role
from pmg.exports.documents.document import build_document
from pmg.exports.documents.pdf import render_version_pdf
from pmg.extensions import db
from pmg.submissions.models import SubmissionKind
from pmg.submissions.operations import open_submission, save_draft, submit
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_submitted_plan,
    create_user,
    diagnostic_draft,
)
from tests.submissions.prefill_history import (
    PROCEDURE_FIGURES,
    add_figures,
    add_procedure,
    add_targets,
)

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture
def institution(app: Flask) -> Any:
    institution = create_institution("1306", "Servicio Nacional de Prueba")
    add_figures(institution, 2025)
    add_procedure(
        institution,
        "Certificado de antecedentes",
        {2025: PROCEDURE_FIGURES},
        start_milestone="Ingreso\nde la solicitud",
    )
    return institution


def submit_prefilled(institution: Any, cycle: Any) -> Any:
    """The pre-filled diagnostic, completed, with some imported values changed."""
    coordinator = create_user(Role.COORDINATOR, institutions=[institution])
    submission = open_submission(institution, cycle, SubmissionKind.DIAGNOSTIC)
    start = submission.draft
    draft = diagnostic_draft(gaps=1, procedures=0)
    draft["complaints"] = start["complaints"] | {
        "mean_days": "8",
        "median_days": "7,0",  # the same number as the imported 7
        "answered_over_20": "90",  # not reported in the file
    }
    draft["saip"] = start["saip"]
    draft["procedures"] = [
        start["procedures"][0]
        | {
            "justification": "objetivos_estrategicos",
            "start_milestone": "Ingreso\r\nde la solicitud",  # as a browser sends a text area
        }
    ]
    save_draft(submission, draft, coordinator, submission.lock_version)
    version = submit(submission, coordinator, date.today(), submission.lock_version)
    db.session.commit()
    return version


def lines_of(section: Any) -> dict[str, Any]:
    lines = section.lines if not section.repeated else section.entries[0].lines
    return {line.label: line for line in lines}


def test_the_version_freezes_what_was_prefilled(institution: Any) -> None:
    version = submit_prefilled(institution, create_cycle(2026))

    assert version.content["prefilled"] == version.submission.prefilled
    assert version.content["prefilled"]["complaints"]["mean_days"] == "7,5"


def test_a_version_without_prefill_keeps_its_document_shape(app: Flask) -> None:
    version = create_submitted_diagnostic(create_institution(), create_cycle(2026))

    assert set(version.content) == {
        "kind",
        "institution",
        "cycle",
        "reference_year",
        "content",
        "evidence",
    }
    sections = build_document(version, as_of=NOW).sections
    assert all(section.prefilled_year is None for section in sections)


def test_each_changed_value_carries_the_imported_one(institution: Any) -> None:
    version = submit_prefilled(institution, create_cycle(2026))

    sections = {s.key: s for s in build_document(version, as_of=NOW).sections}

    for key in ("complaints", "saip", "procedures"):
        assert sections[key].prefilled_year == 2025
    assert sections["responsible"].prefilled_year is None
    complaints = lines_of(sections["complaints"])
    assert complaints["Tiempo promedio de respuesta"].value == "8"
    assert complaints["Tiempo promedio de respuesta"].official == "7,5"
    changed = {label for label, line in complaints.items() if line.official}
    assert changed == {"Tiempo promedio de respuesta"}
    procedure = lines_of(sections["procedures"])
    assert procedure["Justificación de la selección"].official == (
        "Masividad (volumen de transacciones)"
    )
    assert procedure["Tiempo promedio"].official == ""
    assert procedure["Hito de inicio"].official == ""
    assert sections["procedures"].entries[0].title == "Trámite 1 de 1 (del consolidado oficial)"


def test_the_pdf_shows_the_imported_value_beside_the_changed_one(institution: Any) -> None:
    version = submit_prefilled(institution, create_cycle(2026))

    pages = PdfReader(BytesIO(render_version_pdf(version))).pages
    text = " ".join(" ".join(page.extract_text() or "" for page in pages).split())

    assert "Tiempo promedio de respuesta 8 Consolidado oficial: 7,5" in text
    assert text.count("Consolidado oficial:") == 2  # the mean and the justification
    assert text.count("consolidado oficial del año 2025") == 3


def test_a_plan_version_shows_its_changed_imported_targets(app: Flask) -> None:
    institution = create_institution()
    cycle = create_cycle(2026)
    add_targets(institution, cycle, complaints_answered_pct=97.5, saip_mean_days=12.0)

    version = create_submitted_plan(institution, cycle)  # its targets: 97,5 and 10,5
    document = build_document(version, as_of=NOW, diagnostic=None)

    sections = {s.key: s for s in document.sections}
    targets = lines_of(sections["saip_targets"])
    assert targets["Tiempo promedio de respuesta (días hábiles)"].official == "12"
    assert lines_of(sections["complaint_targets"])["% de reclamos respondidos"].official == ""
    assert sections["complaint_targets"].prefilled_year == 2025


def test_the_version_page_shows_the_imported_value_beside_the_changed_one(
    institution: Any, client: Any, login_as: Any
) -> None:
    submit_prefilled(institution, create_cycle(2026))
    login_as(create_user(Role.REVIEWER))

    body = client.get("/instituciones/1306/2026/diagnostico/v1").get_data(as_text=True)

    assert "<dd>8<br><span" in body
    assert body.count("Consolidado oficial: 7,5") == 1
    assert body.count("consolidado oficial del año 2025") == 3
