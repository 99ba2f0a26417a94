"""The reviewer workspace: the queue, the review page, taking, assigning and deciding."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from pmg.audit.actions import SUBMISSION_PREFIX, action_label
from pmg.auth.queries import active_reviewers
from pmg.core.caching import cached
from pmg.core.errors import DomainError
from pmg.core.fragments import render_fragment, render_macro
from pmg.core.pagination import PAGE_ARG, requested_page
from pmg.core.permissions import Role, roles_required
from pmg.core.routing import parse_db_int
from pmg.core.transactions import transaction
from pmg.cycles.models import Cycle
from pmg.cycles.queries import chile_today, current_cycle
from pmg.institutions.queries import ministries
from pmg.review import bulk, operations
from pmg.review.confirmation import confirmation
from pmg.review.forms import (
    AssignForm,
    BulkApproveForm,
    QueueFilterForm,
    RejectOverdueForm,
    ReviewForm,
    TakeForm,
    review_form,
)
from pmg.review.models import Decision, Review
from pmg.review.observations import Resolutions
from pmg.review.operations import Checklist
from pmg.review.pages import ReviewPage, review_page
from pmg.review.queries import current_review
from pmg.review.queue import SORTS, QueueSort, chosen_submissions, review_queue
from pmg.submissions.kinds import KINDS, by_slug, slugs
from pmg.submissions.models import Submission
from pmg.submissions.queries import get_visible_submission
from pmg.submissions.workflow import Action

bp = Blueprint("review", __name__, url_prefix="/revision")
PAGE = "/<code>/<int:year>/<kind:slug>"
STAFF = (Role.REVIEWER, Role.DIPRES, Role.ADMIN)


def _submission(code: str, year: int, slug: str) -> Submission:
    submission = get_visible_submission(current_user, code, year, by_slug(slug).kind)
    if submission.latest_version is None:
        abort(404)
    return submission


# The query-string keys of the queue's search and filters, and of its order: the only ones
# a link of the queue carries (to another page, order or state, and back from approving).
FILTER_KEYS = ("q", "estado", "tipo", "ministerio", "etapa", "revisor", "vence_hasta")
ORDER_KEYS = ("orden", "sentido")
# Rows ticked again on the queue: the confirmation's way back keeps the selection.
MARKED_KEY = "marcado"


def _args(*keys: str) -> dict[str, Any]:  # Any as in url_for(**values); str could be _external
    return {key: request.args[key] for key in keys if request.args.get(key)}


def _listing() -> dict[str, Any]:
    """The queue as the person left it: search, filters, order and page."""
    return _args(*FILTER_KEYS, *ORDER_KEYS, PAGE_ARG)


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
    form = QueueFilterForm(request.args, ministries(), active_reviewers())
    return render_template(
        "review/queue.html",
        cycle=cycle,
        form=form,
        parts=_queue_parts(cycle, form) if cycle else None,
        bulk=BulkApproveForm(),
        filters=_args(*FILTER_KEYS),
        order=_args(*ORDER_KEYS),
        listing=_listing(),
    )


@dataclass(frozen=True)
class _QueueParts:
    """The queue's counts, table and page links as markup; whether a row can be ticked."""

    counts: Markup
    table: Markup
    pages: Markup
    approvable: bool


def _queue_parts(cycle: Cycle, form: QueueFilterForm) -> _QueueParts:
    """The queue of ``cycle`` as the query string asks: rendered, or kept from the last time
    the same person (a reviewer: the boxes are theirs; others all see the same) asked for
    the same on the same day with nothing changed since. The filters are checked first,
    kept or not: a value in error says so at its field."""
    chosen = form.filters()

    def render() -> _QueueParts:
        sort = QueueSort.from_args(request.args)
        shown = review_queue(cycle, chosen, sort, requested_page())
        # Why each row cannot be approved in bulk (None: a box to tick); only reviewers do.
        reasons = None
        if current_user.role is Role.REVIEWER:
            reasons = bulk.refusals(current_user, shown.submissions)
        filters, order = _args(*FILTER_KEYS), _args(*ORDER_KEYS)
        kept = dict(filters, **order)
        table = render_fragment(
            "review/_queue_table.html",
            cycle=cycle,
            queue=shown,
            sort=sort,
            sorts=SORTS,
            reasons=reasons,
            marked={parse_db_int(value) for value in request.args.getlist(MARKED_KEY)},
            slugs=slugs(),
            filters=filters,
        )
        return _QueueParts(
            counts=render_fragment("review/_queue_counts.html", form=form, queue=shown, kept=kept),
            table=table,
            pages=render_macro(
                "_macros/forms.html", "pagination", shown.pages, "review.queue", kept
            ),
            approvable=reasons is not None and None in reasons.values(),
        )

    if form.errors:
        return render()
    who = current_user.id if current_user.role is Role.REVIEWER else current_user.role
    asked = tuple(sorted(request.args.items(multi=True)))
    return cached("review.queue", (who, asked, chile_today()), render)


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
# «Volver a la revisión»: the page again with everything typed, nothing saved or decided.
BACK_BUTTON = "back"
# The confirmation's button is named so and carries the decision: only it decides, and
# only if the decision still does what the confirmation said (its digest, sent beside it).
CONFIRM_BUTTON = "confirmar"
CONFIRMED = "confirmado"
DONE_MESSAGES: dict[Decision | None, str] = {
    Decision.OBSERVE: "Se enviaron las observaciones a la institución.",
    Decision.APPROVE: "El envío quedó aprobado.",
    Decision.REJECT: "El envío quedó rechazado.",
}


