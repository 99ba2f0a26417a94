"""Checking and submitting a draft, and the submitted versions (page and PDF)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from pmg.auth.models import Role
from pmg.core.errors import DomainError
from pmg.core.forms import parse_lock_version
from pmg.core.permissions import ALL_ROLES, roles_required
from pmg.core.security import PRIVATE_DOWNLOAD
from pmg.cycles.queries import chile_today, current_cycle
from pmg.extensions import db
from pmg.institutions.queries import get_visible_institution
from pmg.review.queries import history_of, unanswered_observations
from pmg.submissions import operations
from pmg.submissions.kinds import BY_SLUG, KindSpec
from pmg.submissions.models import Submission, SubmissionVersion
from pmg.submissions.permissions import can_edit
from pmg.submissions.queries import (
    find_submission,
    get_visible_submission,
    get_visible_version,
    submission_context,
)

bp = Blueprint("submissions", __name__, url_prefix="/instituciones/<code>")
SLUGS = "any(" + ", ".join(BY_SLUG) + "):slug"


def _kind(slug: str) -> KindSpec:
    return BY_SLUG[slug]


def _editable_submission(code: str, kind: KindSpec) -> Submission:
    """The current cycle's submission that the signed-in coordinator may edit; 404 otherwise."""
    institution = get_visible_institution(current_user, code)
    cycle = current_cycle()
    submission = find_submission(institution, cycle, kind.kind) if cycle else None
    if submission is None:
        abort(404)
    return submission


@bp.route(f"/<{SLUGS}>/revisar")
@roles_required(Role.COORDINATOR)
def check(code: str, slug: str) -> str:
    """Everything submitting would check, before submitting: errors block, warnings don't."""
    kind = _kind(slug)
    submission = _editable_submission(code, kind)
    context = submission_context(submission.institution, submission.cycle)
    evaluation = kind.evaluate(submission.draft, context, complete=True)
    return render_template(
        "submissions/check.html",
        kind=kind,
        submission=submission,
        evaluation=evaluation,
        editable=can_edit(current_user, submission),
        deadline_problem=operations.deadline_problem(submission, chile_today()),
        unanswered=unanswered_observations(submission),
    )


@bp.route(f"/<{SLUGS}>/enviar", methods=["POST"])
@roles_required(Role.COORDINATOR)
def submit(code: str, slug: str) -> Response:
    kind = _kind(slug)
    submission = _editable_submission(code, kind)
    seen = request.form.get("lock_version", "")
    try:
        if not can_edit(current_user, submission):
            raise DomainError("Este envío ya no se puede modificar.")
        version = operations.submit(
            submission, current_user, chile_today(), parse_lock_version(seen)
        )
    except DomainError as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return redirect(url_for("submissions.check", code=code, slug=slug))
    db.session.commit()
    flash(
        f"Se envió la versión {version.number}. Código de verificación (SHA-256): "
        f"{version.content_hash}",
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


@bp.route(f"/<int:year>/<{SLUGS}>/")
@roles_required(*ALL_ROLES)
def versions(code: str, year: int, slug: str) -> str:
    submission = get_visible_submission(current_user, code, year, _kind(slug).kind)
    return render_template(
        "submissions/versions.html",
        submission=submission,
        slug=slug,
        history=history_of(submission),
    )


def _visible_version(code: str, year: int, slug: str, number: int) -> SubmissionVersion:
    return get_visible_version(current_user, code, year, _kind(slug).kind, number)


@bp.route(f"/<int:year>/<{SLUGS}>/v<int:number>")
@roles_required(*ALL_ROLES)
def version(code: str, year: int, slug: str, number: int) -> str:
    from pmg.exports.documents import version_context

    found = _visible_version(code, year, slug, number)
    return render_template(
        "submissions/version.html", version=found, slug=slug, **version_context(found)
    )


@bp.route(f"/<int:year>/<{SLUGS}>/v<int:number>.pdf")
@roles_required(*ALL_ROLES)
def version_pdf(code: str, year: int, slug: str, number: int) -> Response:
    from pmg.exports import record_version_pdf
    from pmg.exports.documents import pdf_filename
    from pmg.exports.pdf import render_version_pdf  # WeasyPrint loads on first use only

    found = _visible_version(code, year, slug, number)
    document = render_version_pdf(found)
    record_version_pdf(found, current_user._get_current_object())
    db.session.commit()
    response = Response(document, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{pdf_filename(found)}"'
    response.headers["Cache-Control"] = PRIVATE_DOWNLOAD
    return response
