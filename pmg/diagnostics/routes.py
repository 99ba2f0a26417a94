"""The coordinator's diagnostic form for the current cycle."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from pmg.auth.models import Role
from pmg.auth.sessions import preserves_input, take_preserved
from pmg.core.errors import DomainError
from pmg.core.permissions import roles_required
from pmg.cycles.queries import chile_today, current_cycle
from pmg.diagnostics.rules import evaluate
from pmg.diagnostics.schema import sections_for
from pmg.extensions import db
from pmg.indicators.figures import complaint_percentages, derived_label, saip_percentages
from pmg.indicators.queries import history_before
from pmg.institutions.models import Institution
from pmg.institutions.queries import get_visible_institution
from pmg.submissions import operations
from pmg.submissions.forms import attach_findings, content_form_class, draft_from_form
from pmg.submissions.kinds import KINDS
from pmg.submissions.models import Submission, SubmissionKind
from pmg.submissions.permissions import can_edit
from pmg.submissions.queries import find_submission
from pmg.submissions.rows import apply_row_action

bp = Blueprint("diagnostics", __name__, url_prefix="/instituciones/<code>/diagnostico")
KIND = KINDS[SubmissionKind.DIAGNOSTIC]


def _render(
    institution: Institution,
    submission: Submission | None,
    form: Any,
    draft: dict[str, Any],
    status: int = 200,
) -> tuple[str, int]:
    cycle = current_cycle()
    sections = sections_for(institution)
    evaluation = evaluate(draft, institution, complete=False)
    attach_findings(form, evaluation.errors, evaluation.warnings)
    content = evaluation.content
    page = render_template(
        "diagnostics/form.html",
        institution=institution,
        cycle=cycle,
        submission=submission,
        editable=submission is None or can_edit(current_user, submission),
        window_open=cycle.window_is_open(KIND.window, chile_today()),
        window=cycle.window(KIND.window),
        sections=sections,
        form=form,
        evaluation=evaluation,
        history=history_before(institution.id, cycle.reference_year),
        derived={
            "complaints": complaint_percentages(content.get("complaints") or {}),
            "saip": saip_percentages(content.get("saip") or {}),
        },
        percentages={"complaints": complaint_percentages, "saip": saip_percentages},
        derived_label=derived_label,
    )
    return page, status


@bp.route("", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
@preserves_input
def edit(code: str) -> tuple[str, int] | Response:
    institution = get_visible_institution(current_user, code)
    cycle = current_cycle()
    if cycle is None:
        return render_template("diagnostics/no_cycle.html", institution=institution), 200
    sections = sections_for(institution)
    form_class = content_form_class(sections)
    submission = find_submission(institution, cycle, SubmissionKind.DIAGNOSTIC)
    preserved = take_preserved(current_user) if request.method == "GET" else None
    formdata: MultiDict[str, str] | None = request.form if request.method == "POST" else preserved
    if formdata is None:
        draft = submission.draft if submission else {}
        form = form_class(formdata=None, data=draft)
        form.lock_version.data = submission.lock_version if submission else ""
        return _render(institution, submission, form, draft)

    form = form_class(formdata=formdata)
    draft = draft_from_form(form, sections)
    if request.method == "POST" and not form.validate_on_submit():  # only CSRF can fail here
        return _render(institution, submission, form, draft, 400)
    action = formdata.get("accion", "guardar")
    draft, anchor = apply_row_action(draft, sections, action)
    try:
        if submission is None:
            submission = operations.open_submission(
                institution, cycle, SubmissionKind.DIAGNOSTIC
            )
            seen = submission.lock_version
        else:
            seen = int(form.lock_version.data) if str(form.lock_version.data).isdigit() else None
        operations.save_draft(submission, draft, current_user, seen)
    except DomainError as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return _render(institution, submission, form, draft, refused.status_code)
    db.session.commit()
    errors = len(evaluate(draft, institution, complete=False).errors)
    message = "Se guardó el borrador."
    if preserved is not None:
        message = "Se recuperó lo que había escrito antes de que expirara su sesión y se guardó."
    if errors:
        message += f" Tiene {errors} campo{'s' if errors > 1 else ''} por corregir antes de enviar."
    flash(message, "warning" if errors else "success")
    return redirect(url_for("diagnostics.edit", code=code, _anchor=anchor))
