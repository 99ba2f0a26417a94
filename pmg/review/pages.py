"""What the review page shows, gathered in one place so the route stays thin."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from markupsafe import Markup

from pmg.auth.models import User
from pmg.auth.queries import active_reviewers
from pmg.core.caching import cached
from pmg.core.errors import DomainError
from pmg.core.fragments import render_fragment, render_macro
from pmg.cycles.queries import chile_today
from pmg.requirements.models import Requirement
from pmg.review.confirmation import Confirmation
from pmg.review.content import (
    Marks,
    Placement,
    change_marks,
    place_requirements,
    shown_content,
)
from pmg.review.diff import EVIDENCE, SectionChanges, section_changes
from pmg.review.fields import observable_fields
from pmg.review.forms import AssignForm, RejectOverdueForm, ReviewForm, TakeForm, review_form
from pmg.review.models import Observation, Review
from pmg.review.observations import resolvable_observations
from pmg.review.operations import catalog_for, saved_resolutions
from pmg.review.queries import (
    current_and_last_observed,
    observations_of,
)
from pmg.submissions.content import SectionSpec
from pmg.submissions.kinds import KINDS
from pmg.submissions.models import Submission, SubmissionState, SubmissionVersion
from pmg.submissions.queries import history_of
from pmg.submissions.workflow import Action, may_act


@dataclass(frozen=True)
class Since:
    """What changed since the observed version, as the document's layout marks it
    (``since`` of ``templates/_macros/document.html``)."""

    previous: SubmissionVersion
    changes: dict[str, SectionChanges]
    marks: Marks


@dataclass(frozen=True)
class LaidOut:
    """The version's content as the review page lays it out beside the checklist: its
    integrity block, each section's title and markup (what changed since the observed version
    marked in place) by key, in order, its files when it shows them, and what changed in
    each section since the observed version."""

    integrity: Markup
    titles: dict[str, str]
    sections: dict[str, Markup]
    evidence: Markup | None
    changes: dict[str, SectionChanges]


def laid_out(
    version: SubmissionVersion,
    previous: SubmissionVersion | None,
    sections: tuple[SectionSpec, ...],
) -> LaidOut:
    """:class:`LaidOut` for ``version`` (of ``sections``), marked since ``previous``: laid
    out once while the data is unchanged (the versions never change; the stamp covers the
    rest), not on every visit of the page: their content is not even read then."""

    def lay_out() -> LaidOut:
        content = shown_content(version)
        since, changes = None, {}
        if previous is not None:
            changes = section_changes(sections, previous.content, version.content)
            since = Since(previous, changes, change_marks(changes, shown_content(previous)))
        layout = "_macros/document.html"
        return LaidOut(
            integrity=render_macro(layout, "integrity", content.facts),
            titles={shown.key: shown.title for shown in content.sections},
            sections={
                shown.key: render_macro(
                    layout, "section", shown, "contenido", "review-content", since
                )
                for shown in content.sections
            },
            evidence=render_macro(layout, "evidence", content, "contenido", None, since)
            if content.shows_evidence
            else None,
            changes=changes,
        )

    return cached("review.content", (version.id, previous.id if previous else None), lay_out)


def history_table(submission: Submission) -> Markup:
    """The submission's state changes as its pages show them (none: nothing), rendered once
    while the data is unchanged."""

    def render() -> Markup:
        changes = history_of(submission)
        return render_fragment("review/_history.html", history=changes) if changes else Markup()

    return cached("review.history", (submission.id,), render)


@dataclass
class ReviewPage:
    submission: Submission
    version: SubmissionVersion
    review: Review | None
    history: Markup  # history_table
    warnings: list[tuple[str, str]]
    # The version's content laid out.
    content: LaidOut
    previous: SubmissionVersion | None = None
    # Before someone takes the review: what the catalog would ask (see requirements).
    proposed: list[Requirement] = field(default_factory=list)
    form: ReviewForm | None = None
    # The review form as the page makes it when none is given: the decision's part (its
    # fields per requirement and observation, as saved, come with the layout).
    saved_form: ReviewForm | None = None
    take_form: TakeForm | None = None
    assign_form: AssignForm | None = None
    overdue_form: RejectOverdueForm | None = None
    problem: str = ""
    # What the decision asked for will do, shown for the reviewer to confirm it.
    confirmation: Confirmation | None = None

    # The checklist and the observations are read when asked for: the layout kept while the
    # data is unchanged (see layout) shows them without asking.

    @cached_property
    def requirements(self) -> list[Requirement]:
        """The review's checklist as it was opened; before that, what the catalog would
        ask."""
        if self.review is None:
            return self.proposed
        return [verdict.requirement for verdict in self.review.verdicts]

    @cached_property
    def resolvable(self) -> list[Observation]:
        """Observations answered for this version: the reviewer resolves or reopens them."""
        if self.review is None:
            return []
        observations = observations_of(self.submission)
        return list(resolvable_observations(self.review, observations).values())

    @cached_property
    def placement(self) -> Placement:
        """Which requirement goes beside which section."""
        return place_requirements(self.requirements, list(self.content.titles))

    @property
    def layout(self) -> Markup:
        """The content with the checklist beside it (``review/_layout.html``): with the
        review form as saved, rendered once while the data is unchanged; with one that holds
        what was typed, every time."""
        layout = "review/_layout.html"
        if self.form is not self.saved_form:
            return render_fragment(layout, page=self, form=self.form)

        def render() -> Markup:
            form = None
            if self.review is not None and self.saved_form is not None:
                saved = saved_resolutions(self.review)
                form = review_form(self.review, self.resolvable, saved)
            return render_fragment(layout, page=self, form=form)

        return cached("review.layout", (self.submission.id, self.form is not None), render)

    @property
    def changes(self) -> dict[str, SectionChanges]:
        """What changed in each section since the observed version (:attr:`previous`)."""
        return self.content.changes

    def changes_for(self, observation: Observation) -> list[SectionChanges]:
        """What changed in the sections the observation's requirement concerns."""
        keys = [*observation.requirement.sections, EVIDENCE]
        return [self.changes[key] for key in keys if key in self.changes]

    def resolvable_for(self, requirement: Requirement) -> list[Observation]:
        """The answered observations of this requirement (by code: the catalog may be
        another version than the one they were raised with)."""
        return [o for o in self.resolvable if o.requirement.code == requirement.code]

    @property
    def section_titles(self) -> dict[str, str]:
        """The title of each section shown, by key."""
        return self.content.titles

    def field_label(self, observation: Observation) -> str:
        """Where ``observation`` points, named as the reviewer chose it (in the version
        it was raised on)."""
        choices = observable_fields(observation.raised_in.version, observation.requirement)
        return next((c.label for c in choices if c.path == observation.path), observation.path)

    @property
    def resolvable_elsewhere(self) -> list[Observation]:
        """Answered observations of a requirement no longer in the checklist."""
        codes = {requirement.code for requirement in self.requirements}
        return [o for o in self.resolvable if o.requirement.code not in codes]


