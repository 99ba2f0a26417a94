"""The coordinator's form page of any kind of submission: show it, and save it whatever
button was pressed.

Every button of the page belongs to its one form, so every way out of it saves what was
typed first: «Guardar borrador», «Revisar y enviar», adding or removing a row, attaching
or removing an evidence file, answering an observation, a kind's own buttons
(:attr:`~pmg.submissions.kinds.FormPage.act`, e.g. accepting a suggested gap). Saving
keeps everything typed, valid or not; a stale page is refused and what was typed is shown
again.

Each kind gives its :class:`~pmg.submissions.kinds.FormPage` (its template and what it adds
to the form) in the registry of kinds;
:func:`edit_draft` does the rest, the same way for every kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from flask import flash, get_flashed_messages, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from pmg.auth.sessions import take_preserved
from pmg.core.caching import cached
from pmg.core.errors import DomainError
from pmg.core.filters import FIELD_MESSAGE
from pmg.core.forms import LockVersionForm, parse_lock_version
from pmg.core.fragments import render_fragment
from pmg.core.transactions import transaction
from pmg.cycles.models import Cycle
from pmg.cycles.queries import chile_today, current_cycle
from pmg.evidence.forms import upload_form
from pmg.evidence.page import ATTACH, FILE_FIELD, files_table, run_file_action, unattached_file
from pmg.evidence.queries import evidence_targets
from pmg.institutions.queries import get_visible_institution
from pmg.review.answers import ANSWER_FIELD, answer_observations, typed_answers
from pmg.review.models import Review
from pmg.review.observations import MAX_TEXT
from pmg.review.queries import observations_of
from pmg.submission_pages.observations import last_decision, place_observations
from pmg.submission_pages.record import render_record
from pmg.submissions import operations
from pmg.submissions.evaluation import SubmissionContext
from pmg.submissions.forms import (
    attach_findings,
    attach_prefilled,
    content_form_class,
    draft_from_form,
)
from pmg.submissions.kinds import KindSpec, PageAction
from pmg.submissions.models import Submission, SubmissionState
from pmg.submissions.permissions import can_edit
from pmg.submissions.prefill import Marks
from pmg.submissions.queries import find_submission, submission_context
from pmg.submissions.rows import change_rows

Draft = dict[str, Any]
SAVE = "guardar"
CHECK = "revisar"
ANSWER = "responder"
ERROR_SUMMARY = "resumen-errores"


@dataclass
class PageState:
    """What one request of the form page works with."""

    kind: KindSpec
    context: SubmissionContext
    submission: Submission | None
    form: Any
    draft: Draft
    # Observation answers as typed on the page, by observation id (shown again on a refusal).
    answers: dict[int, str] = field(default_factory=dict)
    # Why an answer was not kept, by observation id (shown at its box).
    answer_problems: dict[int, str] = field(default_factory=dict)
    # What the history pre-fills, for a submission not created yet (see _prefilled).
    prefilled: Marks | None = None


def _prefilled(state: PageState) -> Marks:
    """What was pre-filled: the submission's, or what its creation would pre-fill."""
    if state.submission is not None:
        return state.submission.prefilled or {}
    if state.prefilled is None:
        context = state.context
        state.prefilled = state.kind.prefill(context.institution, _cycle(context)).marks
    return state.prefilled


def _cycle(context: SubmissionContext) -> Cycle:
    """The page's cycle: :func:`edit_draft` makes every context it uses with one."""
    return cast(Cycle, context.cycle)


def _render(state: PageState, status: int = 200) -> tuple[str, int]:
    """The page with what ``state`` holds: what was typed, shown again (not 200), or the
    saved draft as :func:`_render_saved` would lay it out, had it not been kept."""
    editable = _editable(state.submission)
    return _page(
        state.kind, state.context, state.submission, state.form, _content(state, editable), status
    )


