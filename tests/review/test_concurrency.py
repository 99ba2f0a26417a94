"""Two decisions at once, each on its own database connection: one wins, the other is
refused naming who acted, and nothing of the loser is written. Runs on SQLite and, in the
PostgreSQL pass, with two real concurrent PostgreSQL transactions."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import func, select

from pmg.auth.models import User
from pmg.core.errors import Conflict
from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.review import operations
from pmg.review.models import Decision, Outcome, Review
from pmg.review.operations import VerdictInput
from pmg.submissions.models import StateChange, Submission, SubmissionState
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
    load_starting_catalog,
)

Act = Callable[[Submission, int], None]


@pytest.fixture
def under_review(app: Flask) -> dict[str, int]:
    cycle = create_cycle()
    load_starting_catalog(cycle)
    version = create_submitted_diagnostic(create_institution("1306"), cycle)
    reviewer = create_user(Role.REVIEWER, name="Rosa Revisora")
    admin = create_user(Role.ADMIN, name="Ana Administradora")
    other = create_user(Role.REVIEWER, name="Otro Revisor")
    submission = version.submission
    operations.take(submission, reviewer, submission.lock_version)
    db.session.commit()
    return {
        "submission": submission.id,
        "reviewer": reviewer.id,
        "admin": admin.id,
        "other": other.id,
    }


def _approve(ids: dict[str, int]) -> Act:
    def act(submission: Submission, seen: int) -> None:
        review = db.session.scalar(select(Review).where(Review.submission_id == submission.id))
        checklist = {v.requirement_id: VerdictInput(Outcome.MEETS) for v in review.verdicts}
        reviewer = db.session.get(User, ids["reviewer"])
        operations.decide(
            review, Decision.APPROVE, reviewer, seen, date.today(), checklist=checklist
        )

    return act


def _reassign(ids: dict[str, int]) -> Act:
    def act(submission: Submission, seen: int) -> None:
        operations.assign(
            submission, db.session.get(User, ids["other"]), db.session.get(User, ids["admin"]), seen
        )

    return act


def _race(app: Flask, ids: dict[str, int], first: Act, second: Act) -> list[str]:
    """``first`` writes and holds its transaction open while ``second`` tries; both read
    the submission before either wrote. Returns what each thread ended with."""
    loaded = threading.Barrier(2)
    first_wrote = threading.Event()
    outcome: dict[str, str] = {}

    def run(name: str, act: Act) -> None:
        with app.app_context():
            submission = db.session.get(Submission, ids["submission"])
            seen = submission.lock_version
            loaded.wait(timeout=10)
            if name == "second":
                first_wrote.wait(timeout=10)
            try:
                act(submission, seen)
                if name == "first":
                    first_wrote.set()
                    time.sleep(0.3)  # the second is now waiting on the row
                db.session.commit()
                outcome[name] = "ok"
            except Conflict as refused:
                db.session.rollback()
                outcome[name] = refused.message
            finally:
                first_wrote.set()
                db.session.remove()

    threads = [
        threading.Thread(target=run, args=("first", first)),
        threading.Thread(target=run, args=("second", second)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return [outcome["first"], outcome["second"]]


def test_a_double_approval_is_applied_once(app: Flask, under_review) -> None:
    first, second = _race(app, under_review, _approve(under_review), _approve(under_review))
    assert first == "ok"
    assert second.startswith("Rosa Revisora modificó este envío")
    assert "Aprobado" in second
    db.session.expire_all()
    approvals = db.session.scalar(
        select(func.count()).select_from(StateChange).where(StateChange.action == "approve")
    )
    assert approvals == 1


def test_a_decision_racing_a_reassignment_is_refused_naming_the_admin(
    app: Flask, under_review
) -> None:
    first, second = _race(app, under_review, _reassign(under_review), _approve(under_review))
    assert first == "ok"
    assert second.startswith("Ana Administradora modificó este envío")
    db.session.expire_all()
    submission = db.session.get(Submission, under_review["submission"])
    assert submission.state is SubmissionState.IN_REVIEW
    assert submission.reviewer_id == under_review["other"]
    review = db.session.scalar(select(Review))
    assert review.decision is None
    assert {v.outcome for v in review.verdicts} == {None}


def _save_progress(ids: dict[str, int]) -> Act:
    def act(submission: Submission, seen: int) -> None:
        review = db.session.scalar(select(Review).where(Review.submission_id == submission.id))
        checklist = {
            v.requirement_id: VerdictInput(Outcome.FAILS, "tarde") for v in review.verdicts
        }
        operations.save_review(review, checklist, {}, db.session.get(User, ids["reviewer"]))

    return act


def test_saving_progress_after_a_concurrent_decision_changes_nothing(
    app: Flask, under_review
) -> None:
    first, second = _race(app, under_review, _approve(under_review), _save_progress(under_review))
    assert first == "ok"
    assert "«Aprobado»" in second
    db.session.expire_all()
    review = db.session.scalar(select(Review))
    assert {v.outcome for v in review.verdicts} == {Outcome.MEETS}
    assert {v.note for v in review.verdicts} == {""}
