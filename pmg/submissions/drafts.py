"""The coordinator's form page of any kind of submission: show, save, add and remove rows.

Each kind gives a :class:`DraftPage` (its template and what it adds to the form);
:func:`edit_draft` does the rest, the same way for every kind. Saving keeps
everything typed, valid or not; a stale page is refused and what was typed is
shown again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from pmg.auth.sessions import take_preserved
from pmg.core.errors import DomainError
from pmg.core.forms import parse_lock_version
from pmg.cycles.queries import chile_today, current_cycle
from pmg.evidence.queries import evidence_targets
from pmg.extensions import db
from pmg.institutions.queries import get_visible_institution
from pmg.review.queries import observations_of
from pmg.submissions import operations
from pmg.submissions.evaluation import Evaluation, SubmissionContext
from pmg.submissions.forms import attach_findings, content_form_class, draft_from_form
from pmg.submissions.kinds import KindSpec
from pmg.submissions.models import Submission
from pmg.submissions.permissions import can_edit
from pmg.submissions.queries import find_submission, submission_context
from pmg.submissions.rows import apply_row_action

Draft = dict[str, Any]


def _same(draft: Draft, context: SubmissionContext) -> Draft:
    return draft


def _nothing(*args: Any) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class DraftPage:
    kind: KindSpec
    template: str
    # How the evidence panel names the whole submission ("Todo el plan").
    evidence_whole: str
    # Adjust a draft to its context before showing it (e.g. one row per diagnostic procedure).
    prepare: Callable[[Draft, SubmissionContext], Draft] = _same
    # Set what the form needs from the context (e.g. the choices of gap references).
    configure: Callable[[Any, SubmissionContext], Any] = _nothing
    # More template variables.
    variables: Callable[[SubmissionContext, Evaluation], dict[str, Any]] = _nothing
    # A page shown instead of the form when the context does not allow one yet.
    blocked: Callable[[SubmissionContext], str | None] = field(default=lambda context: None)


def _render(
    page: DraftPage,
    context: SubmissionContext,
    submission: Submission | None,
    form: Any,
    draft: Draft,
    status: int = 200,
) -> tuple[str, int]:
    cycle = context.cycle
    evaluation = page.kind.evaluate(draft, context, complete=False)
    page.configure(form, context)
    attach_findings(form, evaluation.errors, evaluation.warnings)
    html = render_template(
        page.template,
        kind=page.kind,
        institution=context.institution,
        cycle=cycle,
        submission=submission,
        editable=submission is None or can_edit(current_user, submission),
        window_open=cycle.window_is_open(page.kind.window, chile_today()),
        window=cycle.window(page.kind.window),
        sections=page.kind.sections(context.institution),
        form=form,
        evaluation=evaluation,
        slug=page.kind.slug,
        evidence_targets=evidence_targets(submission, page.evidence_whole),
        observations=observations_of(submission) if submission else [],
        **page.variables(context, evaluation),
    )
    return html, status


def edit_draft(code: str, page: DraftPage) -> tuple[str, int] | Response:
    """GET shows the draft; POST saves what was typed (and adds or removes a row)."""
    institution = get_visible_institution(current_user, code)
    cycle = current_cycle()
    if cycle is None:
        return render_template("submissions/no_cycle.html", institution=institution), 200
    context = submission_context(institution, cycle)
    blocked = page.blocked(context)
    if blocked:
        return render_template(blocked, institution=institution, cycle=cycle), 200
    sections = page.kind.sections(institution)
    form_class = content_form_class(sections)
    submission = find_submission(institution, cycle, page.kind.kind)
    preserved = take_preserved(current_user) if request.method == "GET" else None
    formdata: MultiDict[str, str] | None = request.form if request.method == "POST" else preserved
    if formdata is None:
        draft = page.prepare(submission.draft if submission else {}, context)
        form = form_class(formdata=None, data=draft)
        form.lock_version.data = submission.lock_version if submission else ""
        return _render(page, context, submission, form, draft)

    form = form_class(formdata=formdata)
    page.configure(form, context)
    draft = draft_from_form(form, sections)
    if request.method == "POST" and not form.validate_on_submit():  # only CSRF can fail here
        return _render(page, context, submission, form, draft, 400)
    draft, anchor = apply_row_action(draft, sections, formdata.get("accion", "guardar"))
    try:
        if submission is None:
            submission = operations.open_submission(institution, cycle, page.kind.kind)
            seen = submission.lock_version
        else:
            seen = parse_lock_version(form.lock_version.data)
        operations.save_draft(submission, draft, current_user, seen)
    except DomainError as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return _render(page, context, submission, form, draft, refused.status_code)
    db.session.commit()
    errors = len(page.kind.evaluate(draft, context, complete=False).errors)
    message = "Se guardó el borrador."
    if preserved is not None:
        message = "Se recuperó lo que había escrito antes de que expirara su sesión y se guardó."
    if errors:
        message += f" Tiene {errors} campo{'s' if errors > 1 else ''} por corregir antes de enviar."
    flash(message, "warning" if errors else "success")
    return redirect(url_for(page.kind.edit_endpoint, code=code, _anchor=anchor))
