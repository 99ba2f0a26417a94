"""The registry of kinds of submission: everything that differs between them, in one entry.

Each kind registers its :class:`KindSpec` from its own package (``pmg/diagnostics/kind.py``,
``pmg/plans/kind.py``), which the application imports when it is built; code here and
in the other packages reads :data:`KINDS` and never names a kind's package. Adding a
kind is one enum member (:class:`~pmg.submissions.models.SubmissionKind`), one package
with its schema, rules and ``kind.py``, and its templates.

URLs name a kind by its slug through the ``kind`` converter (:func:`kind_converter`):
``/instituciones/<code>/<kind:slug>``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from werkzeug.routing import BaseConverter

from pmg.auth.models import User
from pmg.cycles.models import Cycle, WindowKind
from pmg.institutions.models import Institution
from pmg.submissions.content import SectionSpec, describe_path
from pmg.submissions.evaluation import Evaluation, SubmissionContext
from pmg.submissions.models import Submission, SubmissionKind
from pmg.submissions.prefill import Prefill

Draft = dict[str, Any]
Evaluator = Callable[[Draft, SubmissionContext, bool], Evaluation]


def _same(draft: Draft, context: SubmissionContext) -> Draft:
    return draft


def _nothing(*args: Any) -> dict[str, Any]:
    return {}


def _never_blocked(context: SubmissionContext) -> str | None:
    return None


@dataclass(frozen=True)
class PageAction:
    """What one of a kind's own buttons did (see :attr:`FormPage.act`): the draft to save,
    what to say (a flash message and its category) and where to go back on the page."""

    draft: Draft
    message: str
    category: str = "success"
    anchor: str | None = None


def _no_action(
    submission: Submission, draft: Draft, context: SubmissionContext, action: str, actor: User
) -> PageAction | None:
    return None


@dataclass(frozen=True)
class FormPage:
    """How a kind's form page differs: its template and the hooks the page calls."""

    template: str = "submissions/form.html"
    # Adjust a draft to its context before showing it (e.g. one row per diagnostic procedure).
    prepare: Callable[[Draft, SubmissionContext], Draft] = _same
    # Set what the form needs from the context (e.g. the choices of gap references).
    configure: Callable[[Any, SubmissionContext], Any] = _nothing
    # More template variables.
    variables: Callable[[SubmissionContext, Evaluation], dict[str, Any]] = _nothing
    # A template shown instead of the form when the context does not allow one yet.
    blocked: Callable[[SubmissionContext], str | None] = _never_blocked
    # The kind's own buttons (``accion=<verb>:<target>``, e.g. accepting a suggested gap):
    # run in the save's transaction, once the submission exists and before what was typed is
    # saved; ``None`` for a button that is not the kind's. A refusal is a message, never an
    # exception: what was typed is saved whatever the button did.
    act: Callable[[Submission, Draft, SubmissionContext, str, User], PageAction | None] = (
        _no_action
    )


@dataclass(frozen=True)
class KindSpec:
    kind: SubmissionKind
    slug: str  # in URLs and in the requirement catalogs: diagnostico, plan
    short_name: str  # in lists and the audit trail: "Diagnóstico"
    whole: str  # the whole submission, as the evidence panel names it: "Todo el plan"
    window: WindowKind
    evaluator: Evaluator
    # Every section the kind can ask, in order, and those an institution is asked.
    all_sections: tuple[SectionSpec, ...]
    sections: Callable[[Institution], tuple[SectionSpec, ...]]
    # What a new draft starts with from the official consolidated files.
    prefill: Callable[[Institution, Cycle], Prefill]
    pdf_template: str
    page: FormPage = field(default_factory=FormPage)

    def evaluate(self, draft: Draft, context: SubmissionContext, *, complete: bool) -> Evaluation:
        return self.evaluator(draft, context, complete)

    def describe(self, institution: Institution, path: str) -> str:
        return describe_path(self.sections(institution), path)


KINDS: dict[SubmissionKind, KindSpec] = {}


def register_kind(spec: KindSpec) -> KindSpec:
    """Add ``spec`` to the registry (its package does it once, when imported)."""
    known = KINDS.get(spec.kind)
    if known is not None and known != spec:
        raise ValueError(f"The kind {spec.kind.value!r} is already registered.")
    KINDS[spec.kind] = spec
    ordered = {kind: KINDS[kind] for kind in SubmissionKind if kind in KINDS}
    KINDS.clear()
    KINDS.update(ordered)  # in the enum's order, whichever package was imported first
    return spec


def by_slug(slug: str) -> KindSpec:
    """The kind named ``slug`` in a URL; ``KeyError`` when there is none."""
    for spec in KINDS.values():
        if spec.slug == slug:
            return spec
    raise KeyError(slug)


def kind_of(value: Any) -> KindSpec | None:
    """The kind a frozen document names by its value (``"plan"``); ``None`` if unknown."""
    try:
        return KINDS.get(SubmissionKind(value))
    except ValueError:
        return None


def slugs() -> dict[SubmissionKind, str]:
    """Each kind's slug, for templates that link to a submission of any kind."""
    return {spec.kind: spec.slug for spec in KINDS.values()}


def kind_converter() -> type[BaseConverter]:
    """The ``kind`` URL converter: matches the slugs registered when the app is built."""
    slugs = "|".join(sorted(re.escape(spec.slug) for spec in KINDS.values()))

    class KindConverter(BaseConverter):
        regex = f"(?:{slugs})"

    return KindConverter
