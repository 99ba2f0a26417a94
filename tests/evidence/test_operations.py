from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from pmg.audit.models import AuditEntry
from pmg.audit.operations import canonical_json
from pmg.core.errors import Conflict, DomainError
from pmg.core.permissions import Role
from pmg.evidence import operations
from pmg.evidence.checks import EvidenceRefused
from pmg.evidence.models import EvidenceFile, EvidenceType
from pmg.evidence.operations import attach, freeze, manifest, remove
from pmg.evidence.queries import action_keys, evidence_targets
from pmg.evidence.storage import evidence_files
from pmg.extensions import db
from pmg.submissions.models import Submission, SubmissionKind, SubmissionState
from pmg.submissions.operations import open_submission, save_draft, submit
from tests.evidence.files import CSV, EXE, pdf, stored_files
from tests.factories import (
    create_cycle,
    create_institution,
    create_user,
    diagnostic_draft,
)


@pytest.fixture
def draft(app: Flask) -> tuple[Submission, Any]:
    institution = create_institution("1306")
    cycle = create_cycle(2026)
    coordinator = create_user(Role.COORDINATOR, institutions=[institution])
    submission = open_submission(institution, cycle, SubmissionKind.DIAGNOSTIC)
    save_draft(submission, diagnostic_draft(), coordinator, submission.lock_version)
    db.session.commit()
    return submission, coordinator


def _rows() -> int:
    return db.session.scalar(select(func.count()).select_from(EvidenceFile))


def _files(app: Flask) -> list[str]:
    return stored_files(app.config["PMG_UPLOAD_DIR"])


def test_attach_stores_the_file_under_a_generated_name_with_its_hash(app: Flask, draft) -> None:
    submission, coordinator = draft
    data = pdf()
    evidence = attach(submission, data, "../Informe   de gestión.pdf", coordinator)
    db.session.commit()
    assert evidence.declared_name == "Informe de gestión.pdf"
    assert evidence.file_type is EvidenceType.PDF
    assert evidence.size == len(data)
    assert evidence.sha256 == hashlib.sha256(data).hexdigest()
    assert evidence.uploaded_by == coordinator
    assert evidence.uploaded_at is not None
    assert evidence.action_key is None
    assert not evidence.frozen
    name = evidence.stored_name
    assert len(name) == 32 and int(name, 16) >= 0
    assert _files(app) == [f"{name[:2]}/{name}"]
    assert evidence_files.read(name) == data
    assert evidence_files.read(evidence.stored_name) == data
    assert submission.evidence == [evidence]


def test_the_upload_folder_is_created_on_demand(app: Flask, draft, tmp_path) -> None:
    app.config["PMG_UPLOAD_DIR"] = str(tmp_path / "nueva" / "carpeta")
    submission, coordinator = draft
    attach(submission, pdf(), "a.pdf", coordinator)
    db.session.commit()
    assert len(_files(app)) == 1


def test_attach_writes_the_audit_entry(draft) -> None:
    submission, coordinator = draft
    evidence = attach(submission, pdf(), "informe.pdf", coordinator)
    db.session.commit()
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "evidence.attach"))
    assert entry.object_type == "EvidenceFile"
    assert entry.object_id == str(evidence.id)
    assert entry.actor_id == coordinator.id
    assert entry.institution_id == submission.institution_id
    assert entry.after["sha256"] == evidence.sha256
    assert entry.after["name"] == "informe.pdf"


def test_the_same_name_twice_gives_two_files(app: Flask, draft) -> None:
    submission, coordinator = draft
    first = attach(submission, pdf("uno"), "informe.pdf", coordinator)
    second = attach(submission, pdf("dos"), "informe.pdf", coordinator)
    db.session.commit()
    assert _rows() == 2
    assert first.stored_name != second.stored_name
    assert evidence_files.read(first.stored_name) == pdf("uno")
    assert evidence_files.read(second.stored_name) == pdf("dos")
    assert len(_files(app)) == 2


def test_attach_moves_the_version_counter(draft) -> None:
    submission, coordinator = draft
    seen = submission.lock_version
    attach(submission, pdf(), "informe.pdf", coordinator)
    assert submission.lock_version == seen + 1


