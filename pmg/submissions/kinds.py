"""What differs between the kinds of submission: rules, window, names in URLs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pmg.cycles.models import Cycle, WindowKind
from pmg.diagnostics.prefill import prefill as prefill_diagnostic
from pmg.diagnostics.rules import evaluate as evaluate_diagnostic
from pmg.diagnostics.schema import sections_for as diagnostic_sections
from pmg.institutions.models import Institution
from pmg.plans.prefill import prefill as prefill_plan
from pmg.plans.rules import evaluate as evaluate_plan
from pmg.plans.schema import sections_for as plan_sections
from pmg.submissions.content import SectionSpec, describe_path
from pmg.submissions.evaluation import Evaluation, SubmissionContext
from pmg.submissions.models import SubmissionKind
from pmg.submissions.prefill import Prefill

Evaluator = Callable[[dict[str, Any], SubmissionContext, bool], Evaluation]


@dataclass(frozen=True)
class KindSpec:
    kind: SubmissionKind
    slug: str
    window: WindowKind
    evaluator: Evaluator
    sections: Callable[[Institution], tuple[SectionSpec, ...]]
    edit_endpoint: str
    # What a new draft starts with from the official consolidated files.
    prefill: Callable[[Institution, Cycle], Prefill]

    def evaluate(
        self, draft: dict[str, Any], context: SubmissionContext, *, complete: bool
    ) -> Evaluation:
        return self.evaluator(draft, context, complete)

    def describe(self, institution: Institution, path: str) -> str:
        return describe_path(self.sections(institution), path)


KINDS: dict[SubmissionKind, KindSpec] = {
    SubmissionKind.DIAGNOSTIC: KindSpec(
        kind=SubmissionKind.DIAGNOSTIC,
        slug="diagnostico",
        window=WindowKind.DIAGNOSTIC,
        evaluator=lambda draft, context, complete: evaluate_diagnostic(
            draft, context.institution, complete=complete
        ),
        sections=diagnostic_sections,
        edit_endpoint="diagnostics.edit",
        prefill=prefill_diagnostic,
    ),
    SubmissionKind.PLAN: KindSpec(
        kind=SubmissionKind.PLAN,
        slug="plan",
        window=WindowKind.PLAN,
        evaluator=lambda draft, context, complete: evaluate_plan(draft, context, complete=complete),
        sections=plan_sections,
        edit_endpoint="plans.edit",
        prefill=prefill_plan,
    ),
}
BY_SLUG = {spec.slug: spec for spec in KINDS.values()}
