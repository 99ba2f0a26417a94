"""The approval rule on its own: what keeps a checklist from an approval, as data. The
decision's wording and the queue's are in test_operations.py and test_queue_bulk.py."""

from __future__ import annotations

import pytest

from pmg.review.approval import Missing, missing_for_approval, pending_states
from pmg.review.models import ObservationAction, ObservationState, Outcome

Out, S = Outcome, ObservationState


@pytest.mark.parametrize(
    ("outcomes", "states", "missing"),
    [
        ({"R01": Out.MEETS, "R04": Out.NOT_APPLICABLE}, [S.RESOLVED], Missing()),
        ({}, [], Missing()),
        (
            {"R01": None, "R02": Out.FAILS, "R03": Out.MEETS, "R06": None},
            [],
            Missing(unchecked=("R01", "R06"), failing=("R02",)),
        ),
        (
            {"R01": Out.MEETS},
            [S.OPEN, S.ANSWERED, S.REOPENED, S.RESOLVED],
            Missing(unresolved=3),
        ),
    ],
    ids=["all met", "nothing to check", "unchecked and failing", "observations"],
)
def test_what_an_approval_still_needs(
    outcomes: dict[str, Outcome | None], states: list[ObservationState], missing: Missing
) -> None:
    found = missing_for_approval(outcomes, states)
    assert found == missing
    assert bool(found) is (missing != Missing())


def test_the_choices_not_yet_decided_count_as_taken() -> None:
    states = {1: S.ANSWERED, 2: S.ANSWERED, 3: S.OPEN}
    chosen = {1: (ObservationAction.RESOLVE, ""), 2: (ObservationAction.REOPEN, "Aún falta")}
    assert pending_states(states, chosen) == [S.RESOLVED, S.REOPENED, S.OPEN]
    assert missing_for_approval({}, pending_states(states, chosen)) == Missing(unresolved=2)


def test_each_caller_words_what_is_missing() -> None:
    missing = Missing(unchecked=("R01", "R06"), unresolved=2)
    said = missing.phrases("sin revisar: {codes}", "no cumplen: {codes}", lambda n: f"{n} sin")
    assert said == ["sin revisar: R01, R06", "2 sin"]
    assert Missing().phrases("{codes}", "{codes}", str) == []
