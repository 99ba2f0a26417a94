"""A version's PDF download: the stored PDF (rendered at the first download if no job stored
it before), the same bytes every time until what it shows changes, tagged by its SHA-256,
and 304 for a client that holds it."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from pmg.audit.actions import AuditAction
from pmg.audit.models import AuditEntry
from pmg.core.filters import format_datetime
from pmg.core.permissions import Role
from pmg.exports.documents import pdf
from pmg.extensions import db
from tests.factories import (
    create_user,
    observe_one,
)

PDF = "/instituciones/1306/2026/diagnostico/v1.pdf"


@pytest.fixture
def reviewer_client(client: FlaskClient, login_as: Any) -> FlaskClient:
    login_as(create_user(Role.REVIEWER))
    return client


def _handed_out() -> int:
    action = AuditAction.EXPORT_VERSION_PDF.value
    return db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
    ) or 0


def test_the_same_state_gives_the_same_bytes_rendered_once(
    version: Any,
    reviewer_client: FlaskClient,
    renders: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    later = datetime(2030, 1, 2, 15, 0, tzinfo=UTC)  # when it is downloaded: not what it says
    monkeypatch.setattr("pmg.exports.documents.utcnow", lambda: later)
    first = reviewer_client.get(PDF)
    second = reviewer_client.get(PDF)
    assert first.status_code == second.status_code == 200
    assert first.data.startswith(b"%PDF") and first.data == second.data
    assert first.headers["ETag"] == second.headers["ETag"]
    assert first.last_modified is not None
    assert first.last_modified == version.submitted_at.replace(microsecond=0)
    assert len(renders) == 1  # the second was the stored one
    assert first.headers["ETag"] == f'"{hashlib.sha256(first.data).hexdigest()}"'
    said = " ".join(renders[0].split())
    assert f"son los del {format_datetime(version.submitted_at)}" in said
    assert format_datetime(later) not in said
    assert _handed_out() == 2
    # Rendered again (another server, a lost file): byte for byte the same.
    assert pdf.render_version_pdf(version) == first.data


def test_a_client_that_holds_it_gets_304_and_nothing_is_rendered(
    version: Any, reviewer_client: FlaskClient, renders: list[str]
) -> None:
    first = reviewer_client.get(PDF)
    tag = first.headers["ETag"]
    again = reviewer_client.get(PDF, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == tag
    since = reviewer_client.get(PDF, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    other = reviewer_client.get(PDF, headers={"If-None-Match": '"otra-cosa"'})
    assert other.status_code == 200 and other.data == first.data
    assert len(renders) == 1
    assert _handed_out() == 2  # the first and the last: a 304 hands out nothing


def test_a_review_step_changes_the_document_its_tag_and_its_date(
    app: Flask, version: Any, reviewer_client: FlaskClient, renders: list[str]
) -> None:
    before = reviewer_client.get(PDF)
    observe_one(version.submission, create_user(Role.REVIEWER))
    after = reviewer_client.get(PDF, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.data != before.data
    assert after.last_modified is not None and before.last_modified is not None
    assert after.last_modified >= before.last_modified  # to the second
    assert len(renders) == 2