@pytest.mark.parametrize("state", [SubmissionState.SUBMITTED, SubmissionState.APPROVED])
def test_attach_is_refused_once_sent(app: Flask, draft, state: SubmissionState) -> None:
    submission, coordinator = draft
    submission.state = state
    with pytest.raises(Conflict) as refused:
        attach(submission, pdf(), "informe.pdf", coordinator)
    assert refused.value.message == (
        f"El envío está en estado «{state.label}» y ya no se pueden adjuntar ni eliminar archivos."
    )
    assert _files(app) == []


def test_attach_is_allowed_again_with_observations(draft) -> None:
    submission, coordinator = draft
    submission.state = SubmissionState.OBSERVED
    assert attach(submission, pdf(), "informe.pdf", coordinator).id


@pytest.mark.parametrize(
    ("data", "limit"),
    [(EXE, 10_000), (b"", 10_000), (pdf(), 100)],
    ids=["executable", "empty", "too big"],
)
def test_a_refused_file_leaves_nothing(app: Flask, draft, data: bytes, limit: int) -> None:
    submission, coordinator = draft
    app.config["PMG_MAX_UPLOAD_BYTES"] = limit
    with pytest.raises(EvidenceRefused):
        attach(submission, data, "informe.pdf", coordinator)
    db.session.rollback()
    assert _rows() == 0
    assert _files(app) == []


def _fail(*args: Any, **kwargs: Any) -> None:
    raise RuntimeError("falla a mitad de camino")


@pytest.mark.parametrize(
    "target",
    ["pmg.evidence.operations.record", "pmg.evidence.operations.describe"],
    ids=["audit record", "audit details"],
)
def test_an_upload_that_fails_half_way_leaves_no_file(
    app: Flask, draft, monkeypatch: pytest.MonkeyPatch, target: str
) -> None:
    submission, coordinator = draft
    monkeypatch.setattr(target, _fail)
    with pytest.raises(RuntimeError):
        attach(submission, pdf(), "informe.pdf", coordinator)
    assert _files(app) == []  # removed at once, before any rollback
    db.session.rollback()
    assert _rows() == 0


def test_an_upload_whose_flush_fails_leaves_nothing(
    app: Flask, draft, monkeypatch: pytest.MonkeyPatch
) -> None:
    submission, coordinator = draft
    monkeypatch.setattr(db.session, "flush", _fail)
    with pytest.raises(RuntimeError):
        attach(submission, pdf(), "informe.pdf", coordinator)
    monkeypatch.undo()
    assert _files(app) == []
    db.session.rollback()
    assert _rows() == 0


def test_an_attached_file_goes_if_the_transaction_rolls_back(app: Flask, draft) -> None:
    submission, coordinator = draft
    attach(submission, pdf(), "informe.pdf", coordinator)
    assert len(_files(app)) == 1
    db.session.rollback()
    assert _files(app) == []
    assert _rows() == 0


def test_an_attached_file_goes_if_the_session_closes_without_commit(app: Flask, draft) -> None:
    submission, coordinator = draft
    attach(submission, pdf(), "informe.pdf", coordinator)
    db.session.close()
    assert _files(app) == []


def test_attach_to_an_action_of_the_saved_draft(app: Flask, draft) -> None:
    submission, coordinator = draft
    submission.draft = {**submission.draft, "actions": [{"key": "a1b2", "description": "X"}]}
    evidence = attach(submission, CSV, "datos.csv", coordinator, action_key="a1b2")
    assert evidence.action_key == "a1b2"
    assert evidence.file_type is EvidenceType.CSV
    with pytest.raises(DomainError) as refused:
        attach(submission, CSV, "datos.csv", coordinator, action_key="otra")
    assert refused.value.message == operations.UNKNOWN_ACTION


def test_remove_deletes_the_row_and_then_the_file_on_commit(app: Flask, draft) -> None:
    submission, coordinator = draft
    evidence = attach(submission, pdf(), "informe.pdf", coordinator)
    db.session.commit()
    seen = submission.lock_version
    remove(evidence, coordinator)
    assert _rows() == 0
    assert len(_files(app)) == 1  # still there until the transaction commits
    assert submission.lock_version == seen + 1
    assert manifest(submission) == []
    db.session.commit()
    assert _files(app) == []
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "evidence.remove"))
    assert entry.before["name"] == "informe.pdf"


