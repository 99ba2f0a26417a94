"""Drafts and submitting: every change to a submission's content goes through here.

Operations flush but never commit; the route owns the transaction.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from pmg.audit.operations import canonical_json
from pmg.auth.models import User
from pmg.core.errors import Conflict, DomainError
from pmg.core.filters import format_datetime
from pmg.core.models import utcnow
from pmg.cycles.models import Cycle
from pmg.evidence.operations import freeze as freeze_evidence
from pmg.evidence.operations import manifest as evidence_manifest
from pmg.extensions import db
from pmg.institutions.models import Institution
from pmg.submissions.kinds import KINDS
from pmg.submissions.models import Submission, SubmissionKind, SubmissionVersion
from pmg.submissions.permissions import EDITABLE_STATES
from pmg.submissions.queries import submission_context
from pmg.submissions.workflow import Action, transition


def open_submission(institution: Institution, cycle: Cycle, kind: SubmissionKind) -> Submission:
    """The institution's submission of ``kind`` in ``cycle``, created empty the first time."""
    submission = db.session.scalar(
        select(Submission).where(
            Submission.institution_id == institution.id,
            Submission.cycle_id == cycle.id,
            Submission.kind == kind,
        )
    )
    if submission is None:
        submission = Submission(institution=institution, cycle=cycle, kind=kind, draft={})
        db.session.add(submission)
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            raise Conflict(
                "Otra persona comenzó este envío al mismo tiempo. Recargue la página."
            ) from None
    return submission


def ensure_fresh(submission: Submission, seen_lock_version: int | None) -> None:
    """Refuse an action sent from a page older than the submission's last change."""
    if seen_lock_version is not None and seen_lock_version == submission.lock_version:
        return
    raise Conflict(stale_message(submission))


def stale_message(submission: Submission) -> str:
    latest = submission.latest_version
    if latest is not None and (
        submission.draft_saved_at is None or latest.submitted_at >= submission.draft_saved_at
    ):
        who, when = latest.submitted_by.name, latest.submitted_at
    elif submission.draft_saved_by is not None:
        who, when = submission.draft_saved_by.name, submission.draft_saved_at
    else:
        who, when = "otra persona", None
    moment = f" el {format_datetime(when)}" if when else ""
    return (
        f"{who} modificó este envío{moment}, después de que usted abriera la página. "
        "Revise la versión actual antes de continuar."
    )


def _flush(submission: Submission) -> None:
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(
            "Otra persona modificó este envío al mismo tiempo. Recargue la página."
        ) from None


def save_draft(
    submission: Submission, draft: dict[str, Any], actor: User, seen_lock_version: int | None
) -> None:
    """Keep exactly what was typed, valid or not: nothing typed is lost."""
    if submission.state not in EDITABLE_STATES:
        raise Conflict(
            f"El envío está en estado «{submission.state.label}» y ya no se puede modificar."
        )
    ensure_fresh(submission, seen_lock_version)
    submission.draft = draft
    submission.draft_saved_at = utcnow()
    submission.draft_saved_by = actor
    _flush(submission)


def version_document(submission: Submission, content: dict[str, Any]) -> dict[str, Any]:
    """What a version freezes: the content, its evidence files (names, sizes, SHA-256) and
    what identifies whose and which it is."""
    institution = submission.institution
    return {
        "kind": submission.kind.value,
        "institution": {
            "code": institution.code,
            "name": institution.name,
            "ministry": institution.ministry.name,
            "stage": institution.stage.value,
            "mesu": institution.mesu.value,
        },
        "cycle": submission.cycle.year,
        "reference_year": submission.cycle.reference_year,
        "content": content,
        "evidence": evidence_manifest(submission),
    }


def content_hash(content_json: str) -> str:
    return hashlib.sha256(content_json.encode("utf-8")).hexdigest()


def submit(
    submission: Submission, actor: User, today: date, seen_lock_version: int | None
) -> SubmissionVersion:
    """Freeze the draft as the next immutable, numbered version and mark it submitted."""
    kind = KINDS[submission.kind]
    ensure_fresh(submission, seen_lock_version)
    start, end = submission.cycle.window(kind.window)
    if not start <= today <= end:
        raise DomainError(
            f"El plazo de {kind.window.label.lower()} es del {start:%d-%m-%Y} al "
            f"{end:%d-%m-%Y}; hoy no se puede enviar."
        )
    context = submission_context(submission.institution, submission.cycle)
    evaluation = kind.evaluate(submission.draft, context, complete=True)
    if evaluation.errors:
        count = len(evaluation.errors)
        raise DomainError(
            f"El envío tiene {count} error{'es' if count > 1 else ''}; corríjalos antes de enviar."
        )
    text = canonical_json(version_document(submission, evaluation.content))
    version = SubmissionVersion(
        submission=submission,
        number=len(submission.versions) + 1,
        content_json=text,
        content_hash=content_hash(text),
        warnings=[{"path": w.path, "message": w.message} for w in evaluation.warnings],
        submitted_at=utcnow(),
        submitted_by=actor,
    )
    db.session.add(version)
    freeze_evidence(submission, version)
    transition(
        submission,
        Action.SUBMIT,
        actor,
        details={"version": version.number, "content_hash": version.content_hash},
    )
    _flush(submission)
    return version
