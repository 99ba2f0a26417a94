"""A submission's pages for any kind: its form, checking and submitting it, and its
submitted versions (page and PDF). The kind comes from the URL (``<kind:slug>``)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from pmg.auth.sessions import preserves_input
from pmg.core.errors import DomainError
from pmg.core.forms import parse_lock_version
from pmg.core.permissions import ALL_ROLES, Role, roles_required
from pmg.core.security import PRIVATE_DOWNLOAD
from pmg.core.transactions import transaction
from pmg.cycles.queries import chile_today, current_cycle
from pmg.institutions.queries import get_visible_institution
from pmg.review.pages import history_table
from pmg.submission_pages.drafts import edit_draft
from pmg.submission_pages.record import pdf_stored, shown_version
from pmg.submission_pages.sending import blocker, consequences
from pmg.submissions import operations
from pmg.submissions.evaluation import Evaluation
from pmg.submissions.kinds import KindSpec, by_slug
from pmg.submissions.models import Submission, SubmissionVersion
from pmg.submissions.permissions import can_edit
from pmg.submissions.queries import (
    find_submission,
    get_visible_submission,
    get_visible_version,
    submission_context,
)
from pmg.submissions.workflow import stale_message

bp = Blueprint("submissions", __name__, url_prefix="/instituciones/<code>")


@bp.route("/<kind:slug>", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
@preserves_input
def edit(code: str, slug: str) -> tuple[str, int] | Response:
    """The coordinator's form of the current cycle's submission of the kind ``slug``."""
    return edit_draft(code, by_slug(slug))


def _editable_submission(code: str, kind: KindSpec) -> Submission:
    """The current cycle's submission that the signed-in coordinator may edit; 404 otherwise."""
    institution = get_visible_institution(current_user, code)
    cycle = current_cycle()
    submission = find_submission(institution, cycle, kind.kind) if cycle else None
    if submission is None:
        abort(404)
    return submission


@bp.route("/<kind:slug>/revisar")
@roles_required(Role.COORDINATOR)
def check(code: str, slug: str) -> str:
    """Everything submitting would check, before submitting: errors block, warnings don't."""
    kind = by_slug(slug)
    submission = _editable_submission(code, kind)
    evaluation = _complete_evaluation(kind, submission)
    return render_template(
        "submissions/check.html",
        kind=kind,
        submission=submission,
        evaluation=evaluation,
        blocker=blocker(current_user, submission, evaluation, chile_today()),
    )


def _complete_evaluation(kind: KindSpec, submission: Submission) -> Evaluation:
    context = submission_context(submission.institution, submission.cycle)
    return kind.evaluate(submission.draft, context, complete=True)


@bp.route("/<kind:slug>/confirmar")
@roles_required(Role.COORDINATOR)
def confirm(code: str, slug: str) -> str | Response:
    """What sending will do, with the button that sends; sent from the check page with the
    version counter it was built from. A draft changed since, or one that cannot be sent,
    goes back to the check page."""
    kind = by_slug(slug)
    submission = _editable_submission(code, kind)
    evaluation = _complete_evaluation(kind, submission)
    check_page = redirect(url_for("submissions.check", code=code, slug=slug))
    if blocker(current_user, submission, evaluation, chile_today()) is not None:
        return check_page
    if parse_lock_version(request.args.get("lock_version")) != submission.lock_version:
        flash(stale_message(submission), "error")
        return check_page
    return render_template(
        "submissions/confirm.html",
        kind=kind,
        submission=submission,
        consequences=consequences(kind, submission, evaluation),
    )


@bp.route("/<kind:slug>/enviar", methods=["POST"])
@roles_required(Role.COORDINATOR)
def submit(code: str, slug: str) -> Response:
    kind = by_slug(slug)
    submission = _editable_submission(code, kind)
    seen = request.form.get("lock_version", "")
    with transaction(DomainError) as outcome:
        if not can_edit(current_user, submission):
            raise DomainError("Este envío ya no se puede modificar.")
        version = operations.submit(
            submission, current_user, chile_today(), parse_lock_version(seen)
        )
    if outcome.refusal is not None:
        flash(outcome.refusal.message, "error")
        return redirect(url_for("submissions.check", code=code, slug=slug))
    flash(
        f"Se envió la versión {version.number}. Ya no se puede modificar y queda a la espera "
        "de revisión; aquí puede leerla y descargar su PDF.",
        "success",
    )
    return redirect(
        url_for(
            "submissions.version",
            code=code,
            year=submission.cycle.year,
            slug=slug,
            number=version.number,
        )
    )


@bp.route("/<int:year>/<kind:slug>/")
@roles_required(*ALL_ROLES)
def versions(code: str, year: int, slug: str) -> str:
    submission = get_visible_submission(current_user, code, year, by_slug(slug).kind)
    return render_template(
        "submissions/versions.html",
        submission=submission,
        slug=slug,
        history=history_table(submission),
    )


def _visible_version(code: str, year: int, slug: str, number: int) -> SubmissionVersion:
    return get_visible_version(current_user, code, year, by_slug(slug).kind, number)


@bp.route("/<int:year>/<kind:slug>/v<int:number>")
@roles_required(*ALL_ROLES)
def version(code: str, year: int, slug: str, number: int) -> str:
    found = _visible_version(code, year, slug, number)
    shown = shown_version(found)
    return render_template(
        "submissions/version.html",
        version=found,
        slug=slug,
        shown=shown,
        pdf_stored=pdf_stored(found, shown),
    )


@bp.route("/<int:year>/<kind:slug>/v<int:number>.pdf")
@roles_required(*ALL_ROLES)
def version_pdf(code: str, year: int, slug: str, number: int) -> Response:
    """The version's stored PDF (:mod:`pmg.exports.documents.stored`), tagged by its
    SHA-256: a browser that holds the same (``If-None-Match``, or ``If-Modified-Since`` the
    moment it shows) gets 304; one not yet stored is rendered now, once, and stored. Each
    PDF handed out is audited."""
    from pmg.exports.documents import record_version_pdf
    from pmg.exports.documents.document import pdf_filename
    from pmg.exports.documents.stored import read_pdf, store_pdf

    found = _visible_version(code, year, slug, number)
    stored = store_pdf(found)
    response = Response(mimetype="application/pdf")
    response.set_etag(stored.sha256)
    response.last_modified = stored.shows_as_of
    response.headers["Cache-Control"] = PRIVATE_DOWNLOAD
    if response.make_conditional(request).status_code == 304:
        return response
    response.set_data(read_pdf(stored))
    with transaction():
        record_version_pdf(found, current_user._get_current_object())
    response.headers["Content-Disposition"] = f'attachment; filename="{pdf_filename(found)}"'
    return response
