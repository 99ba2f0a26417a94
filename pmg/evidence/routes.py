"""Uploading, removing and downloading evidence files (*medios de verificación*)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from pmg.auth.models import Role
from pmg.core.errors import DomainError
from pmg.core.permissions import ALL_ROLES, roles_required
from pmg.cycles.queries import current_cycle
from pmg.evidence import operations, storage
from pmg.evidence.checks import MEDIA_TYPES, download_name, format_size
from pmg.evidence.forms import PREFIX, EvidenceUploadForm, upload_form
from pmg.evidence.queries import get_evidence
from pmg.extensions import db
from pmg.institutions.queries import get_visible_institution
from pmg.submissions.kinds import BY_SLUG, KindSpec
from pmg.submissions.models import Submission
from pmg.submissions.permissions import can_edit
from pmg.submissions.queries import find_submission, get_visible_submission

bp = Blueprint("evidence", __name__, url_prefix="/instituciones/<code>")
SLUGS = "any(" + ", ".join(BY_SLUG) + "):slug"
NOT_EDITABLE = "Este envío ya no se puede modificar: no se pueden adjuntar ni eliminar archivos."
NOT_STARTED = "Guarde el borrador una vez antes de adjuntar archivos."

bp.add_app_template_filter(format_size, "file_size_es")
bp.add_app_template_global(upload_form, "evidence_upload_form")


def _current_submission(code: str, kind: KindSpec) -> Submission | None:
    """The current cycle's submission of a visible institution (404 if not visible)."""
    institution = get_visible_institution(current_user, code)
    cycle = current_cycle()
    return find_submission(institution, cycle, kind.kind) if cycle else None


def _back(code: str, kind: KindSpec) -> Response:
    return redirect(url_for(kind.edit_endpoint, code=code, _anchor="evidencia"))


@bp.route(f"/<{SLUGS}>/evidencia", methods=["POST"])
@roles_required(Role.COORDINATOR)
def upload(code: str, slug: str) -> Response:
    kind = BY_SLUG[slug]
    submission = _current_submission(code, kind)
    form = EvidenceUploadForm(prefix=PREFIX)
    try:
        if submission is None:
            raise DomainError(NOT_STARTED)
        if not can_edit(current_user, submission):
            raise DomainError(NOT_EDITABLE)
        if not form.validate_on_submit():
            raise DomainError(" ".join(form.file.errors) or "Seleccione un archivo.")
        limit = current_app.config["PMG_MAX_UPLOAD_BYTES"]
        evidence = operations.attach(
            submission,
            form.file.data.stream.read(limit + 1),  # one byte more is enough to refuse
            form.file.data.filename or "",
            current_user,
            form.action_key.data or None,
        )
    except DomainError as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return _back(code, kind)
    db.session.commit()
    flash(f"Se adjuntó «{evidence.declared_name}» (SHA-256 {evidence.sha256}).", "success")
    return _back(code, kind)


@bp.route(f"/<{SLUGS}>/evidencia/<int:evidence_id>/eliminar", methods=["POST"])
@roles_required(Role.COORDINATOR)
def remove(code: str, slug: str, evidence_id: int) -> Response:
    kind = BY_SLUG[slug]
    submission = _current_submission(code, kind)
    if submission is None:
        abort(404)
    evidence = get_evidence(submission, evidence_id)
    name = evidence.declared_name
    try:
        if not can_edit(current_user, submission):
            raise DomainError(NOT_EDITABLE)
        operations.remove(evidence, current_user)
    except DomainError as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return _back(code, kind)
    db.session.commit()
    flash(f"Se eliminó «{name}».", "success")
    return _back(code, kind)


@bp.route(f"/<int:year>/<{SLUGS}>/evidencia/<int:evidence_id>")
@roles_required(*ALL_ROLES)
def download(code: str, year: int, slug: str, evidence_id: int) -> Response:
    """Sent as an attachment typed by its checked content, never shown inline."""
    submission = get_visible_submission(current_user, code, year, BY_SLUG[slug].kind)
    evidence = get_evidence(submission, evidence_id)
    operations.record_download(evidence, current_user._get_current_object())
    db.session.commit()
    response = send_file(
        storage.path_for(evidence.stored_name),
        mimetype=MEDIA_TYPES[evidence.file_type],
        as_attachment=True,
        download_name=download_name(evidence.declared_name, evidence.file_type),
        conditional=False,
        etag=False,
        max_age=None,
    )
    response.headers["Content-Type"] = MEDIA_TYPES[evidence.file_type]  # no charset guessed
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