def _refused(submission: Submission, form: ReviewForm, refused: DomainError) -> tuple[str, int]:
    page = review_page(submission, current_user, form=form)
    page.problem = refused.message
    return _render(page, refused.status_code if refused.status_code in (403, 409) else 422)


def _unconfirmed(
    page: ReviewPage,
    review: Review,
    form: ReviewForm,
    decision: Decision,
    checklist: Checklist,
    resolutions: Resolutions,
) -> tuple[str, int] | None:
    """The page again with everything typed and what ``decision`` will do, to confirm it,
    or why it cannot be taken; ``None`` when it was confirmed as it now stands."""
    try:
        resolutions = operations.check_decision(
            review,
            decision,
            current_user,
            form.seen_lock_version,
            chile_today(),
            checklist,
            resolutions,
        )
    except DomainError as refused:
        return _refused(page.submission, form, refused)
    said = confirmation(review, decision, checklist, resolutions, form.note.data or "")
    if request.form.get(CONFIRM_BUTTON) == decision.value:
        if request.form.get(CONFIRMED) == said.digest:
            return None
        said = replace(said, again=True)
    page.confirmation = said
    return _render(page)


@bp.route(PAGE, methods=["POST"])
@roles_required(Role.REVIEWER)
def decide(code: str, year: int, slug: str) -> Response | tuple[str, int]:
    """Save the checklist; or, for a decision, check it and say what it will do, with
    everything typed still in the form, and take it once confirmed. The button says which."""
    submission = _submission(code, year, slug)
    review = current_review(submission)
    confirmed = request.form.get(CONFIRM_BUTTON)
    # A form sent without a button (Enter in some browsers) saves, as the first button does.
    chosen = confirmed or request.form.get("decision") or SAVE_BUTTON
    buttons = DECISION_BUTTONS if confirmed else (SAVE_BUTTON, BACK_BUTTON, *DECISION_BUTTONS)
    if review is None or chosen not in buttons:
        abort(404 if review is None else 400)
    page = review_page(submission, current_user)
    form: ReviewForm = review_form(review, page.resolvable)
    page.form = form
    if chosen == BACK_BUTTON:
        return _render(page)
    decision = DECISION_BUTTONS.get(chosen)
    if not form.validate_for(decision, page.resolvable):
        return _render(page, 422)
    checklist = form.checklist(page.requirements)
    resolutions = form.resolutions(page.resolvable)
    if decision is not None:
        unconfirmed = _unconfirmed(page, review, form, decision, checklist, resolutions)
        if unconfirmed is not None:
            return unconfirmed
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
def bulk_approve() -> Response | str:
    """From the queue: say what approving the chosen rows will do and ask to confirm.
    Confirmed: approve each one as the queue showed it, and say what became of each."""
    form = BulkApproveForm()
    cycle = current_cycle()
    chosen = form.selections() if form.validate_on_submit() else {}
    if not chosen or cycle is None:
        flash("Marque al menos un envío para aprobar.", "error")
        return redirect(url_for("review.queue", **_listing()))
    plan = bulk.plan(current_user, chosen, chosen_submissions(cycle, chosen))
    if not form.confirmar.data:
        return render_template("review/bulk_confirm.html", plan=plan, form=form, listing=_listing())
    approved, refused = [], list(plan.refused)
    for submission, seen in plan.approvable:
        name = bulk.row_name(submission)
        with transaction(DomainError) as outcome:
            bulk.approve(submission, current_user, seen, chile_today())
        if outcome.refusal is None:
            approved.append(name)
        else:
            refused.append((name, outcome.refusal.message))
    if approved:
        flash(bulk.approved_message(approved), "success")
    for name, reason in refused:
        flash(f"No se aprobó {name}: {reason}", "error")
    return redirect(url_for("review.queue", **_listing()))


@bp.app_template_global()
def transition_label(action: Action) -> str:
    """«Envío observado»: how the history names a transition."""
    return action_label(f"{SUBMISSION_PREFIX}{action.value}")
