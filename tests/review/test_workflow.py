"""The transition table, exhaustively: every state × action × role."""

from __future__ import annotations

import itertools

import pytest
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from pmg.core.errors import Conflict, DomainError, Forbidden
from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.submissions.models import StateChange, Submission, SubmissionKind, SubmissionState
from pmg.submissions.workflow import Action, transition
from tests.factories import create_cycle, create_institution, create_user

S, R = SubmissionState, Role
# The specification, written out: (state, action) → (who may, resulting state).
EXPECTED: dict[tuple[SubmissionState, Action], tuple[Role, SubmissionState]] = {
    (S.DRAFT, Action.SUBMIT): (R.COORDINATOR, S.SUBMITTED),
    (S.SUBMITTED, Action.TAKE): (R.REVIEWER, S.IN_REVIEW),
    (S.SUBMITTED, Action.ASSIGN): (R.ADMIN, S.IN_REVIEW),
    (S.IN_REVIEW, Action.ASSIGN): (R.ADMIN, S.IN_REVIEW),
    (S.IN_REVIEW, Action.OBSERVE): (R.REVIEWER, S.OBSERVED),
    (S.IN_REVIEW, Action.APPROVE): (R.REVIEWER, S.APPROVED),
    (S.IN_REVIEW, Action.REJECT): (R.REVIEWER, S.REJECTED),
    (S.OBSERVED, Action.RESUBMIT): (R.COORDINATOR, S.RESUBMITTED),
    (S.OBSERVED, Action.REJECT): (R.REVIEWER, S.REJECTED),
    (S.RESUBMITTED, Action.TAKE): (R.REVIEWER, S.IN_REVIEW),
    (S.RESUBMITTED, Action.ASSIGN): (R.ADMIN, S.IN_REVIEW),
    # Back to its reviewer, caused by the coordinator's resubmission (no page offers it).
    (S.RESUBMITTED, Action.RETURN): (R.COORDINATOR, S.IN_REVIEW),
}
CASES = list(itertools.product(SubmissionState, Action))


@pytest.fixture
def world(app: Flask) -> dict[Role, object]:
    cycle = create_cycle()
    institution = create_institution("1306")
    users = {
        role: create_user(role, institutions=[institution] if role is R.COORDINATOR else None)
        for role in Role
    }
    submission = Submission(
        institution=institution,
        cycle=cycle,
        kind=SubmissionKind.PLAN,
        draft={},
        reviewer=users[R.REVIEWER],
    )
    db.session.add(submission)
    db.session.commit()
    return {"submission": submission, **users}


def _try(world, state: SubmissionState, action: Action, role: Role) -> None:  # type: ignore[no-untyped-def]
    submission = world["submission"]
    submission.state = state
    db.session.commit()
    expected = EXPECTED.get((state, action))
    actor = world[role]
    if expected is not None and expected[0] is role:
        result = transition(submission, action, actor, submission.lock_version, note="motivo")
        assert result is expected[1]
        change = db.session.scalar(select(StateChange))
        assert (change.from_state, change.to_state, change.actor_id, change.note) == (
            state,
            expected[1],
            actor.id,
            "motivo",
        )
    else:
        refusal = Conflict if expected is None else Forbidden
        with pytest.raises(refusal, match="No se puede" if expected is None else "no puede"):
            transition(submission, action, actor, submission.lock_version, note="motivo")
    db.session.rollback()
    assert submission.state is state
    assert db.session.scalar(select(StateChange)) is None


@pytest.mark.parametrize(("state", "action"), CASES, ids=[f"{s.value}-{a.value}" for s, a in CASES])
def test_transition_table(world, state: SubmissionState, action: Action) -> None:
    """Each role in turn: the one the table names moves it, the others are refused."""
    for role in Role:
        _try(world, state, action, role)


@pytest.mark.parametrize("action", [Action.OBSERVE, Action.REJECT])
def test_observing_and_rejecting_need_a_reason(world, action: Action) -> None:
    submission = world["submission"]
    submission.state = S.IN_REVIEW
    db.session.commit()
    with pytest.raises(DomainError, match="motivo"):
        transition(submission, action, world[R.REVIEWER], submission.lock_version, note="  ")


def test_only_the_assigned_reviewer_decides(world) -> None:
    submission = world["submission"]
    submission.state = S.IN_REVIEW
    db.session.commit()
    other = create_user(R.REVIEWER)
    with pytest.raises(Forbidden):
        transition(submission, Action.APPROVE, other, submission.lock_version)


def test_a_coordinator_of_another_institution_cannot_submit(world) -> None:
    submission = world["submission"]
    stranger = create_user(R.COORDINATOR, institutions=[create_institution("9999")])
    with pytest.raises(Forbidden):
        transition(submission, Action.SUBMIT, stranger, submission.lock_version)


def test_a_stale_page_is_refused_naming_who_acted(world) -> None:
    submission = world["submission"]
    submission.state = S.SUBMITTED
    db.session.commit()
    seen = submission.lock_version
    transition(submission, Action.TAKE, world[R.REVIEWER], seen)
    db.session.commit()
    with pytest.raises(Conflict, match=r"Persona Revisor/a .* modificó este envío"):
        transition(submission, Action.ASSIGN, world[R.ADMIN], seen)
    with pytest.raises(Conflict, match="modificó este envío"):
        transition(submission, Action.ASSIGN, world[R.ADMIN], None)


def test_every_action_but_taking_has_its_mail() -> None:
    from pmg.notifications.messages import TRANSITION_MESSAGES

    assert set(TRANSITION_MESSAGES) == set(Action) - {Action.TAKE}


def test_a_resubmission_goes_back_to_its_reviewer(world) -> None:
    submission = world["submission"]
    submission.state = S.RESUBMITTED
    db.session.commit()
    with pytest.raises(Forbidden):
        transition(submission, Action.TAKE, create_user(R.REVIEWER), submission.lock_version)
    db.session.rollback()
    transition(submission, Action.TAKE, world[R.REVIEWER], submission.lock_version)
    assert submission.state is S.IN_REVIEW


@pytest.mark.parametrize("column", ["action", "from_state", "to_state"])
def test_the_database_refuses_an_unknown_state_or_action_in_the_history(world, column) -> None:
    values = {"action": "submit", "from_state": "draft", "to_state": "submitted", column: "x"}
    with pytest.raises(IntegrityError):
        db.session.execute(
            text(
                "INSERT INTO state_changes (submission_id, action, from_state, to_state, "
                "actor_id, at, note) VALUES (:s, :action, :from_state, :to_state, :a, "
                "CURRENT_TIMESTAMP, '')"
            ),
            {"s": world["submission"].id, "a": world[R.ADMIN].id, **values},
        )
    db.session.rollback()
