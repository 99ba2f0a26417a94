"""Submitted versions with evidence files attached through the real operations."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from pmg.auth.models import User
from pmg.core.permissions import Role
from pmg.cycles.models import Cycle
from pmg.evidence.operations import attach
from pmg.extensions import db
from pmg.institutions.models import Institution
from pmg.submissions.models import SubmissionKind, SubmissionVersion
from pmg.submissions.operations import open_submission, save_draft, submit
from tests.factories import (
    create_submitted_diagnostic,
    create_user,
    diagnostic_draft,
    plan_draft,
    resubmit,
    with_gap_keys,
    with_value,
)

# (declared name, content, key of the action it is attached to or None for the whole)
Attachment = tuple[str, bytes, str | None]


def pdf_bytes(text: str = "Informe") -> bytes:
    return f"%PDF-1.4\n% {text}\ntrailer<<>>\n%%EOF\n".encode()


def csv_bytes(rows: int = 3) -> bytes:
    return ("region;reclamos\n" + "".join(f"R{n};{n * 10}\n" for n in range(rows))).encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def plan_with_keys(year: int) -> dict[str, Any]:
    """:func:`plan_draft` with keys that show if printed, and the second action starting
    on March 31."""
    draft = plan_draft(year=year)
    for number, action in enumerate(draft["actions"], start=1):
        action["key"] = f"clave-interna-{number}"
    draft["actions"][1]["start_date"] = f"{year}-03-31"
    return draft


def submit_with_evidence(
    institution: Institution,
    cycle: Cycle,
    kind: SubmissionKind,
    draft: dict[str, Any],
    files: list[Attachment],
    coordinator: User | None = None,
) -> SubmissionVersion:
    """Save ``draft``, attach ``files``, submit: the version lists the files."""
    coordinator = coordinator or create_user(Role.COORDINATOR, institutions=[institution])
    submission = open_submission(institution, cycle, kind)
    save_draft(submission, draft, coordinator, submission.lock_version)
    for name, data, action_key in files:
        attach(submission, data, name, coordinator, action_key)
    version = submit(submission, coordinator, date.today(), submission.lock_version)
    db.session.commit()
    return version


def submit_plan_with_evidence(
    institution: Institution,
    cycle: Cycle,
    files: list[Attachment],
    draft: dict[str, Any] | None = None,
    coordinator: User | None = None,
) -> SubmissionVersion:
    """A diagnostic (``diagnostic_draft``), then a plan with ``files``; the plan's version."""
    coordinator = coordinator or create_user(Role.COORDINATOR, institutions=[institution])
    create_submitted_diagnostic(institution, cycle, coordinator)
    return submit_with_evidence(
        institution,
        cycle,
        SubmissionKind.PLAN,
        draft or plan_draft(year=cycle.year),
        files,
        coordinator,
    )


def plan_on_gap_keys(institution: Institution, cycle: Cycle) -> SubmissionVersion:
    """A diagnostic whose gaps have keys (:func:`with_gap_keys`), then :func:`plan_draft`
    referring to them by key (``"1"`` as ``brecha-1``): the plan's version."""
    coordinator = create_user(Role.COORDINATOR, institutions=[institution])
    create_submitted_diagnostic(institution, cycle, coordinator, with_gap_keys(diagnostic_draft()))
    draft = plan_draft(year=cycle.year)
    for action in draft["actions"]:
        action["gaps"] = [f"brecha-{number}" for number in action["gaps"]]
    return submit_with_evidence(institution, cycle, SubmissionKind.PLAN, draft, [], coordinator)


def resubmit_changed(version: SubmissionVersion, path: str, value: Any) -> SubmissionVersion:
    """Send ``version``'s submission back and submit it again with ``value`` at ``path`` (see
    :func:`with_value`); the cycle needs a requirement catalog."""
    submission = version.submission
    draft = with_value(submission.draft, path, value)
    return resubmit(submission, draft, version.submitted_by)
