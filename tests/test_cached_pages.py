"""A page that keeps what it computed (pmg.core.caching) shows a change at the next request:
each of them is read, a diagnostic is sent, and each is read again."""

from __future__ import annotations

import re
from datetime import date

from flask import Flask
from flask.testing import FlaskClient

from pmg.audit.operations import record
from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.review.operations import take
from pmg.submissions.models import SubmissionState
from tests.conftest import BrowserLikeClient, login
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
    load_starting_catalog,
)

SENT = SubmissionState.SUBMITTED.label
NOT_REVIEWED = "Esta versión aún no ha sido revisada."


def _client(app: Flask, role: Role) -> FlaskClient:
    client = BrowserLikeClient(app)
    assert login(client, create_user(role).email).status_code == 302
    return client


CSRF_TOKEN = re.compile(r'(name="csrf_token"[^>]*value=")[^"]*')  # signed with the second


def _text(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return CSRF_TOKEN.sub(r"\1", re.sub(r"\s+", " ", response.get_data(as_text=True)))


def _diagnostics_sent(dashboard: str) -> str:
    """The dashboard's count of institutions that sent their diagnostic at least once."""
    found = re.search(r'Enviados al menos una vez</th> <td class="num">(\d+)', dashboard)
    assert found, "no row of sent submissions on the dashboard"
    return found.group(1)


def test_every_kept_page_shows_a_diagnostic_sent_after_it_was_read(app: Flask) -> None:
    cycle = create_cycle(date.today().year)
    institution = create_institution()
    dipres, reviewer = _client(app, Role.DIPRES), _client(app, Role.REVIEWER)
    pages = {
        "dashboard": (dipres, "/"),
        "list": (dipres, "/instituciones/"),
        "institution": (dipres, f"/instituciones/{institution.code}"),
        "queue": (reviewer, "/revision/"),
    }
    before = {name: _text(client, path) for name, (client, path) in pages.items()}
    again = {name: _text(client, path) for name, (client, path) in pages.items()}
    assert again == before  # read twice, nothing changed: the same page

    create_submitted_diagnostic(institution, cycle)
    after = {name: _text(client, path) for name, (client, path) in pages.items()}

    assert _diagnostics_sent(before["dashboard"]) == "0"
    assert _diagnostics_sent(after["dashboard"]) == "1"
    assert f"<td>{SENT}</td>" in after["list"] and f"<td>{SENT}</td>" not in before["list"]
    assert "Aún no hay envíos." in before["institution"]
    assert "Aún no hay envíos." not in after["institution"]
    assert institution.name in after["queue"] and institution.name not in before["queue"]


def test_a_kept_version_shows_its_review_once_it_is_taken(app: Flask) -> None:
    """The version's page and the coordinator's record (the submission under review, read
    as a document) keep the version's document: its «Revisión» section follows the review.
    The list of versions and the review page keep the history: it shows who took it."""
    cycle = create_cycle(date.today().year)
    load_starting_catalog(cycle)
    institution = create_institution()
    version = create_submitted_diagnostic(institution, cycle)
    dipres = _client(app, Role.DIPRES)
    coordinator = BrowserLikeClient(app)
    assert login(coordinator, version.submitted_by.email).status_code == 302
    submitted = f"/instituciones/{institution.code}/{cycle.year}/diagnostico"
    pages = {
        "version": (dipres, f"{submitted}/v1"),
        "record": (coordinator, f"/instituciones/{institution.code}/diagnostico"),
        "versions": (dipres, f"{submitted}/"),
        "review": (
            _client(app, Role.REVIEWER),
            f"/revision/{institution.code}/{cycle.year}/diagnostico",
        ),
    }
    before = {name: _text(client, path) for name, (client, path) in pages.items()}
    assert {name: _text(client, path) for name, (client, path) in pages.items()} == before

    submission = version.submission
    take(submission, create_user(Role.REVIEWER, name="Rosa Revisora"), submission.lock_version)
    db.session.commit()
    after = {name: _text(client, path) for name, (client, path) in pages.items()}

    for name in ("version", "record"):
        assert NOT_REVIEWED in before[name] and NOT_REVIEWED not in after[name], name
    for name in pages:
        assert "<td>Rosa Revisora</td>" not in before[name], name
        assert "<td>Rosa Revisora</td>" in after[name], name


def test_the_kept_audit_page_shows_an_entry_no_other_table_was_written_with(app: Flask) -> None:
    """A download is audited and writes nothing else: the stamp stays, the trail grows."""
    admin = _client(app, Role.ADMIN)
    before = _text(admin, "/admin/auditoria")
    assert _text(admin, "/admin/auditoria") == before

    record("evidence.download", object_type="Thing", object_id="z", actor=None)
    db.session.commit()
    after = _text(admin, "/admin/auditoria")

    rows = re.compile(r'<th scope="row">(\d+)</th>')  # each entry's number
    assert len(rows.findall(after)) == len(rows.findall(before)) + 1
