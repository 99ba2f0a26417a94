"""The reviewer workspace: the queue, the review page, taking, assigning and deciding."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from pmg.audit.actions import SUBMISSION_PREFIX, action_label
from pmg.auth.queries import active_reviewers
from pmg.core.errors import DomainError
from pmg.core.permissions import Role, roles_required
from pmg.core.transactions import transaction
from pmg.cycles.queries import chile_today, current_cycle
from pmg.extensions import db
from pmg.institutions.queries import ministries
from pmg.review import operations
from pmg.review.forms import (
    AssignForm,
    BulkApproveForm,
    QueueFilterForm,
    RejectOverdueForm,
    ReviewForm,
    TakeForm,
    review_form,
)
from pmg.review.models import Decision
from pmg.review.pages import ReviewPage, review_page
from pmg.review.queries import current_review, review_queue
from pmg.submissions.kinds import KINDS, by_slug, slugs
from pmg.submissions.models import Submission
from pmg.submissions.queries import get_visible_submission
from pmg.submissions.workflow import Action, may_act

bp = Blueprint("review", __name__, url_prefix="/revision")
PAGE = "/<code>/<int:year>/<kind:slug>"
STAFF = (Role.REVIEWER, Role.DIPRES, Role.ADMIN)


def _submission(code: str, year: int, slug: str) -> Submission:
    submission = get_visible_submission(current_user, code, year, by_slug(slug).kind)
    if submission.latest_version is None:
        abort(404)
    return submission


# The query-string keys of the queue's filters: the only ones carried across pages.
FILTER_KEYS = ("estado", "tipo", "ministerio", "etapa", "revisor", "vence_hasta")


def _filters() -> dict[str, Any]:  # Any as in url_for(**values); str could also be _external
    return {key: request.args[key] for key in FILTER_KEYS if request.args.get(key)}


def _back(submission: Submission) -> Response:
    return redirect(
        url_for(
            "review.page",
            code=submission.institution.code,
            year=submission.cycle.year,
            slug=KINDS[submission.kind].slug,
        )
    )


def _act(submission: Submission, act: Callable[[], object], message: str) -> Response:
    """Run one operation on ``submission``: commit and say ``message``, or say why not.

    The mail it queued goes out with ``flask pmg send-mail``."""
    with transaction(DomainError) as outcome:
        act()
    if outcome.refusal is not None:
        flash(outcome.refusal.message, "error")
    else:
        flash(message, "success")
    return _back(submission)


@bp.route("/")
@roles_required(*STAFF)
def queue() -> str:
    cycle = current_cycle()
    reviewers = active_reviewers()
    form = QueueFilterForm(request.args, ministries(), reviewers)
    rows, counts = review_queue(cycle, form.filters()) if cycle else ([], {})
    return render_template(
        "review/queue.html",
        cycle=cycle,
        form=form,
        rows=rows,
        counts=counts,
        bulk=BulkApproveForm(),
        slugs=slugs(),
        filters=_filters(),
    )


def _render(page: ReviewPage, status: int = 200) -> tuple[str, int]:
    return render_template("review/page.html", page=page, slugs=slugs()), status


@bp.route(PAGE)
@roles_required(*STAFF)
def page(code: str, year: int, slug: str) -> tuple[str, int]:
    return _render(review_page(_submission(code, year, slug), current_user))


@bp.route(f"{PAGE}/tomar", methods=["POST"])
@roles_required(Role.REVIEWER)
def take(code: str, year: int, slug: str) -> Response:
    submission = _submission(code, year, slug)
    form = TakeForm()
    if not form.validate_on_submit():
        abort(400)
    return _act(
        submission,
        lambda: operations.take(submission, current_user, form.seen_lock_version),
        "Tomó el envío para revisión. Complete la lista de requisitos.",
    )


@bp.route(f"{PAGE}/asignar", methods=["POST"])
@roles_required(Role.ADMIN)
def assign(code: str, year: int, slug: str) -> Response | tuple[str, int]:
    submission = _submission(code, year, slug)
    form = AssignForm()
    reviewers = active_reviewers()
    form.set_reviewers(reviewers)
    if not form.validate_on_submit():
        return _render(review_page(submission, current_user, assign_form=form), 422)
    reviewer = next(u for u in reviewers if str(u.id) == form.reviewer.data)
    return _act(
        submission,
        lambda: operations.assign(submission, reviewer, current_user, form.seen_lock_version),
        f"Se asignó el envío a {reviewer.name}.",
    )


DECISION_BUTTONS = {decision.value: decision for decision in Decision}
SAVE_BUTTON = "save"
DONE_MESSAGES: dict[Decision | None, str] = {
    Decision.OBSERVE: "Se enviaron las observaciones a la institución.",
    Decision.APPROVE: "El envío quedó aprobado.",
    Decision.REJECT: "El envío quedó rechazado.",
}


def _refused(submission: Submission, form: ReviewForm, refused: DomainError) -> tuple[str, int]:
    page = review_page(submission, current_user, form=form)
    page.problem = refused.message
    return _render(page, refused.status_code if refused.status_code in (403, 409) else 422)


@bp.route(PAGE, methods=["POST"])
@roles_required(Role.REVIEWER)
def decide(code: str, year: int, slug: str) -> Response | tuple[str, int]:
    """Save the checklist, or save it and decide: one form, the button says which."""
    submission = _submission(code, year, slug)
    review = current_review(submission)
    # A form sent without a button (Enter in some browsers) saves, as the first button does.
    chosen = request.form.get("decision") or SAVE_BUTTON
    if review is None or (chosen != SAVE_BUTTON and chosen not in DECISION_BUTTONS):
        abort(404 if review is None else 400)
    page = review_page(submission, current_user)
    form: ReviewForm = review_form(review, page.resolvable)
    page.form = form
    decision = DECISION_BUTTONS.get(chosen)
    valid = form.validate_on_submit()
    valid = form.check_reopenings(page.resolvable) and valid
    unreasoned = operations.reason_problem(decision, form.note.data or "")
    if unreasoned:
        form.note.errors = [*form.note.errors, unreasoned]
        valid = False
    if not valid:
        return _render(page, 422)
    checklist = form.checklist(page.requirements)
    resolutions = form.resolutions(page.resolvable)
    with transaction(DomainError) as outcome:
        if decision is None:
            operations.save_review(review, checklist, resolutions, current_user)
        else:
            operations.decide(
                review,
                decision,
                current_user,
                form.seen_lock_version,
                chile_today(),
                note=form.note.data or "",
                checklist=checklist,
                resolutions=resolutions,
            )
    if outcome.refusal is not None:
        return _refused(submission, form, outcome.refusal)
    flash(DONE_MESSAGES.get(decision, "Se guardó el avance de la revisión."), "success")
    return _back(submission)


@bp.route(f"{PAGE}/rechazar-vencido", methods=["POST"])
@roles_required(Role.REVIEWER)
def reject_overdue(code: str, year: int, slug: str) -> Response | tuple[str, int]:
    """Reject an observed submission not corrected by its deadline."""
    submission = _submission(code, year, slug)
    form = RejectOverdueForm()
    if not form.validate_on_submit():
        return _render(review_page(submission, current_user, overdue_form=form), 422)
    return _act(
        submission,
        lambda: operations.reject_overdue(
            submission, current_user, form.seen_lock_version, chile_today(), form.note.data
        ),
        "El envío quedó rechazado por no corregirse dentro del plazo.",
    )


@bp.route("/aprobar", methods=["POST"])
@roles_required(Role.REVIEWER)
def bulk_approve() -> Response:
    """Approve each chosen submission whose checklist is entirely met; report the rest."""
    form = BulkApproveForm()
    selections = form.selections() if form.validate_on_submit() else []
    if not selections:
        flash("Marque al menos un envío para aprobar.", "error")
        return redirect(url_for("review.queue", **_filters()))
    approved, refused = 0, []
    for submission_id, seen in selections:
        submission = db.session.get(Submission, submission_id)
        if submission is None or not may_act(current_user, submission, Action.APPROVE):
            refused.append(f"envío {submission_id}: no está asignado a usted en revisión")
            continue
        with transaction(DomainError) as outcome:
            operations.approve_if_met(submission, current_user, seen, chile_today())
        if outcome.refusal is not None:
            refused.append(f"{submission.institution.name}: {outcome.refusal.message}")
            continue
        approved += 1
    if approved:
        flash(f"Se aprobaron {approved} envío(s).", "success")
    for line in refused:
        flash(f"No se aprobó {line}", "error")
    return redirect(url_for("review.queue", **_filters()))


@bp.app_template_global()
def transition_label(action: Action) -> str:
    """«Envío observado»: how the history names a transition."""
    return action_label(f"{SUBMISSION_PREFIX}{action.value}")
