"""Attaching, removing and freezing evidence files; every change goes through here.

Operations flush but never commit; the route owns the transaction. Attaching or
removing a file changes what the next version will contain, so it also moves the
submission's version counter: a submit sent from a page that did not see the change
is refused, as for any other change to the content.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app
from sqlalchemy.orm.exc import StaleDataError

from pmg.audit.operations import record
from pmg.auth.models import User
from pmg.core.errors import Conflict, DomainError
from pmg.evidence.checks import check_size, clean_name, detect_type
from pmg.evidence.models import EvidenceFile
from pmg.evidence.queries import action_keys
from pmg.evidence.storage import evidence_files
from pmg.extensions import db
from pmg.submissions.models import Submission, SubmissionVersion
from pmg.submissions.permissions import EDITABLE_STATES
from pmg.submissions.signals import documenting, frozen

UNKNOWN_ACTION = (
    "La acción elegida en «Adjuntar a» ya no está en el borrador. Elija otra opción y vuelva a "
    "adjuntar el archivo."
)
CONCURRENT = "Otra persona modificó este envío al mismo tiempo. Recargue la página."


def _ensure_editable(submission: Submission) -> None:
    if submission.state not in EDITABLE_STATES:
        raise Conflict(
            f"El envío está en estado «{submission.state.label}» y ya no se pueden "
            "adjuntar ni eliminar archivos."
        )


def attach(
    submission: Submission,
    data: bytes,
    declared_name: str,
    actor: User,
    action_key: str | None = None,
) -> EvidenceFile:
    """Check ``data`` by its content, store it under a new name and list it on ``submission``.

    If anything fails after the file is written, the file is removed and nothing is listed.
    """
    _ensure_editable(submission)
    if action_key is not None and action_key not in action_keys(submission):
        raise DomainError(UNKNOWN_ACTION)
    check_size(len(data), current_app.config["PMG_MAX_UPLOAD_BYTES"])
    file_type = detect_type(data)
    stored_name = evidence_files.store(data)
    try:
        evidence = EvidenceFile(
            submission=submission,
            action_key=action_key,
            declared_name=clean_name(declared_name),
            stored_name=stored_name,
            file_type=file_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=actor,
        )
        db.session.add(evidence)
        _touch(submission)
        record(
            "evidence.attach",
            evidence,
            actor=actor,
            institution_id=submission.institution_id,
            after=describe(evidence),
        )
    except BaseException:
        evidence_files.delete(stored_name)
        raise
    return evidence


def remove(evidence: EvidenceFile, actor: User) -> None:
    """Take ``evidence`` off its submission; the file goes once the transaction commits."""
    if evidence.frozen:
        number = evidence.first_version.number if evidence.first_version else "anterior"
        raise Conflict(
            f"El archivo ya forma parte de la versión {number} enviada y no se puede eliminar."
        )
    submission = evidence.submission
    _ensure_editable(submission)
    record(
        "evidence.remove",
        evidence,
        actor=actor,
        institution_id=submission.institution_id,
        before=describe(evidence),
    )
    submission.evidence.remove(evidence)
    db.session.delete(evidence)
    _touch(submission)
    evidence_files.delete_on_commit(evidence.stored_name)


def freeze(version: SubmissionVersion) -> None:
    """Mark the files ``version`` lists as part of it: from then on they cannot be removed."""
    for evidence in version.submission.evidence:
        if evidence.first_version_id is None and evidence.first_version is None:
            evidence.first_version = version


def manifest(submission: Submission) -> list[dict[str, Any]]:
    """The files of ``submission`` as they enter a version's hashed content, in a stable order."""
    entries = [
        {
            "name": evidence.declared_name,
            "size": evidence.size,
            "sha256": evidence.sha256,
            "type": evidence.file_type.value,
            "action_key": evidence.action_key,
        }
        for evidence in submission.evidence
    ]
    return sorted(entries, key=lambda e: (e["action_key"] or "", e["name"], e["sha256"]))


def record_download(evidence: EvidenceFile, actor: User) -> None:
    """Record that ``actor`` was handed ``evidence``."""
    record(
        "evidence.download",
        evidence,
        actor=actor,
        institution_id=evidence.submission.institution_id,
        after={"name": evidence.declared_name, "sha256": evidence.sha256},
    )


def describe(evidence: EvidenceFile) -> dict[str, Any]:
    """What the audit trail keeps about a file."""
    return {
        "submission_id": evidence.submission_id,
        "action_key": evidence.action_key,
        "name": evidence.declared_name,
        "type": evidence.file_type.value,
        "size": evidence.size,
        "sha256": evidence.sha256,
        "stored_name": evidence.stored_name,
    }


def _touch(submission: Submission) -> None:
    """Flush with the submission's version counter moved (see the module docstring).

    On a concurrent change the caller rolls back (the whole transaction, or its savepoint).
    """
    # Moved by hand, the counter is still checked: UPDATE … WHERE lock_version = <as read>.
    submission.lock_version += 1
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict(CONCURRENT) from None


def _documented(submission: Submission) -> dict[str, Any]:
    return {"evidence": manifest(submission)}


def subscribe() -> None:
    """Every version document lists the submission's files, and the version keeps them
    (the application does it once)."""
    documenting.connect(_documented)
    frozen.connect(freeze)
