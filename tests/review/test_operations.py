"""The review loop through its operations: take, observe, answer, resubmit, approve."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from pmg.audit.models import AuditEntry
from pmg.audit.operations import verify_chain
from pmg.core.errors import Conflict, DomainError, Forbidden
from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.review import operations
from pmg.review.models import Decision, ObservationAction, ObservationState, Outcome
from pmg.review.observations import answer_observation
from pmg.review.operations import VerdictInput
from pmg.review.queries import current_review, observations_of
from pmg.submissions.models import SubmissionState
from pmg.submissions.operations import save_draft, submit
from pmg.submissions.queries import history_of
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
    load_starting_catalog,
    with_value,
)

TODAY = date.today()


@pytest.fixture
def reviewing(app: Flask):  # type: ignore[no-untyped-def]
    """A diagnostic submitted and taken by a reviewer."""
    cycle = create_cycle()
    load_starting_catalog(cycle)
    institution = create_institution("1306")
    coordinator = create_user(Role.COORDINATOR, institutions=[institution])
    reviewer = create_user(Role.REVIEWER, name="Rosa Revisora")
    version = create_submitted_diagnostic(institution, cycle, coordinator)
    submission = version.submission
    review = operations.take(submission, reviewer, submission.lock_version)
    db.session.commit()
    return submission, review, coordinator, reviewer


def _all(review, outcome: Outcome) -> dict[int, VerdictInput]:  # type: ignore[no-untyped-def]
    return {v.requirement_id: VerdictInput(outcome) for v in review.verdicts}


def _codes(review) -> list[str]:  # type: ignore[no-untyped-def]
    return [v.requirement.code for v in review.verdicts]


def test_take_opens_a_review_of_the_applicable_requirements(reviewing) -> None:
    submission, review, _, reviewer = reviewing
    assert submission.state is SubmissionState.IN_REVIEW
    assert submission.reviewer is reviewer
    # Etapa 1 without MESU (the factory default): R05 does not apply.
    assert _codes(review) == ["R01", "R02", "R03", "R04", "R06"]
    assert review.catalog.version == submission.latest_version.requirements_version


def test_observe_needs_an_observation_and_a_reason(reviewing) -> None:
    submission, review, _, reviewer = reviewing
    with pytest.raises(DomainError, match="al menos un requisito"):
        operations.decide(
            review, Decision.OBSERVE, reviewer, submission.lock_version, TODAY, note="Corregir"
        )
    db.session.rollback()
    checklist = {review.verdicts[0].requirement_id: VerdictInput(Outcome.FAILS, "Falta equipo")}
    with pytest.raises(DomainError, match="motivo"):
        operations.decide(
            review, Decision.OBSERVE, reviewer, submission.lock_version, TODAY, checklist=checklist
        )


def test_approve_needs_every_requirement_met(reviewing) -> None:
    submission, review, _, reviewer = reviewing
    checklist = _all(review, Outcome.MEETS)
    checklist[review.verdicts[1].requirement_id] = VerdictInput(Outcome.FAILS)
    with pytest.raises(DomainError, match=r"no cumplen: R02"):
        operations.decide(
            review, Decision.APPROVE, reviewer, submission.lock_version, TODAY, checklist=checklist
        )
    db.session.rollback()
    operations.decide(
        review,
        Decision.APPROVE,
        reviewer,
        submission.lock_version,
        TODAY,
        checklist=_all(review, Outcome.MEETS),
    )
    db.session.commit()
    assert submission.state is SubmissionState.APPROVED
    assert review.decided_by is reviewer


def test_reject_needs_a_failing_requirement(reviewing) -> None:
    submission, review, _, reviewer = reviewing
    with pytest.raises(DomainError, match="No cumple"):
        operations.decide(
            review,
            Decision.REJECT,
            reviewer,
            submission.lock_version,
            TODAY,
            note="No",
            checklist=_all(review, Outcome.MEETS),
        )
    db.session.rollback()
    checklist = {review.verdicts[0].requirement_id: VerdictInput(Outcome.FAILS)}
    operations.decide(
        review,
        Decision.REJECT,
        reviewer,
        submission.lock_version,
        TODAY,
        note="No cumple R01",
        checklist=checklist,
    )
    db.session.commit()
    assert submission.state is SubmissionState.REJECTED
    assert history_of(submission)[-1].note == "No cumple R01"


def _observe_two(submission, review, reviewer):  # type: ignore[no-untyped-def]
    checklist = _all(review, Outcome.MEETS)
    first, second = review.verdicts[0], review.verdicts[4]
    checklist[first.requirement_id] = VerdictInput(Outcome.FAILS, "Nombre el equipo de trabajo")
    checklist[second.requirement_id] = VerdictInput(Outcome.FAILS, "Prioridad sin fundamento")
    operations.decide(
        review,
        Decision.OBSERVE,
        reviewer,
        submission.lock_version,
        TODAY,
        note="Dos requisitos por corregir",
        checklist=checklist,
    )
    db.session.commit()


def test_the_whole_observation_life_cycle(reviewing) -> None:
    submission, review, coordinator, reviewer = reviewing
    _observe_two(submission, review, reviewer)
    assert submission.state is SubmissionState.OBSERVED
    assert submission.correction_due == submission.cycle.correction_end
    observations = observations_of(submission)
    assert [(o.requirement.code, o.state) for o in observations] == [
        ("R01", ObservationState.OPEN),
        ("R06", ObservationState.OPEN),
    ]
    draft = with_value(submission.draft, "responsible.team", "Pedro Soto\nAna Rojas\nLuis Díaz")
    save_draft(submission, draft, coordinator, submission.lock_version)
    db.session.commit()
    with pytest.raises(DomainError, match="falta"):
        submit(submission, coordinator, TODAY, submission.lock_version)
    db.session.rollback()
    for observation in observations:
        answer_observation(observation, "Corregido en la sección", coordinator)
    db.session.commit()
    assert {o.state for o in observations} == {ObservationState.ANSWERED}
    version = submit(submission, coordinator, TODAY, submission.lock_version)
    db.session.commit()
    # Back to the reviewer who observed it: the review of version 2 is open for them.
    assert (version.number, submission.state) == (2, SubmissionState.IN_REVIEW)
    second = current_review(submission)
    assert second is not None and (second.version, second.reviewer) == (version, reviewer)
    # The outcomes of the last review are the starting point of the next one.
    assert [v.outcome for v in second.verdicts][:2] == [Outcome.FAILS, Outcome.MEETS]
    r01, r06 = observations
    with pytest.raises(DomainError, match="reabre"):
        operations.save_review(second, {}, {r06.id: (ObservationAction.REOPEN, "")}, reviewer)
    db.session.rollback()
    operations.save_review(
        second,
        {},
        {r01.id: (ObservationAction.RESOLVE, ""), r06.id: (ObservationAction.REOPEN, "Aún falta")},
        reviewer,
    )
    db.session.commit()
    # Saved, not decided: the observations and what the coordinator sees do not change yet.
    assert (r01.state, r06.state) == (ObservationState.ANSWERED, ObservationState.ANSWERED)
    assert second.pending_resolutions == {
        str(r01.id): {"action": "resolve", "note": ""},
        str(r06.id): {"action": "reopen", "note": "Aún falta"},
    }
    with pytest.raises(DomainError, match="sin resolver"):
        operations.decide(
            second,
            Decision.APPROVE,
            reviewer,
            submission.lock_version,
            TODAY,
            checklist=_all(second, Outcome.MEETS),
        )
    db.session.rollback()
    operations.decide(
        second,
        Decision.OBSERVE,
        reviewer,
        submission.lock_version,
        TODAY,
        note="Queda una observación",
        checklist=_all(second, Outcome.MEETS),
    )
    db.session.commit()
    assert (r01.state, r06.state) == (ObservationState.RESOLVED, ObservationState.REOPENED)
    assert second.pending_resolutions is None
    answer_observation(r06, "Ahora sí está", coordinator)
    draft = with_value(submission.draft, "gaps.0.causes", "Causas revisadas")
    save_draft(submission, draft, coordinator, submission.lock_version)
    submit(submission, coordinator, TODAY, submission.lock_version)
    third = current_review(submission)
    assert third is not None
    operations.decide(
        third,
        Decision.APPROVE,
        reviewer,
        submission.lock_version,
        TODAY,
        checklist=_all(third, Outcome.MEETS),
        resolutions={r06.id: (ObservationAction.RESOLVE, "")},
    )
    db.session.commit()
    assert submission.state is SubmissionState.APPROVED
    assert [e.action for e in r06.entries] == [
        ObservationAction.RAISE,
        ObservationAction.ANSWER,
        ObservationAction.REOPEN,
        ObservationAction.ANSWER,
        ObservationAction.RESOLVE,
    ]


def test_an_identical_resubmission_is_refused(reviewing) -> None:
    submission, review, coordinator, reviewer = reviewing
    _observe_two(submission, review, reviewer)
    for observation in observations_of(submission):
        answer_observation(observation, "No corresponde", coordinator)
    db.session.commit()
    with pytest.raises(DomainError, match="idéntico al de la versión 1"):
        submit(submission, coordinator, TODAY, submission.lock_version)
    db.session.rollback()
    assert submission.state is SubmissionState.OBSERVED
    assert len(submission.versions) == 1


def test_resubmission_after_the_correction_deadline_is_refused(reviewing) -> None:
    submission, review, coordinator, reviewer = reviewing
    _observe_two(submission, review, reviewer)
    with pytest.raises(DomainError, match="venció"):
        submit(
            submission,
            coordinator,
            submission.correction_due + timedelta(days=1),
            submission.lock_version,
        )


def test_a_decision_on_a_stale_page_names_who_acted(reviewing) -> None:
    submission, review, _, reviewer = reviewing
    seen = submission.lock_version
    admin = create_user(Role.ADMIN, name="Ana Administradora")
    other = create_user(Role.REVIEWER, name="Otro Revisor")
    operations.assign(submission, other, admin, seen)
    db.session.commit()
    with pytest.raises(Conflict, match="Ana Administradora modificó este envío"):
        operations.decide(
            review, Decision.APPROVE, reviewer, seen, TODAY, checklist=_all(review, Outcome.MEETS)
        )
    db.session.rollback()
    assert submission.state is SubmissionState.IN_REVIEW
    with pytest.raises(Forbidden):
        operations.decide(
            review,
            Decision.APPROVE,
            reviewer,
            submission.lock_version,
            TODAY,
            checklist=_all(review, Outcome.MEETS),
        )


def test_only_a_coordinator_of_the_institution_answers(reviewing) -> None:
    submission, review, _, reviewer = reviewing
    _observe_two(submission, review, reviewer)
    stranger = create_user(Role.COORDINATOR, institutions=[create_institution("9999")])
    with pytest.raises(Forbidden):
        answer_observation(observations_of(submission)[0], "Hola", stranger)


def test_review_of_a_cycle_without_catalog_is_refused(app: Flask) -> None:
    cycle = create_cycle()
    version = create_submitted_diagnostic(create_institution("1306"), cycle)
    reviewer = create_user(Role.REVIEWER)
    with pytest.raises(DomainError, match="catálogo de requisitos"):
        operations.take(version.submission, reviewer, version.submission.lock_version)
    db.session.rollback()
    assert version.submission.state is SubmissionState.SUBMITTED
    assert current_review(version.submission) is None


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE state_changes SET note = 'x'",
        "DELETE FROM state_changes",
        "UPDATE observation_entries SET text = 'x'",
        "DELETE FROM observation_entries",
    ],
)
def test_the_database_refuses_to_change_the_review_history(reviewing, statement: str) -> None:
    submission, review, _, reviewer = reviewing
    _observe_two(submission, review, reviewer)
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text(statement))
        db.session.flush()
    db.session.rollback()


def test_every_step_of_the_loop_is_in_a_verifiable_audit_chain(reviewing) -> None:
    submission, review, coordinator, reviewer = reviewing
    _observe_two(submission, review, reviewer)
    for observation in observations_of(submission):
        answer_observation(observation, "Corregido", coordinator)
    draft = with_value(submission.draft, "responsible.team", "Equipo nuevo")
    save_draft(submission, draft, coordinator, submission.lock_version)
    submit(submission, coordinator, TODAY, submission.lock_version)
    db.session.commit()
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {
        "submission.submit",
        "submission.take",
        "submission.observe",
        "observation.answer",
        "submission.resubmit",
    } <= actions
    assert verify_chain().ok


def test_an_overdue_observed_submission_can_be_rejected_only_after_its_deadline(
    reviewing,
) -> None:
    submission, review, _, reviewer = reviewing
    with pytest.raises(Conflict):
        operations.reject_overdue(submission, reviewer, submission.lock_version, TODAY, "Tarde")
    _observe_two(submission, review, reviewer)
    deadline = submission.correction_deadline
    with pytest.raises(DomainError, match="aún no se puede rechazar"):
        operations.reject_overdue(submission, reviewer, submission.lock_version, deadline, "Tarde")
    db.session.rollback()
    after = deadline + timedelta(days=1)
    operations.reject_overdue(submission, reviewer, submission.lock_version, after, "No corrigió")
    db.session.commit()
    assert submission.state is SubmissionState.REJECTED
    assert history_of(submission)[-1].note == "No corrigió"


def test_extending_the_cycle_correction_window_extends_the_deadline(reviewing) -> None:
    submission, review, coordinator, reviewer = reviewing
    _observe_two(submission, review, reviewer)
    given = submission.correction_due
    submission.cycle.correction_end = given + timedelta(days=15)
    db.session.commit()
    assert submission.correction_deadline == given + timedelta(days=15)
    for observation in observations_of(submission):
        answer_observation(observation, "Corregido", coordinator)
    draft = with_value(submission.draft, "responsible.team", "Equipo nuevo")
    save_draft(submission, draft, coordinator, submission.lock_version)
    submit(submission, coordinator, given + timedelta(days=10), submission.lock_version)
    db.session.commit()
    assert submission.state is SubmissionState.IN_REVIEW