def test_a_rolled_back_removal_keeps_the_file(app: Flask, draft) -> None:
    submission, coordinator = draft
    evidence = attach(submission, pdf(), "informe.pdf", coordinator)
    db.session.commit()
    remove(evidence, coordinator)
    db.session.rollback()
    assert _rows() == 1
    assert len(_files(app)) == 1


def _submit_with_evidence(submission: Submission, coordinator: Any) -> Any:
    version = submit(submission, coordinator, date.today(), submission.lock_version)
    freeze(version)
    db.session.commit()
    return version


def test_a_file_of_a_sent_version_cannot_be_removed(app: Flask, draft) -> None:
    submission, coordinator = draft
    evidence = attach(submission, pdf(), "informe.pdf", coordinator)
    db.session.commit()
    version = _submit_with_evidence(submission, coordinator)
    assert evidence.first_version == version
    submission.state = SubmissionState.OBSERVED  # even when it can be corrected again
    with pytest.raises(Conflict) as refused:
        remove(evidence, coordinator)
    assert refused.value.message == (
        "El archivo ya forma parte de la versión 1 enviada y no se puede eliminar."
    )
    db.session.rollback()
    assert _rows() == 1
    assert len(_files(app)) == 1


def test_freeze_marks_only_files_not_yet_in_a_version(draft) -> None:
    submission, coordinator = draft
    first = attach(submission, pdf("uno"), "uno.pdf", coordinator)
    db.session.commit()
    version_1 = _submit_with_evidence(submission, coordinator)
    submission.state = SubmissionState.DRAFT  # open again, as after observations
    second = attach(submission, pdf("dos"), "dos.pdf", coordinator)
    version_2 = submit(submission, coordinator, date.today(), submission.lock_version)
    freeze(version_2)
    db.session.commit()
    assert (first.first_version, second.first_version) == (version_1, version_2)


def test_remove_is_refused_once_sent_even_if_not_frozen(draft) -> None:
    submission, coordinator = draft
    evidence = attach(submission, pdf(), "informe.pdf", coordinator)
    db.session.commit()
    submission.state = SubmissionState.SUBMITTED
    with pytest.raises(Conflict):
        remove(evidence, coordinator)


def test_manifest_is_sorted_and_fits_in_the_hashed_content(draft) -> None:
    submission, coordinator = draft
    submission.draft = {**submission.draft, "actions": [{"key": "k1"}, {"key": "k2"}]}
    attach(submission, CSV, "z.csv", coordinator, action_key="k2")
    attach(submission, pdf("b"), "b.pdf", coordinator)
    attach(submission, pdf("a"), "a.pdf", coordinator)
    entries = manifest(submission)
    assert [(e["action_key"], e["name"]) for e in entries] == [
        (None, "a.pdf"),
        (None, "b.pdf"),
        ("k2", "z.csv"),
    ]
    assert entries[0] == {
        "name": "a.pdf",
        "size": len(pdf("a")),
        "sha256": hashlib.sha256(pdf("a")).hexdigest(),
        "type": "pdf",
        "action_key": None,
    }
    assert canonical_json(entries)  # plain JSON values only


def test_action_keys_and_targets_come_from_the_saved_actions(draft) -> None:
    submission, _ = draft
    submission.draft = {
        "actions": [
            {"key": "k1", "description": "Capacitar   a los equipos de OIRS"},
            {"key": "", "description": "fila sin clave"},
            {"key": "k3", "description": "x" * 100},
        ]
    }
    assert action_keys(submission) == ["k1", "k3"]
    assert evidence_targets(submission, "Todo el plan") == [
        ("", "Todo el plan"),
        ("k1", "Acción 1: Capacitar a los equipos de OIRS"),
        ("k3", "Acción 3: " + "x" * 79 + "…"),
    ]
    assert evidence_targets(None, "Todo el plan") == [("", "Todo el plan")]
