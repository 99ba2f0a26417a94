"""The «Revisión» section as data: which observations and history lines concern a version.
No database."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from pmg.exports.documents.review_document import HistoryLine, build_review, concerns
from pmg.review.models import ObservationAction
from pmg.submissions.models import Action as SubmissionAction
from pmg.submissions.models import SubmissionState

RAISE, ANSWER, RESOLVE, REOPEN = (
    ObservationAction.RAISE,
    ObservationAction.ANSWER,
    ObservationAction.RESOLVE,
    ObservationAction.REOPEN,
)
AT = datetime(2026, 4, 10, 13, 0, tzinfo=UTC)


def steps(*pairs: tuple[ObservationAction, int]) -> list[Any]:
    return [SimpleNamespace(action=action, version_number=number) for action, number in pairs]


@pytest.mark.parametrize(
    ("life", "version", "expected"),
    [
        # Raised in the review of version 2: not about version 1, about 2.
        (steps((RAISE, 2)), 1, False),
        (steps((RAISE, 2)), 2, True),
        # Raised in 1 and answered: still to resolve when 2 was sent.
        (steps((RAISE, 1), (ANSWER, 1)), 2, True),
        # Resolved in the review of 2: about 1 and 2, no longer about 3.
        (steps((RAISE, 1), (ANSWER, 1), (RESOLVE, 2)), 2, True),
        (steps((RAISE, 1), (ANSWER, 1), (RESOLVE, 2)), 3, False),
        # Reopened in 2: about 3 too, until resolved in 3.
        (steps((RAISE, 1), (ANSWER, 1), (REOPEN, 2)), 3, True),
        (steps((RAISE, 1), (REOPEN, 2), (ANSWER, 2), (RESOLVE, 3)), 4, False),
        # Resolved, then reopened in a later review: about that version again.
        (steps((RAISE, 1), (RESOLVE, 2), (REOPEN, 3)), 3, True),
        (steps((RAISE, 1), (RESOLVE, 2), (REOPEN, 3)), 4, True),
    ],
)
def test_which_observations_concern_a_version(
    life: list[Any], version: int, expected: bool
) -> None:
    assert concerns(life, version) is expected


def person(name: str) -> Any:
    return SimpleNamespace(name=name)


def change(number: int | None, action: str, before: str, after: str, note: str = "") -> Any:
    """A state change as stored: the action and states as their values."""
    return SimpleNamespace(
        at=AT,
        actor=person("Rosa Revisora"),
        action=action,
        from_state=before,
        to_state=after,
        version_number=number,
        note=note,
    )


def test_history_stops_at_the_decisions_about_the_version() -> None:
    history = [
        change(1, "submit", "draft", "submitted"),
        change(1, "take", "submitted", "in_review"),
        change(1, "observe", "in_review", "observed", "Corregir"),
        change(2, "resubmit", "observed", "resubmitted"),
        change(2, "assign", "resubmitted", "in_review"),
    ]
    lines = build_review(1, None, [], history).history
    assert [(line.action, line.from_state, line.to_state) for line in lines] == [
        ("Envío presentado", "Borrador", "Enviado"),
        ("Envío tomado para revisión", "Enviado", "En revisión"),
        ("Envío observado", "En revisión", "Con observaciones"),
    ]
    assert build_review(2, None, [], history).history[-1] == HistoryLine(
        AT, "Rosa Revisora", "Envío asignado a revisor/a", "Reenviado", "En revisión", 2, ""
    )


def test_history_labels_the_enum_members_the_model_loads() -> None:
    loaded = change(1, SubmissionAction.TAKE, SubmissionState.SUBMITTED, SubmissionState.IN_REVIEW)
    (line,) = build_review(1, None, [], [loaded]).history
    assert (line.action, line.from_state, line.to_state) == (
        "Envío tomado para revisión",
        "Enviado",
        "En revisión",
    )


def test_a_review_not_yet_decided_shows_no_verdicts() -> None:
    requirement = SimpleNamespace(code="R01", title="Responsable", position=1)
    review = SimpleNamespace(
        catalog=SimpleNamespace(version="2026-a"),
        reviewer=person("Rosa Revisora"),
        decision=None,
        decided_at=None,
        decided_by=None,
        decision_note="",
        correction_due=None,
        verdicts=[SimpleNamespace(requirement=requirement, outcome=None, note="Borrador de nota")],
    )
    section = build_review(1, review, [], [])
    assert (section.reviewed, section.decided, section.catalog_version, section.reviewer) == (
        True,
        False,
        "2026-a",
        "Rosa Revisora",
    )
    assert section.verdicts == ()
