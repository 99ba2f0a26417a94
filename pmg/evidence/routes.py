"""Downloading evidence files (*medios de verificación*).

Attaching and removing files are buttons of the submission's form page
(:mod:`pmg.evidence.page`), so that they save what was typed too.
"""

from __future__ import annotations

from flask import Blueprint, send_file
from flask_login import current_user
from werkzeug.wrappers import Response

from pmg.core.permissions import ALL_ROLES, roles_required
from pmg.core.security import PRIVATE_DOWNLOAD
from pmg.core.transactions import transaction
from pmg.evidence import operations
from pmg.evidence.checks import MEDIA_TYPES, download_name, format_size
from pmg.evidence.queries import get_evidence
from pmg.evidence.storage import evidence_files
from pmg.submissions.kinds import by_slug
from pmg.submissions.queries import get_visible_submission

bp = Blueprint("evidence", __name__, url_prefix="/instituciones/<code>")

bp.add_app_template_filter(format_size, "file_size_es")


@bp.route("/<int:year>/<kind:slug>/evidencia/<int:evidence_id>")
@roles_required(*ALL_ROLES)
def download(code: str, year: int, slug: str, evidence_id: int) -> Response:
    """Sent as an attachment typed by its checked content, never shown inline."""
    submission = get_visible_submission(current_user, code, year, by_slug(slug).kind)
    evidence = get_evidence(submission, evidence_id)
    stream = evidence_files.open(evidence.stored_name)  # before it is recorded as handed out
    with transaction():
        operations.record_download(evidence, current_user._get_current_object())
    response = send_file(  # sent in pieces as it is read, from the folder or the bucket
        stream,
        mimetype=MEDIA_TYPES[evidence.file_type],
        as_attachment=True,
        download_name=download_name(evidence.declared_name, evidence.file_type),
        conditional=False,
        etag=False,
        max_age=None,
    )
    response.headers["Content-Type"] = MEDIA_TYPES[evidence.file_type]  # no charset guessed
    response.headers["Content-Length"] = str(evidence.size)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = PRIVATE_DOWNLOAD
    return response
