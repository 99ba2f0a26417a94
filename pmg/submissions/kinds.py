"""What differs between the kinds of submission: rules, window, names in URLs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pmg.cycles.models import WindowKind
from pmg.diagnostics.rules import Evaluation
from pmg.diagnostics.rules import evaluate as evaluate_diagnostic
from pmg.diagnostics.schema import sections_for as diagnostic_sections
from pmg.institutions.models import Institution
from pmg.submissions.content import SectionSpec, describe_path
from pmg.submissions.models import SubmissionKind


@dataclass(frozen=True)
class KindSpec:
    kind: SubmissionKind
    slug: str
    window: WindowKind
    evaluate: Callable[..., Evaluation]
    sections: Callable[[Institution], tuple[SectionSpec, ...]]
    edit_endpoint: str

    def describe(self, institution: Institution, path: str) -> str:
        return describe_path(self.sections(institution), path)


KINDS: dict[SubmissionKind, KindSpec] = {
    SubmissionKind.DIAGNOSTIC: KindSpec(
        kind=SubmissionKind.DIAGNOSTIC,
        slug="diagnostico",
        window=WindowKind.DIAGNOSTIC,
        evaluate=evaluate_diagnostic,
        sections=diagnostic_sections,
        edit_endpoint="diagnostics.edit",
    ),
}
BY_SLUG = {spec.slug: spec for spec in KINDS.values()}
