"""Drafts and submitting: every change to a submission's content goes through here.

Operations flush but never commit; the route owns the transaction.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from pmg.audit.operations import canonical_json
from pmg.auth.models import User
from pmg.core.errors import Conflict, DomainError
from pmg.core.models import utcnow
from pmg.cycles.models import Cycle
from pmg.extensions import db
from pmg.institutions.models import Institution
from pmg.submissions import signals
from pmg.submissions.evaluation import Evaluation
from pmg.submissions.kinds import KINDS
from pmg.submissions.models import (
    Submission,
    SubmissionKind,
    SubmissionState,
    SubmissionVersion,
)
from pmg.submissions.permissions import EDITABLE_STATES
from pmg.submissions.queries import submission_context
from pmg.submissions.workflow import Action, ensure_fresh, flush_or_conflict, transition


def open_submission(institution: Institution, cycle: Cycle, kind: SubmissionKind) -> Submission:
    """The institution's submission of ``kind`` in ``cycle``, created the first time with
    what the history imported from the official consolidated files holds for it."""
    submission = db.session.scalar(
        select(Submission).where(
            Submission.institution_id == institution.id,
            Submission.cycle_id == cycle.id,
            Submission.kind == kind,
        )
    )
    if submission is None:
        start = KINDS[kind].prefill(institution, cycle)
        submission = Submission(
            institution=institution,
            cycle=cycle,
            kind=kind,
            draft=start.draft,
            prefilled=start.marks,
        )
        db.session.add(submission)
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            raise Conflict(
                "Otra persona comenzó este envío al mismo tiempo. Recargue la página."
            ) from None
    return submission


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
    flush_or_conflict(submission)


def version_document(submission: Submission, content: dict[str, Any]) -> dict[str, Any]:
    """What a version freezes: the content, its evidence files (names, sizes, SHA-256) and
    what identifies whose and which it is; and what was pre-filled from the official
    consolidated files, when anything was (so the documents of the others keep their shape)."""
    institution = submission.institution
    document = {
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
        **signals.contributions(signals.documenting, submission),
    }
    if submission.prefilled:
        document["prefilled"] = submission.prefilled
    return document


def content_hash(content_json: str) -> str:
    return hashlib.sha256(content_json.encode("utf-8")).hexdigest()


def deadline_problem(submission: Submission, today: date) -> str | None:
    """Why ``submission`` cannot be sent today, or ``None``: the kind's window for a first
    submission, the correction deadline for a resubmission."""
    if submission.state is SubmissionState.OBSERVED:
        due = submission.correction_deadline
        if due is not None and today > due:
            return f"El plazo para corregir las observaciones venció el {due:%d-%m-%Y}."
        return None
    window = KINDS[submission.kind].window
    start, end = submission.cycle.window(window)
    if start <= today <= end:
        return None
    return (
        f"El plazo de {window.label.lower()} es del {start:%d-%m-%Y} al {end:%d-%m-%Y}; "
        "hoy no se puede enviar."
    )


def _check_resubmission(submission: Submission, content_digest: str) -> None:
    observed = submission.latest_version
    if observed is not None and observed.content_hash == content_digest:
        raise DomainError(
            f"El contenido es idéntico al de la versión {observed.number}, que fue observada. "
            "Corrija lo observado antes de reenviar."
        )
    problems = signals.refusals(signals.resubmitting, submission)
    if problems:
        raise DomainError(" ".join(problems))


def _complete_evaluation(submission: Submission) -> Evaluation:
    """The draft checked as for submitting; refused while it has errors."""
    context = submission_context(submission.institution, submission.cycle)
    evaluation = KINDS[submission.kind].evaluate(submission.draft, context, complete=True)
    if evaluation.errors:
        count = len(evaluation.errors)
        raise DomainError(
            f"El envío tiene {count} error{'es' if count > 1 else ''}; corríjalos antes de enviar."
        )
    return evaluation


def submit(
    submission: Submission, actor: User, today: date, seen_lock_version: int | None
) -> SubmissionVersion:
    """Freeze the draft as the next immutable, numbered version: a first submission from a
    draft, or a resubmission answering the observations."""
    ensure_fresh(submission, seen_lock_version)
    resubmitting = submission.state is SubmissionState.OBSERVED
    problem = deadline_problem(submission, today)
    if problem:
        raise DomainError(problem)
    evaluation = _complete_evaluation(submission)
    text = canonical_json(version_document(submission, evaluation.content))
    digest = content_hash(text)
    if resubmitting:
        _check_resubmission(submission, digest)
    number = len(submission.versions) + 1
    recorded = signals.contributions(signals.freezing, submission)
    transition(
        submission,
        Action.RESUBMIT if resubmitting else Action.SUBMIT,
        actor,
        seen_lock_version,
        version_number=number,
        details={"content_hash": digest},
    )
    version = SubmissionVersion(
        submission=submission,
        number=number,
        content_json=text,
        content_hash=digest,
        warnings=[{"path": w.path, "message": w.message} for w in evaluation.warnings],
        submitted_at=submission.state_changed_at,
        submitted_by=actor,
        **recorded,
    )
    db.session.add(version)
    submission.last_sent_at = version.submitted_at
    db.session.flush()  # the receivers get the version with its id
    signals.announce(signals.frozen, version)
    db.session.flush()
    return version
