"""A submission that can no longer be edited, read as a document: its latest version, with
its state and next step at the top and its PDF one click away, where the form was."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import render_template
from markupsafe import Markup

from pmg.core.caching import cached
from pmg.core.filters import format_date
from pmg.core.fragments import render_fragment
from pmg.exports.documents import version_context
from pmg.exports.documents.stored import stored_pdf
from pmg.review.queries import due_date
from pmg.submission_pages.observations import last_decision
from pmg.submissions.kinds import KindSpec
from pmg.submissions.models import Submission, SubmissionState, SubmissionVersion


@dataclass(frozen=True)
class ShownVersion:
    """A version as a document (``submissions/_document.html``), with its title and kind for
    the page around it, and the moment it shows (as its PDF does)."""

    title: str
    kind: str
    html: Markup
    as_of: datetime


def shown_version(version: SubmissionVersion) -> ShownVersion:
    """The version's document rendered once while the data is unchanged: the same for every
    reader who may open it (it shows nothing of the reader, like its PDF)."""

    def render() -> ShownVersion:
        context = version_context(version)
        document = context["document"]
        html = render_fragment("submissions/_document.html", **context)
        return ShownVersion(document.title, document.kind, html, document.as_of)

    return cached("submissions.version", (version.id,), render)


def pdf_stored(version: SubmissionVersion, shown: ShownVersion) -> bool:
    """Whether the PDF of ``version`` as ``shown`` is stored: if not, its page says that it
    is being prepared (a download then renders it)."""
    return stored_pdf(version, shown.as_of) is not None


def next_step(submission: Submission, version: SubmissionVersion) -> str:
    """What happens next to ``submission``, whose latest version is ``version``."""
    state = submission.state
    if state in (SubmissionState.SUBMITTED, SubmissionState.RESUBMITTED):
        due = due_date(submission)
        by = f", a más tardar el {format_date(due)}" if due else ""
        return (
            f"La Secretaría de Modernización del Estado revisará la versión {version.number}"
            f"{by}. Mientras tanto no se puede modificar; se le avisará por correo cuando "
            "decida."
        )
    if state is SubmissionState.IN_REVIEW:
        who = f" ({submission.reviewer.name})" if submission.reviewer else ""
        return (
            f"La Secretaría está revisando la versión {version.number}{who}. Mientras tanto "
            "no se puede modificar; se le avisará por correo cuando decida."
        )
    if state is SubmissionState.APPROVED:
        return (
            f"La revisión aprobó la versión {version.number}: cumple los requisitos técnicos. "
            "No queda nada por hacer en este envío."
        )
    if state is SubmissionState.REJECTED:
        return (
            f"La revisión rechazó la versión {version.number}: no cumple los requisitos "
            "técnicos. El envío quedó cerrado."
        )
    return "Este envío ya no se puede modificar."


def render_record(kind: KindSpec, submission: Submission, version: SubmissionVersion) -> str:
    """The page of a submission its reader cannot edit: ``version`` as a document."""
    decision = last_decision(submission)
    shown = shown_version(version)
    return render_template(
        "submissions/record.html",
        kind=kind,
        submission=submission,
        version=version,
        slug=kind.slug,
        next_step=next_step(submission, version),
        # The decision shown at the top is this version's; an earlier one is in the history.
        decision=decision if decision and decision.version_id == version.id else None,
        shown=shown,
        pdf_stored=pdf_stored(version, shown),
    )
