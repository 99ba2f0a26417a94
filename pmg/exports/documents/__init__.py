"""The document of a submitted version: what it says (:mod:`.document`, pure) apart from
loading what it needs (:mod:`.queries`) and printing it (:mod:`.pdf`).

:func:`version_context` is what the PDF and the version's page show: it loads, then
builds. Every PDF of a version handed out is recorded in the audit trail
(:func:`record_version_pdf`). Importing this package does not import WeasyPrint; only
:mod:`.pdf` does.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from pmg.audit.actions import AuditAction
from pmg.audit.operations import record
from pmg.core.models import utcnow
from pmg.exports.documents.blocks import VersionDocument
from pmg.exports.documents.document import build_document
from pmg.exports.documents.queries import load_version_review, reference_diagnostic
from pmg.exports.documents.review_document import VersionReview, build_review
from pmg.submissions.models import SubmissionKind

if TYPE_CHECKING:
    from pmg.auth.models import User
    from pmg.submissions.models import SubmissionVersion


def version_document(
    version: Any, *, as_of: datetime | None = None, diagnostic: Any | None = None
) -> VersionDocument:
    """The document of ``version``, as its page and PDF show it (and the review page, which
    shows it beside the checklist: :func:`pmg.review.content.show_content_with`), dated
    ``as_of`` (now, if not given).

    For a plan version not given its ``diagnostic``, the one it answers is looked up.
    """
    if diagnostic is None and version.content.get("kind") == SubmissionKind.PLAN.value:
        diagnostic = reference_diagnostic(version)
    return build_document(version, as_of=as_of or utcnow(), diagnostic=diagnostic)


def version_context(
    version: Any,
    *,
    as_of: datetime | None = None,
    diagnostic: Any | None = None,
    review: VersionReview | None = None,
) -> dict[str, Any]:
    """The context of the templates that show a version (the PDF and its HTML page): the
    ``document`` (:func:`version_document`) and its «Revisión» section, ``review``.

    A version not given its ``review`` section is shown with its review, observations and
    history, dated by the last change among them (:meth:`VersionReviewData.last_change`):
    the same state always reads the same, word for word.
    """
    if review is None:
        loaded = load_version_review(version)
        review = build_review(version.number, loaded.review, loaded.observations, loaded.history)
        as_of = as_of or loaded.last_change(version)
    document = version_document(version, as_of=as_of, diagnostic=diagnostic)
    return {"document": document, "review": review}


def record_version_pdf(version: SubmissionVersion, actor: User) -> None:
    """Record that ``actor`` was handed the PDF of ``version``."""
    submission = version.submission
    record(
        AuditAction.EXPORT_VERSION_PDF,
        version,
        actor=actor,
        institution_id=submission.institution_id,
        after={
            "kind": submission.kind.value,
            "cycle_year": submission.cycle.year,
            "number": version.number,
            "content_hash": version.content_hash,
        },
    )
