"""Loading evidence files through their submission, and what a file may be attached to."""

from __future__ import annotations

from flask import abort

from pmg.evidence.models import EvidenceFile
from pmg.extensions import db
from pmg.submissions.models import Submission

ACTIONS_SECTION = "actions"
MAX_LABEL = 80


def find_evidence(submission: Submission, evidence_id: int) -> EvidenceFile | None:
    """The file ``evidence_id`` of ``submission``; ``None`` when missing or another's."""
    evidence = db.session.get(EvidenceFile, evidence_id)
    if evidence is None or evidence.submission_id != submission.id:
        return None
    return evidence


def get_evidence(submission: Submission, evidence_id: int) -> EvidenceFile:
    """The file ``evidence_id`` of ``submission``; 404 when missing or another submission's."""
    evidence = find_evidence(submission, evidence_id)
    if evidence is None:
        abort(404)
    return evidence


def action_keys(submission: Submission) -> list[str]:
    """The stable ids of the action rows in the saved draft (plans; none for a diagnostic)."""
    rows = (submission.draft or {}).get(ACTIONS_SECTION) or []
    return [row["key"] for row in rows if isinstance(row, dict) and row.get("key")]


def evidence_targets(submission: Submission | None, whole: str) -> list[tuple[str, str]]:
    """The choices of «Adjuntar a»: the whole submission (``""``), then each saved action.

    ``whole`` names the submission, e.g. ``"Todo el plan"``.
    """
    targets = [("", whole)]
    rows = ((submission.draft if submission else None) or {}).get(ACTIONS_SECTION) or []
    for number, row in enumerate(rows, start=1):
        if isinstance(row, dict) and row.get("key"):
            description = " ".join(str(row.get("description") or "").split())
            if len(description) > MAX_LABEL:
                description = description[: MAX_LABEL - 1].rstrip() + "…"
            targets.append((row["key"], f"Acción {number}: {description or 'sin descripción'}"))
    return targets