def _render_saved(
    kind: KindSpec, context: SubmissionContext, submission: Submission | None
) -> tuple[str, int]:
    """The page of the draft as saved (a visit): what it shows of the draft laid out once
    while the data is unchanged (not even read then); the form around it carries only the
    version counter."""
    editable = _editable(submission)
    lock = str(submission.lock_version) if submission else ""

    def lay_out() -> Markup:
        draft, marks = _starting_draft(kind, context, submission)
        draft = kind.page.prepare(draft, context)
        form = content_form_class(kind.sections(context.institution))(formdata=None, data=draft)
        form.lock_version.data = lock
        return _content(
            PageState(kind, context, submission, form, draft, prefilled=marks), editable
        )

    vary = (
        kind.slug,
        context.institution.id,
        submission.id if submission else None,
        editable,
        chile_today(),
    )
    content = cached("drafts.content", vary, lay_out)
    return _page(kind, context, submission, LockVersionForm(data={"lock_version": lock}), content)


def _editable(submission: Submission | None) -> bool:
    return submission is None or can_edit(current_user, submission)


def _content(state: PageState, editable: bool) -> Markup:
    """What the page shows of the draft (``submissions/_content.html``): observations,
    fields to correct, sections."""
    kind, context, submission = state.kind, state.context, state.submission
    evaluation = kind.evaluate(state.draft, context, complete=False)
    kind.page.configure(state.form, context)
    attach_findings(state.form, evaluation.errors, evaluation.warnings)
    sections = kind.sections(context.institution)
    # Observations are raised in reviews of versions: a draft never sent has none.
    observations = observations_of(submission) if submission and submission.versions else []
    placement = place_observations(state.form, sections, observations)
    prefilled_sections = attach_prefilled(state.form, sections, _prefilled(state))
    return render_fragment(
        "submissions/_content.html",
        kind=kind,
        institution=context.institution,
        cycle=_cycle(context),
        submission=submission,
        editable=editable,
        sections=sections,
        prefilled_sections=prefilled_sections,
        form=state.form,
        evaluation=evaluation,
        observations=observations,
        placement=placement,
        decision=_decision(submission),
        typed_answers=state.answers,
        answer_problems=state.answer_problems,
        answer_field=ANSWER_FIELD,
        answer_max=MAX_TEXT,
        **kind.page.variables(context, evaluation),
    )


def _decision(submission: Submission | None) -> Review | None:
    """What the reviewer decided, while the coordinator corrects after it."""
    if submission is not None and submission.state is SubmissionState.OBSERVED:
        return last_decision(submission)
    return None


def _page(
    kind: KindSpec,
    context: SubmissionContext,
    submission: Submission | None,
    form: LockVersionForm,
    content: Markup,
    status: int = 200,
) -> tuple[str, int]:
    cycle = _cycle(context)
    editable = _editable(submission)
    targets = evidence_targets(submission, kind.whole)
    upload = upload_form(targets)
    upload.file.errors = get_flashed_messages(category_filter=[f"{FIELD_MESSAGE}{FILE_FIELD}"])
    html = render_template(
        kind.page.template,
        kind=kind,
        institution=context.institution,
        cycle=cycle,
        submission=submission,
        editable=editable,
        window_open=cycle.window_is_open(kind.window, chile_today()),
        window=cycle.window(kind.window),
        form=form,
        content=content,
        slug=kind.slug,
        evidence_files=files_table(submission, targets, kind.slug, editable=editable),
        upload=upload,
        decision=_decision(submission),
        # A page shown again with what was typed holds changes not saved yet.
        unsaved=status != 200,
    )
    return html, status


def _starting_draft(
    kind: KindSpec, context: SubmissionContext, submission: Submission | None
) -> tuple[Draft, Marks | None]:
    """The saved draft; before the first save, what creating the submission will pre-fill
    (and its marks)."""
    if submission is not None:
        return submission.draft, None
    start = kind.prefill(context.institution, _cycle(context))
    return start.draft, start.marks


