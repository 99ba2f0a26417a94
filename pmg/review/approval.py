"""The approval rule, once: what keeps a checklist from an approval.

Pure: it takes the outcomes by requirement code and the observations' states and says
what is missing, as data. The decision (:func:`pmg.review.operations.decision_problem`)
and the queue's reason on each row (:func:`pmg.review.bulk.refusals`) both ask it and word
the answer each its own way; ``tests/review/test_queue_bulk.py`` holds them to the same
answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from pmg.review.models import ObservationState, Outcome
from pmg.review.observations import RESOLUTION_STATES, Resolutions
from pmg.review.queries import UNRESOLVED


@dataclass(frozen=True)
class Missing:
    """What an approval still needs: the requirements without an outcome and those that
    fail (codes, in the checklist's order), and how many observations are unresolved."""

    unchecked: tuple[str, ...] = ()
    failing: tuple[str, ...] = ()
    unresolved: int = 0

    def __bool__(self) -> bool:
        return bool(self.unchecked or self.failing or self.unresolved)

    def phrases(self, unchecked: str, failing: str, unresolved: Callable[[int], str]) -> list[str]:
        """What is missing in the caller's words, one phrase for each kind there is:
        ``unchecked`` and ``failing`` with ``{codes}`` («R01, R06»), ``unresolved`` made
        from the count."""
        said = [
            wording.format(codes=", ".join(codes))
            for wording, codes in ((unchecked, self.unchecked), (failing, self.failing))
            if codes
        ]
        return [*said, unresolved(self.unresolved)] if self.unresolved else said


def pending_states(
    states: Mapping[int, ObservationState], resolutions: Resolutions
) -> list[ObservationState]:
    """The state of each observation (``states``, by id) once the resolve/reopen choices
    not yet decided (``resolutions``, by id) apply."""
    return [
        RESOLUTION_STATES[resolutions[ident][0]] if ident in resolutions else state
        for ident, state in states.items()
    ]


def missing_for_approval(
    outcomes: Mapping[str, Outcome | None], states: Iterable[ObservationState]
) -> Missing:
    """What keeps a checklist with ``outcomes`` (by requirement code) from an approval,
    with its observations in ``states``: every requirement checked and none failing, no
    observation left unresolved. Nothing missing: an empty :class:`Missing` (false)."""
    return Missing(
        unchecked=tuple(code for code, outcome in outcomes.items() if outcome is None),
        failing=tuple(code for code, outcome in outcomes.items() if outcome is Outcome.FAILS),
        unresolved=sum(1 for state in states if state in UNRESOLVED),
    )