def _proposed(submission: Submission) -> tuple[list[Requirement], str]:
    """What the catalog would ask of the submission, or why there is no catalog for it."""
    try:
        catalog = catalog_for(submission.versions[-1])  # under review: submitted at least once
    except DomainError as missing:
        return [], missing.message
    return catalog.applicable(submission.institution, submission.kind), ""


def _forms(page: ReviewPage, user: User, form: ReviewForm | None) -> None:
    submission, lock = page.submission, str(page.submission.lock_version)
    if page.review is not None and may_act(user, submission, Action.APPROVE):
        if form is None:
            form = page.saved_form = ReviewForm(data={"lock_version": lock})
        page.form = form
    if may_act(user, submission, Action.TAKE):
        page.take_form = TakeForm(data={"lock_version": lock})
    deadline = submission.correction_deadline
    overdue = deadline is not None and deadline < chile_today()
    if (
        submission.state is SubmissionState.OBSERVED
        and overdue
        and may_act(user, submission, Action.REJECT)
    ):
        page.overdue_form = page.overdue_form or RejectOverdueForm(data={"lock_version": lock})
    if may_act(user, submission, Action.ASSIGN):
        page.assign_form = page.assign_form or AssignForm(data={"lock_version": lock})
        page.assign_form.set_reviewers(active_reviewers())


def review_page(
    submission: Submission,
    user: User,
    *,
    form: ReviewForm | None = None,
    assign_form: AssignForm | None = None,
    overdue_form: RejectOverdueForm | None = None,
) -> ReviewPage:
    version = submission.versions[-1]  # under review: submitted at least once
    review, earlier = current_and_last_observed(submission)
    proposed, problem = _proposed(submission) if review is None else ([], "")
    kind = KINDS[submission.kind]
    previous = earlier.version if earlier is not None else None
    page = ReviewPage(
        submission=submission,
        version=version,
        review=review,
        history=history_table(submission),
        warnings=[
            (kind.describe(submission.institution, w["path"]), w["message"])
            for w in version.warnings
        ],
        content=laid_out(version, previous, kind.sections(submission.institution)),
        previous=previous,
        proposed=proposed,
        assign_form=assign_form,
        overdue_form=overdue_form,
        problem=problem,
    )
    _forms(page, user, form)
    return page
