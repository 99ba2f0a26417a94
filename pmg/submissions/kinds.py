"""What differs between the kinds of submission: rules, window, names in URLs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pmg.cycles.models import WindowKind
from pmg.diagnostics.rules import Evaluation
from pmg.diagnostics.rules import evaluate as evaluate_diagnostic
from pmg.institutions.models import Institution
from pmg.submissions.models import SubmissionKind


@dataclass(frozen=True)
class KindSpec:
    kind: SubmissionKind
    slug: str
    window: WindowKind
    evaluate: Callable[..., Evaluation]


KINDS: dict[SubmissionKind, KindSpec] = {
    SubmissionKind.DIAGNOSTIC: KindSpec(
        SubmissionKind.DIAGNOSTIC, "diagnostico", WindowKind.DIAGNOSTIC, evaluate_diagnostic
    ),
}
BY_SLUG = {spec.slug: spec for spec in KINDS.values()}


def evaluate(kind: SubmissionKind, draft: dict[str, Any], institution: Institution) -> Evaluation:
    return KINDS[kind].evaluate(draft, institution, complete=False)
