from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from pmg.audit.models import AuditEntry
from pmg.audit.operations import entry_digest
from pmg.core.errors import Conflict, DomainError
from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.submissions.models import SubmissionKind, SubmissionState, SubmissionVersion
from pmg.submissions.operations import open_submission, save_draft, submit
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
    diagnostic_draft,
)


@pytest.fixture
def draft_submission(app):  # type: ignore[no-untyped-def]
    institution = create_institution("1306")
    cycle = create_cycle(2026)
    coordinator = create_user(Role.COORDINATOR, institutions=[institution])
    submission = open_submission(institution, cycle, SubmissionKind.DIAGNOSTIC)
    save_draft(submission, diagnostic_draft(), coordinator, submission.lock_version)
    db.session.commit()
    return submission, coordinator


def test_submit_freezes_the_canonical_content_with_its_sha256(draft_submission) -> None:
    submission, coordinator = draft_submission
    version = submit(submission, coordinator, date.today(), submission.lock_version)
    db.session.commit()
    assert version.number == 1
    assert version.content_hash == hashlib.sha256(version.content_json.encode()).hexdigest()
    document = json.loads(version.content_json)
    assert document["institution"]["code"] == "1306"
    assert document["cycle"] == 2026
    assert document["reference_year"] == 2025
    assert document["content"]["complaints"]["received"] == 1250
    assert version.content_json == json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    assert submission.state is SubmissionState.SUBMITTED
    assert version.submitted_by == coordinator


def test_submit_writes_the_audit_entry(draft_submission) -> None:
    submission, coordinator = draft_submission
    version = submit(submission, coordinator, date.today(), submission.lock_version)
    db.session.commit()
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "submission.submit"))
    assert entry.actor_id == coordinator.id
    assert entry.actor_role == "coordinator"
    assert entry.institution_id == submission.institution_id
    assert entry.before == {"state": "draft"}
    assert entry.after == {
        "state": "submitted",
        "version": 1,
        "note": "",
        "content_hash": version.content_hash,
    }
    assert entry.entry_hash == entry_digest(entry)


def test_submit_refuses_a_stale_page(draft_submission) -> None:
    submission, coordinator = draft_submission
    seen = submission.lock_version
    save_draft(submission, diagnostic_draft(gaps=1), coordinator, seen)
    db.session.commit()
    with pytest.raises(Conflict, match="modificó este envío"):
        submit(submission, coordinator, date.today(), seen)


def test_a_second_submit_of_the_same_page_is_refused(draft_submission) -> None:
    submission, coordinator = draft_submission
    seen = submission.lock_version
    submit(submission, coordinator, date.today(), seen)
    db.session.commit()
    with pytest.raises(Conflict):
        submit(submission, coordinator, date.today(), seen)
    db.session.rollback()
    assert len(db.session.scalars(select(SubmissionVersion)).all()) == 1


def test_submit_refuses_a_draft_with_errors(draft_submission) -> None:
    submission, coordinator = draft_submission
    draft = diagnostic_draft()
    draft["complaints"]["received"] = ""
    save_draft(submission, draft, coordinator, submission.lock_version)
    with pytest.raises(DomainError, match=r"El envío tiene 1 error; corríjalos antes de enviar\."):
        submit(submission, coordinator, date.today(), submission.lock_version)


@pytest.mark.parametrize("days", [-31, 31])
def test_submit_only_inside_the_window(draft_submission, days: int) -> None:
    submission, coordinator = draft_submission
    with pytest.raises(DomainError, match="hoy no se puede enviar"):
        submit(
            submission, coordinator, date.today() + timedelta(days=days), submission.lock_version
        )


def test_saving_a_submitted_draft_is_refused(draft_submission) -> None:
    submission, coordinator = draft_submission
    submit(submission, coordinator, date.today(), submission.lock_version)
    with pytest.raises(Conflict, match="ya no se puede modificar"):
        save_draft(submission, {}, coordinator, submission.lock_version)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE submission_versions SET content_hash = 'x'",
        "DELETE FROM submission_versions",
        "UPDATE audit_entries SET action = 'x'",
        "DELETE FROM audit_entries",
    ],
)
def test_the_database_refuses_to_change_versions_and_audit_entries(app, statement: str) -> None:
    create_submitted_diagnostic(create_institution(), create_cycle())
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text(statement))
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("figure", ["9" * 310, "9" * 16, "1e400"])
def test_a_figure_no_json_number_holds_exactly_is_never_frozen(
    draft_submission, figure: str
) -> None:
    submission, coordinator = draft_submission
    draft = {**submission.draft, "complaints": {**submission.draft["complaints"]}}
    draft["complaints"]["received"] = figure
    save_draft(submission, draft, coordinator, submission.lock_version)

    with pytest.raises(DomainError, match="El envío tiene 1 error"):
        submit(submission, coordinator, date.today(), submission.lock_version)
    assert submission.versions == []


def test_the_largest_figures_are_frozen_as_finite_json_numbers(draft_submission) -> None:
    submission, coordinator = draft_submission
    draft = {**submission.draft, "complaints": {**submission.draft["complaints"]}}
    draft["complaints"].update(received="999.999.999.999.999", max_days="99.999.999.999.999,9")
    save_draft(submission, draft, coordinator, submission.lock_version)

    version = submit(submission, coordinator, date.today(), submission.lock_version)

    complaints = json.loads(version.content_json)["content"]["complaints"]
    assert (complaints["received"], complaints["max_days"]) == (999999999999999, 99999999999999.9)
    assert '"max_days":99999999999999.9,' in version.content_json
    assert "Infinity" not in version.content_json
