"""Which decisions need a written reason: the rule the review page checks at the field."""

from __future__ import annotations

import pytest

from pmg.review.models import Decision
from pmg.review.operations import reason_problem

NEEDS_REASON = "Escriba el fundamento: se envía a la institución."


@pytest.mark.parametrize(
    ("decision", "note", "expected"),
    [
        (Decision.OBSERVE, "", NEEDS_REASON),
        (Decision.OBSERVE, "  \n ", NEEDS_REASON),
        (Decision.OBSERVE, "Corregir el trámite 2", None),
        (Decision.REJECT, "", NEEDS_REASON),
        (Decision.REJECT, "No cumple R01", None),
        (Decision.APPROVE, "", None),
        (None, "", None),  # only saving the checklist
    ],
)
def test_reason_problem_follows_the_transition_table(
    decision: Decision | None, note: str, expected: str | None
) -> None:
    assert reason_problem(decision, note) == expected
