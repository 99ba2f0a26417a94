"""The largest forms the application accepts, posted as the page posts them (multipart,
with a file at the upload limit), fit the request limits and are saved whole."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from pmg.core.permissions import Role
from pmg.diagnostics.schema import sections_for as diagnostic_sections
from pmg.evidence.models import EvidenceFile
from pmg.extensions import db
from pmg.institutions.models import MesuCommitment
from pmg.plans.schema import sections_for as plan_sections
from pmg.submissions.models import SubmissionKind
from tests.evidence.files import pdf
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
)
from tests.largest import Filler, largest_draft
from tests.submissions.pages import post_page, saved_draft

DIAGNOSTIC = "/instituciones/1306/diagnostico"
PLAN = "/instituciones/1306/plan"
UPLOAD_LIMIT = 64 * 1024
# Three bytes in UTF-8: the heaviest way to fill each text to its length limit.
HEAVY = "€"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"PMG_MAX_UPLOAD_BYTES": UPLOAD_LIMIT}


@pytest.fixture
def signed_in(app: Flask, login_as) -> dict[str, Any]:
    institution = create_institution("1306", mesu=MesuCommitment.YES)
    cycle = create_cycle()
    coordinator = login_as(create_user(Role.COORDINATOR, institutions=[institution]))
    start, end = cycle.execution_period
    dates = {"start_date": start.isoformat(), "end_date": end.isoformat()}
    return {"institution": institution, "cycle": cycle, "user": coordinator, "dates": dates}


def _file() -> tuple[BytesIO, str]:
    data = pdf()
    return BytesIO(data + bytes(UPLOAD_LIMIT - len(data))), "anexo.pdf"


def _post_with_file(client: FlaskClient, url: str, draft: Any, kind: SubmissionKind) -> Any:
    return post_page(client, url, draft, "adjuntar", kind=kind, **{"evidencia-file": _file()})


def _attached_sizes() -> list[int]:
    return list(db.session.scalars(select(EvidenceFile.size)))


def test_the_largest_diagnostic_with_a_file_at_the_limit_is_saved_whole(
    client: FlaskClient, signed_in: dict[str, Any]
) -> None:
    filler = Filler("lines", signed_in["dates"], [], [], HEAVY)
    draft = largest_draft(diagnostic_sections(signed_in["institution"]), filler)
    response = _post_with_file(client, DIAGNOSTIC, draft, SubmissionKind.DIAGNOSTIC)
    assert response.status_code == 302
    assert saved_draft(SubmissionKind.DIAGNOSTIC) == draft
    assert _attached_sizes() == [UPLOAD_LIMIT]


def test_the_largest_plan_with_a_file_at_the_limit_is_saved_whole(
    client: FlaskClient, signed_in: dict[str, Any]
) -> None:
    institution, dates = signed_in["institution"], signed_in["dates"]
    diagnostic = largest_draft(diagnostic_sections(institution), Filler("words", dates, [], []))
    create_submitted_diagnostic(institution, signed_in["cycle"], signed_in["user"], diagnostic)
    gaps = [gap["key"] for gap in diagnostic["gaps"]]
    procedures = [procedure["name"] for procedure in diagnostic["procedures"]]
    filler = Filler("lines", dates, gaps, procedures, HEAVY)
    draft = largest_draft(plan_sections(institution), filler)
    response = _post_with_file(client, PLAN, draft, SubmissionKind.PLAN)
    assert response.status_code == 302
    assert saved_draft(SubmissionKind.PLAN) == draft
    assert _attached_sizes() == [UPLOAD_LIMIT]
