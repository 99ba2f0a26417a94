"""Parsing and checking a draft section by section, whatever the kind of submission.

Each kind declares its sections (:mod:`pmg.submissions.content`) and its rules
per section; :func:`evaluate_sections` applies them and collects the findings.
Errors block submitting; warnings never do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pmg.cycles.models import Cycle
from pmg.institutions.models import Institution
from pmg.submissions.content import Finding, SectionSpec, parse_row, rows_of

Values = dict[str, Any]
Rule = Callable[[Values, str], list[Finding]]


@dataclass(frozen=True)
class SectionRules:
    errors: tuple[Rule, ...] = ()
    warnings: tuple[Rule, ...] = ()
    # Checked only before submitting (with empty fields reported too).
    completeness: tuple[Rule, ...] = ()


class SubmissionContext:
    """What a draft is checked against: whose it is, the cycle, and the submitted diagnostic
    (given, or read by ``load_diagnostic`` the first time it is asked for: only the plan's
    rules and pages ask)."""

    def __init__(
        self,
        institution: Institution,
        cycle: Cycle | None = None,
        diagnostic: dict[str, Any] | None = None,
        *,
        load_diagnostic: Callable[[], dict[str, Any] | None] | None = None,
    ) -> None:
        self.institution = institution
        self.cycle = cycle
        self._diagnostic = diagnostic
        self._load_diagnostic = load_diagnostic

    @property
    def diagnostic(self) -> dict[str, Any] | None:
        if self._load_diagnostic is not None:
            self._diagnostic, self._load_diagnostic = self._load_diagnostic(), None
        return self._diagnostic


@dataclass
class Evaluation:
    """Typed content of a draft with its errors and warnings."""

    content: dict[str, Any] = field(default_factory=dict)
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    def errors_by_path(self) -> dict[str, str]:
        return {finding.path: finding.message for finding in self.errors}


def _check(
    values: Values, prefix: str, rules: SectionRules, result: Evaluation, complete: bool
) -> None:
    in_error = {finding.path for finding in result.errors}
    for rule in (*rules.errors, *(rules.completeness if complete else ())):
        result.errors.extend(f for f in rule(values, prefix) if f.path not in in_error)
    for rule in rules.warnings:
        result.warnings.extend(rule(values, prefix))


def evaluate_sections(
    draft: dict[str, Any],
    sections: tuple[SectionSpec, ...],
    rules: dict[str, SectionRules],
    *,
    complete: bool,
) -> Evaluation:
    """Parse every section of ``draft`` and apply each section's rules to each row."""
    result = Evaluation()
    for section in sections:
        section_rules = rules.get(section.key, SectionRules())
        if not section.repeated:
            values, errors = parse_row(
                section, draft.get(section.key) or {}, section.key, complete=complete
            )
            result.errors.extend(errors)
            _check(values, section.key, section_rules, result, complete)
            result.content[section.key] = values
            continue
        rows = []
        for index, raw in enumerate(rows_of(draft, section)):
            prefix = f"{section.key}.{index}"
            values, errors = parse_row(section, raw, prefix, complete=complete)
            result.errors.extend(errors)
            _check(values, prefix, section_rules, result, complete)
            rows.append(values)
        too_many = section.too_many_rows(len(rows))
        if too_many is not None:
            result.errors.append(too_many)
        if complete and len(rows) < section.min_rows:
            result.errors.append(
                Finding(section.key, f"Agregue al menos un registro en «{section.title}».")
            )
        result.content[section.key] = rows
    return result
