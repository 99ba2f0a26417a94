"""The rules of a coordinator's home: each submission's status, the steps and the next thing
to do, on objects built in memory (nothing is saved)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask

from pmg.core.links import Link
from pmg.cycles.models import Cycle
from pmg.institutions.models import Institution
from pmg.requirements.models import Requirement
from pmg.review.models import Observation, ObservationState
from pmg.submissions.models import Submission, SubmissionKind, SubmissionState, SubmissionVersion
from pmg.workspace.status import (
    BLOCKED,
    NO_CYCLE,
    NO_INSTITUTION,
    Deadline,
    NextStep,
    Step,
    StepState,
    coordinator_notice,
    progress,
)

S = SubmissionState
D, P = SubmissionKind.DIAGNOSTIC, SubmissionKind.PLAN
TODAY = date(2027, 1, 3)
SENT = datetime(2027, 1, 2, 15, tzinfo=UTC)  # 2 de enero in Chile
DIAGNOSTIC_END = date(2027, 1, 12)
PLAN_END = date(2027, 1, 20)
REVIEW_END = date(2027, 2, 26)
CORRECTION_DUE = date(2027, 1, 15)


@pytest.fixture(autouse=True)
def _kinds(app: Flask) -> None:
    """The kinds are registered when the application is built."""


def make_cycle(**windows: date) -> Cycle:
    values: dict[str, Any] = {
        "diagnostic_start": date(2026, 12, 1),
        "diagnostic_end": DIAGNOSTIC_END,
        "plan_start": date(2026, 12, 1),
        "plan_end": PLAN_END,
        "review_start": date(2026, 12, 1),
        "review_end": REVIEW_END,
        "correction_start": date(2027, 1, 1),
        "correction_end": date(2027, 1, 10),  # before CORRECTION_DUE: it does not extend it
        "close_start": date(2027, 3, 1),
        "close_end": date(2027, 3, 31),
        "execution_start": date(2027, 1, 1),
        "execution_end": date(2027, 12, 31),
    }
    values.update(windows)
    return Cycle(year=2027, reference_year=2026, is_current=True, **values)


def make_institution() -> Institution:
    return Institution(id=7, code="1306", name="Servicio de Prueba")


def make_submission(
    kind: SubmissionKind, state: SubmissionState, cycle: Cycle, versions: int = 1
) -> Submission:
    submission = Submission(
        id=10 if kind is D else 20,
        kind=kind,
        state=state,
        cycle=cycle,
        correction_due=CORRECTION_DUE if state is S.OBSERVED else None,
    )
    submission.versions = [
        SubmissionVersion(number=n, content_json=json.dumps({"content": {}}), submitted_at=SENT)
        for n in range(1, versions + 1)
    ]
    return submission


def make_observation(ident: int, state: ObservationState = ObservationState.OPEN) -> Observation:
    requirement = Requirement(code=f"R0{ident}", title="Responsable y equipo")
    return Observation(id=ident, state=state, text="Complete el equipo.", requirement=requirement)


def progress_of(
    cycle: Cycle | None = None,
    *,
    diagnostic: SubmissionState | None = None,
    plan: SubmissionState | None = None,
    observations: list[Observation] | None = None,
    today: date = TODAY,
) -> Any:
    """The progress with a diagnostic and a plan in the given states (``None``: not started;
    a draft has no version); ``observations`` are the diagnostic's, or the plan's if only
    the plan is observed."""
    cycle = cycle or make_cycle()
    found = {}
    for kind, state in ((D, diagnostic), (P, plan)):
        if state is not None:
            found[kind] = make_submission(kind, state, cycle, 0 if state is S.DRAFT else 1)
    observed = 20 if plan is S.OBSERVED and diagnostic is not S.OBSERVED else 10
    return progress(make_institution(), cycle, found, {observed: observations or []}, today)


def form(slug: str = "diagnostico", anchor: str = "") -> dict[str, Any]:
    values = {"code": "1306", "slug": slug}
    return {**values, "_anchor": anchor} if anchor else values


# --- Deadlines ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "phrase"),
    [
        (date(2027, 1, 12), "vence el 12 de enero de 2027, quedan 9 días"),
        (date(2027, 1, 4), "vence el 4 de enero de 2027, queda 1 día"),
        (TODAY, "vence hoy, 3 de enero de 2027"),
        (date(2027, 1, 2), "venció el 2 de enero de 2027"),
    ],
)
def test_deadline_says_the_day_and_the_days_left(due: date, phrase: str) -> None:
    assert Deadline("Plazo de envío", due, TODAY).phrase == phrase


def test_an_unsent_submission_is_due_at_the_end_of_its_kinds_window() -> None:
    diagnostic, plan = progress_of(diagnostic=S.DRAFT).submissions
    assert diagnostic.deadline == Deadline("Plazo de envío", DIAGNOSTIC_END, TODAY)
    assert plan.deadline == Deadline("Plazo de envío", PLAN_END, TODAY)


def test_an_observed_submission_is_due_at_its_correction_deadline() -> None:
    diagnostic, _ = progress_of(
        diagnostic=S.OBSERVED, observations=[make_observation(1)]
    ).submissions
    assert diagnostic.deadline == Deadline("Plazo de corrección", CORRECTION_DUE, TODAY)


def test_a_correction_window_extended_since_moves_the_deadline() -> None:
    cycle = make_cycle(correction_end=date(2027, 1, 31))
    diagnostic, _ = progress_of(cycle, diagnostic=S.OBSERVED).submissions
    assert diagnostic.deadline.due == date(2027, 1, 31)


@pytest.mark.parametrize("state", [S.SUBMITTED, S.IN_REVIEW, S.RESUBMITTED])
def test_a_submission_under_review_is_due_at_the_end_of_the_review(state: SubmissionState) -> None:
    diagnostic, _ = progress_of(diagnostic=state).submissions
    assert diagnostic.deadline == Deadline("Plazo de revisión", REVIEW_END, TODAY)


@pytest.mark.parametrize("state", [S.APPROVED, S.REJECTED])
def test_a_decided_submission_has_no_deadline(state: SubmissionState) -> None:
    diagnostic, _ = progress_of(diagnostic=state).submissions
    assert diagnostic.deadline is None


# --- State, version and observations of each submission --------------------------------


def test_each_submission_says_its_state_and_latest_version() -> None:
    diagnostic, plan = progress_of(diagnostic=S.IN_REVIEW, plan=S.DRAFT).submissions
    assert (diagnostic.state_label, diagnostic.version, diagnostic.sent_at) == (
        "En revisión",
        1,
        SENT,
    )
    assert (plan.state_label, plan.version) == ("Borrador", None)


def test_a_submission_not_started_says_so() -> None:
    diagnostic, _ = progress_of().submissions
    assert (diagnostic.submission, diagnostic.state_label, diagnostic.version) == (
        None,
        "Sin comenzar",
        None,
    )


def test_each_unresolved_observation_links_to_its_place_on_the_form() -> None:
    first, second = make_observation(1), make_observation(2, ObservationState.ANSWERED)
    diagnostic, _ = progress_of(diagnostic=S.OBSERVED, observations=[first, second]).submissions
    assert diagnostic.observation_links() == [
        (
            first,
            Link("R01 · Responsable y equipo", "submissions.edit", form(anchor="observacion-1")),
        ),
        (
            second,
            Link("R02 · Responsable y equipo", "submissions.edit", form(anchor="observacion-2")),
        ),
    ]
    assert diagnostic.unanswered == 1


def test_the_plan_is_blocked_until_the_diagnostic_is_sent() -> None:
    for state in (None, S.DRAFT):
        _, plan = progress_of(diagnostic=state).submissions
        assert (plan.blocked, plan.blocked_note) == (True, BLOCKED)
    _, plan = progress_of(diagnostic=S.SUBMITTED).submissions
    assert (plan.blocked, plan.blocked_note) == (False, "")


# --- The steps -----------------------------------------------------------------------------


DONE, CURRENT, PENDING = StepState.DONE, StepState.CURRENT, StepState.PENDING


@pytest.mark.parametrize(
    ("diagnostic", "plan", "expected"),
    [
        (
            None,
            None,
            [
                Step("Diagnóstico", CURRENT, "Sin comenzar"),
                Step("Plan de mejora", PENDING, BLOCKED),
                Step("Revisión", PENDING, ""),
            ],
        ),
        (
            S.SUBMITTED,
            S.DRAFT,
            [
                Step("Diagnóstico", DONE, "Enviado, versión 1"),
                Step("Plan de mejora", CURRENT, "Borrador"),
                Step("Revisión", PENDING, "Esperando revisión"),
            ],
        ),
        (
            S.IN_REVIEW,
            S.SUBMITTED,
            [
                Step("Diagnóstico", DONE, "En revisión, versión 1"),
                Step("Plan de mejora", DONE, "Enviado, versión 1"),
                Step("Revisión", CURRENT, "En revisión"),
            ],
        ),
        (
            S.OBSERVED,
            S.IN_REVIEW,
            [
                Step("Diagnóstico", CURRENT, "Con observaciones, versión 1"),
                Step("Plan de mejora", DONE, "En revisión, versión 1"),
                Step("Revisión", PENDING, "Con observaciones"),
            ],
        ),
        (
            S.APPROVED,
            S.REJECTED,
            [
                Step("Diagnóstico", DONE, "Aprobado, versión 1"),
                Step("Plan de mejora", DONE, "Rechazado, versión 1"),
                Step("Revisión", DONE, "Rechazado"),
            ],
        ),
        (
            S.APPROVED,
            S.APPROVED,
            [
                Step("Diagnóstico", DONE, "Aprobado, versión 1"),
                Step("Plan de mejora", DONE, "Aprobado, versión 1"),
                Step("Revisión", DONE, "Aprobado"),
            ],
        ),
    ],
)
def test_steps(
    diagnostic: SubmissionState | None, plan: SubmissionState | None, expected: list[Step]
) -> None:
    assert list(progress_of(diagnostic=diagnostic, plan=plan).steps) == expected


# --- The next thing to do ------------------------------------------------------------------


def link(text: str, endpoint: str = "submissions.edit", **values: Any) -> Link:
    return Link(text, endpoint, values or form())


def cycle_values(slug: str, **more: Any) -> dict[str, Any]:
    return {"code": "1306", "year": 2027, "slug": slug, **more}


def test_missing_diagnostic_asks_to_complete_it() -> None:
    assert progress_of().next_step == NextStep(
        "Complete el diagnóstico de brechas: el plazo de envío vence el 12 de enero de 2027.",
        (link("Completar el diagnóstico de brechas"),),
    )


def test_draft_diagnostic_asks_to_send_it_before_its_deadline() -> None:
    assert progress_of(diagnostic=S.DRAFT).next_step == NextStep(
        "Envíe el diagnóstico de brechas antes del 12 de enero de 2027.",
        (link("Continuar el diagnóstico de brechas"),),
    )


def test_a_window_not_open_yet_asks_to_prepare() -> None:
    cycle = make_cycle(diagnostic_start=date(2027, 1, 5))
    assert progress_of(cycle, diagnostic=S.DRAFT).next_step == NextStep(
        "Prepare el diagnóstico de brechas: el plazo de envío es del 5 de enero de 2027 al "
        "12 de enero de 2027.",
        (link("Completar el diagnóstico de brechas"),),
    )


def test_a_window_closed_without_sending_says_so() -> None:
    step = progress_of(diagnostic=S.DRAFT, today=date(2027, 1, 13)).next_step
    assert step == NextStep(
        "El plazo para enviar el diagnóstico de brechas venció el 12 de enero de 2027."
    )


def test_the_plan_comes_once_the_diagnostic_is_sent() -> None:
    assert progress_of(diagnostic=S.SUBMITTED).next_step == NextStep(
        "Complete el plan de mejora: el plazo de envío vence el 20 de enero de 2027.",
        (link("Completar el plan de mejora", **form("plan")),),
    )


def test_observations_come_first_with_their_count_and_deadline() -> None:
    observations = [
        make_observation(1, ObservationState.ANSWERED),
        make_observation(2),
        make_observation(3),
    ]
    step = progress_of(diagnostic=S.OBSERVED, plan=S.DRAFT, observations=observations).next_step
    assert step == NextStep(
        "Responda 2 observaciones del diagnóstico de brechas antes del 15 de enero de 2027.",
        (
            link(
                "Responder las observaciones del diagnóstico de brechas",
                **form(anchor="observacion-2"),
            ),
        ),
    )


def test_one_observation_is_said_in_the_singular() -> None:
    step = progress_of(
        diagnostic=S.SUBMITTED, plan=S.OBSERVED, observations=[make_observation(4)]
    ).next_step
    assert (
        step.sentence == "Responda 1 observación del plan de mejora antes del 15 de enero de 2027."
    )
    assert step.links[0].values == form("plan", anchor="observacion-4")


def test_every_observation_answered_asks_to_correct_and_resend() -> None:
    answered = [make_observation(1, ObservationState.ANSWERED)]
    assert progress_of(diagnostic=S.OBSERVED, observations=answered).next_step == NextStep(
        "Corrija el diagnóstico de brechas y reenvíelo antes del 15 de enero de 2027.",
        (link("Revisar y reenviar el diagnóstico de brechas", "submissions.check", **form()),),
    )


def test_an_overdue_correction_says_it_can_no_longer_be_resent() -> None:
    observations = [make_observation(1)]
    step = progress_of(
        diagnostic=S.OBSERVED, observations=observations, today=date(2027, 1, 16)
    ).next_step
    assert step == NextStep(
        "El plazo para corregir el diagnóstico de brechas venció el 15 de enero de 2027: ya no "
        "se puede reenviar.",
        (link("Ver las observaciones del diagnóstico de brechas", **form(anchor="observacion-1")),),
    )


def test_sent_submissions_wait_for_the_review() -> None:
    step = progress_of(diagnostic=S.IN_REVIEW, plan=S.RESUBMITTED).next_step
    assert step == NextStep(
        "Espere la revisión del diagnóstico de brechas (enviado el 2 de enero de 2027) y del "
        "plan de mejora (enviado el 2 de enero de 2027).",
        (
            link(
                "Ver la versión 1 del diagnóstico de brechas",
                "submissions.version",
                **cycle_values("diagnostico", number=1),
            ),
            link(
                "Ver la versión 1 del plan de mejora",
                "submissions.version",
                **cycle_values("plan", number=1),
            ),
        ),
    )


def test_an_approved_diagnostic_still_asks_for_the_plan() -> None:
    assert progress_of(diagnostic=S.APPROVED).next_step.sentence.startswith(
        "Complete el plan de mejora"
    )


def test_a_rejection_points_to_the_history() -> None:
    assert progress_of(diagnostic=S.APPROVED, plan=S.REJECTED).next_step == NextStep(
        "El plan de mejora fue rechazado; el fundamento está en su historial.",
        (link("Historial del plan de mejora", "submissions.versions", **cycle_values("plan")),),
    )


def test_both_rejected_are_named_together() -> None:
    step = progress_of(diagnostic=S.REJECTED, plan=S.REJECTED).next_step
    assert step.sentence == (
        "El diagnóstico de brechas y el plan de mejora fueron rechazados; el fundamento está "
        "en su historial."
    )


def test_everything_approved_offers_the_pdfs() -> None:
    assert progress_of(diagnostic=S.APPROVED, plan=S.APPROVED).next_step == NextStep(
        "Todo aprobado: descargue los PDF.",
        (
            link(
                "PDF del diagnóstico de brechas (versión 1)",
                "submissions.version_pdf",
                **cycle_values("diagnostico", number=1),
            ),
            link(
                "PDF del plan de mejora (versión 1)",
                "submissions.version_pdf",
                **cycle_values("plan", number=1),
            ),
        ),
    )


# --- Without a cycle or an institution ----------------------------------------------------


def test_a_coordinator_without_institutions_is_told_to_ask_for_one() -> None:
    assert coordinator_notice(make_cycle(), []) == NO_INSTITUTION
    assert coordinator_notice(None, []) == NO_INSTITUTION


def test_without_a_current_cycle_there_is_nothing_to_send() -> None:
    assert coordinator_notice(None, [make_institution()]) == NO_CYCLE


def test_with_a_cycle_and_an_institution_there_is_no_notice() -> None:
    assert coordinator_notice(make_cycle(), [make_institution()]) is None