def edit_draft(code: str, kind: KindSpec) -> tuple[str, int] | Response:
    """GET shows the draft (a submission the user can no longer edit: its latest version, as
    a document); POST saves what was typed, then does what the button says."""
    institution = get_visible_institution(current_user, code)
    cycle = current_cycle()
    if cycle is None:
        return render_template("submissions/no_cycle.html", institution=institution), 200
    context = submission_context(institution, cycle)
    blocked = kind.page.blocked(context)
    if blocked:
        return render_template(blocked, institution=institution, cycle=cycle), 200
    sections = kind.sections(institution)
    submission = find_submission(institution, cycle, kind.kind)
    preserved = take_preserved(current_user) if request.method == "GET" else None
    formdata: MultiDict[str, str] | None = request.form if request.method == "POST" else preserved
    if formdata is None:
        if (
            submission is not None
            and not can_edit(current_user, submission)
            and submission.latest_version is not None
        ):
            return render_record(kind, submission, submission.latest_version), 200
        return _render_saved(kind, context, submission)

    form = content_form_class(sections)(formdata=formdata)
    kind.page.configure(form, context)
    state = PageState(
        kind, context, submission, form, draft_from_form(form, sections), typed_answers(formdata)
    )
    if request.method == "POST" and not form.validate_on_submit():  # only CSRF can fail here
        return _render(state, 400)
    return _save(state, formdata.get("accion", SAVE), restored=preserved is not None)


def _save(state: PageState, action: str, *, restored: bool) -> tuple[str, int] | Response:
    """Save the draft and the typed answers, then do what ``action`` asks; one transaction.

    Input given back after an expired session is saved, and its button is not pressed again.
    """
    kind, context = state.kind, state.context
    action = SAVE if restored else action
    sections = kind.sections(context.institution)
    state.draft, anchor, refusal = change_rows(state.draft, sections, action)
    verb, _, target = action.partition(":")
    with transaction(DomainError) as outcome:
        submission, done = _save_draft(state, action)
        required = target if verb == ANSWER else None
        answers = answer_observations(submission, state.answers, current_user, required=required)
        file_outcome = run_file_action(submission, action, current_user)
    # Answers and file actions report their own refusals (they raise no DomainError), so
    # a refusal here is the draft's, and nothing after it was kept.
    if outcome.refusal is not None:
        flash(outcome.refusal.message, "error")
        if verb == ATTACH:
            flash("El archivo no se adjuntó: vuelva a elegirlo y adjúntelo.", "error")
        return _render(state, outcome.refusal.status_code)
    errors = len(kind.evaluate(state.draft, context, complete=False).errors)
    _say_saved(errors, restored)
    for message in (refusal, unattached_file(action)):
        if message:
            flash(message, "error")
    if done is not None:
        flash(done.message, done.category)
        anchor = done.anchor or anchor
    for code in answers.answered:
        flash(f"Se guardó la respuesta a la observación de {code}.", "success")
    if file_outcome is not None:
        flash(file_outcome.message, file_outcome.category)
        anchor = "evidencia"
    if answers.problems:  # shown again as typed, with the problem at each box
        state.answer_problems = answers.problems
        state.form.lock_version.data = submission.lock_version
        return _render(state, 422)
    return _go_on(state, verb, target, anchor or (ERROR_SUMMARY if errors else None))


def _go_on(state: PageState, verb: str, target: str, anchor: str | None) -> Response:
    """Where the page goes after a save: the check page, or back to the form at ``anchor``
    (the observation answered, when that was the button)."""
    code, kind = state.context.institution.code, state.kind
    if verb == CHECK:
        return redirect(url_for("submissions.check", code=code, slug=kind.slug))
    if verb == ANSWER and target.isdigit():
        anchor = f"observacion-{target}"
    return redirect(url_for("submissions.edit", code=code, slug=kind.slug, _anchor=anchor))


def _save_draft(state: PageState, action: str) -> tuple[Submission, PageAction | None]:
    """Save what was typed, opening the submission the first time, with what the kind's own
    button (if ``action`` is one) changed in it; raises when refused."""
    context = state.context
    submission = state.submission
    seen: int | None
    if submission is None:
        submission = operations.open_submission(
            context.institution, _cycle(context), state.kind.kind
        )
        seen = submission.lock_version
        state.submission = submission
    else:
        seen = parse_lock_version(state.form.lock_version.data)
    done = state.kind.page.act(submission, state.draft, context, action, current_user)
    if done is not None:
        state.draft = done.draft
    operations.save_draft(submission, state.draft, current_user, seen)
    return submission, done


def _say_saved(errors: int, restored: bool) -> None:
    message = "Se guardó el borrador."
    if restored:
        message = "Se recuperó lo que había escrito antes de que expirara su sesión y se guardó."
    if errors:
        message += f" Tiene {errors} campo{'s' if errors > 1 else ''} por corregir antes de enviar."
    flash(message, "warning" if errors else "success")
