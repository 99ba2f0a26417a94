"""Posting a submission's form page as a browser does: every field of the page, and the
button pressed (``accion``)."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from pmg.extensions import db
from pmg.institutions.models import Institution
from pmg.submissions.models import Submission, SubmissionKind


def flatten(draft: dict[str, Any]) -> dict[str, Any]:
    """The draft as the browser posts it (``procedures-0-name`` …)."""
    data: dict[str, Any] = {}
    for key, value in draft.items():
        if isinstance(value, list):
            for index, row in enumerate(value):
                data.update({f"{key}-{index}-{name}": text for name, text in row.items()})
        else:
            data.update({f"{key}-{name}": text for name, text in value.items()})
    return data


def saved_draft(kind: SubmissionKind = SubmissionKind.DIAGNOSTIC) -> dict[str, Any]:
    submission = find(kind)
    return dict(submission.draft) if submission else {}


def find(
    kind: SubmissionKind = SubmissionKind.DIAGNOSTIC, code: str | None = None
) -> Submission | None:
    """The submission of ``kind`` (of the institution ``code``, when several institutions
    have one; otherwise the first opened), read afresh."""
    db.session.expire_all()
    query = select(Submission).where(Submission.kind == kind).order_by(Submission.id)
    if code is not None:
        query = query.join(Submission.institution).where(Institution.code == code)
    return db.session.scalars(query).first()


def post_page(
    client: FlaskClient,
    url: str,
    draft: dict[str, Any],
    action: str = "guardar",
    *,
    kind: SubmissionKind = SubmissionKind.DIAGNOSTIC,
    **extra: Any,
) -> Any:
    """Post ``draft`` (and ``extra`` fields, files included) as the page at ``url`` would,
    with the version counter of the saved submission; multipart like the page's form."""
    submission = find(kind, url.split("/")[2])  # /instituciones/<code>/…
    data = {
        **flatten(draft),
        "lock_version": str(submission.lock_version if submission else ""),
        "accion": action,
        **extra,
    }
    return client.post(url, data=data, content_type="multipart/form-data")
