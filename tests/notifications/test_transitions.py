"""Queuing mail, and who hears of each change of state and what they read."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.exc import IntegrityError

from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.notifications.models import OutgoingMail
from pmg.notifications.operations import notify_transition, queue_mail
from pmg.submissions.models import SubmissionKind, SubmissionState
from tests.factories import create_cycle, create_institution
from tests.notifications.mail import BASE_URL, create_submission, outbox, person, recipients

FOOTER = (
    "--\n"
    "Mensaje automático del sistema PMG de Calidad de Servicio y Experiencia Usuaria.\n"
    "No responda este correo: para cualquier gestión ingrese al sistema.\n"
)


# --- queue_mail ------------------------------------------------------------------------------


def test_queue_mail_adds_an_unsent_row_without_committing(app: Flask) -> None:
    mail = queue_mail("ana@cnr.gob.cl", "Asunto", "Cuerpo")
    assert mail is not None and mail.id is not None
    assert (mail.recipient, mail.subject, mail.body) == ("ana@cnr.gob.cl", "Asunto", "Cuerpo")
    assert (mail.sent_at, mail.attempts, mail.last_error, mail.dedupe_key) == (None, 0, "", None)
    db.session.rollback()
    assert outbox() == []


def test_queue_mail_with_a_known_dedupe_key_adds_nothing(app: Flask) -> None:
    first = queue_mail("ana@cnr.gob.cl", "Uno", "Cuerpo", dedupe_key="clave")
    assert first is not None
    db.session.commit()
    assert queue_mail("ana@cnr.gob.cl", "Dos", "Cuerpo", dedupe_key="clave") is None
    assert queue_mail("beto@cnr.gob.cl", "Tres", "Cuerpo", dedupe_key="otra") is not None
    db.session.commit()
    assert [(mail.subject, mail.dedupe_key) for mail in outbox()] == [
        ("Uno", "clave"),
        ("Tres", "otra"),
    ]


def test_mail_without_dedupe_key_may_repeat(app: Flask) -> None:
    queue_mail("ana@cnr.gob.cl", "Asunto", "Cuerpo")
    queue_mail("ana@cnr.gob.cl", "Asunto", "Cuerpo")
    assert len(outbox()) == 2


def test_database_refuses_a_duplicate_dedupe_key(app: Flask) -> None:
    db.session.add(OutgoingMail(recipient="a@b.cl", subject="s", body="b", dedupe_key="k"))
    db.session.add(OutgoingMail(recipient="a@b.cl", subject="s", body="b", dedupe_key="k"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_long_subject_is_cut_to_fit(app: Flask) -> None:
    mail = queue_mail("ana@cnr.gob.cl", "x" * 250, "Cuerpo")
    assert mail is not None
    assert mail.subject == "x" * 199 + "…"


# --- notify_transition: who ------------------------------------------------------------------


@pytest.fixture
def people(app: Flask) -> dict[str, Any]:
    riego = create_institution("1306", "COMISION NACIONAL DE RIEGO")
    other = create_institution("3101_61", "FONDO NACIONAL DE SALUD")
    cycle = create_cycle(2026)
    found = {
        "cycle": cycle,
        "riego": riego,
        "rosa": person(Role.REVIEWER, "Rosa Rojas", "rosa@modernizacion.gob.cl"),
        "raul": person(Role.REVIEWER, "Raúl Ríos", "raul@modernizacion.gob.cl"),
        "rita": person(Role.REVIEWER, "Rita", "rita@modernizacion.gob.cl", active=False),
        "ana": person(Role.COORDINATOR, "Ana Pérez", "ana@cnr.gob.cl", institutions=[riego]),
        "beto": person(
            Role.COORDINATOR, "Beto Soto", "beto@cnr.gob.cl", institutions=[riego, other]
        ),
        "cata": person(
            Role.COORDINATOR, "Cata", "cata@cnr.gob.cl", institutions=[riego], active=False
        ),
        "dora": person(Role.COORDINATOR, "Dora", "dora@fonasa.gob.cl", institutions=[other]),
        "admin": person(Role.ADMIN, "Alma Admin", "alma@modernizacion.gob.cl"),
        "dipres": person(Role.DIPRES, "Dino", "dino@dipres.gob.cl"),
    }
    found["submission"] = create_submission(riego, cycle)
    return found


REVIEWERS = ["raul@modernizacion.gob.cl", "rosa@modernizacion.gob.cl"]
COORDINATORS = ["ana@cnr.gob.cl", "beto@cnr.gob.cl"]


@pytest.mark.parametrize(
    ("action", "actor", "assigned", "expected"),
    [
        ("submit", "ana", None, REVIEWERS),
        ("submit", "ana", "rosa", REVIEWERS),
        ("resubmit", "ana", None, REVIEWERS),
        ("resubmit", "ana", "raul", []),  # it goes back to Raúl: the return tells him
        ("resubmit", "ana", "rita", REVIEWERS),  # Rita left: it waits in the queue
        ("resubmit", "ana", "admin", REVIEWERS),  # no longer a reviewer: it waits too
        ("return", "ana", "raul", ["raul@modernizacion.gob.cl"]),
        ("take", "rosa", "rosa", []),
        ("assign", "admin", "raul", ["raul@modernizacion.gob.cl"]),
        ("assign", "admin", None, []),
        ("assign", "rosa", "rosa", []),  # nobody hears of their own action
        ("observe", "rosa", "rosa", COORDINATORS),
        ("approve", "rosa", "rosa", COORDINATORS),
        ("reject", "rosa", "rosa", COORDINATORS),
    ],
)
def test_transition_mail_goes_to_the_people_concerned(
    people: dict[str, Any], action: str, actor: str, assigned: str | None, expected: list[str]
) -> None:
    submission = people["submission"]
    submission.reviewer = people[assigned] if assigned else None
    queued = notify_transition(submission, action, people[actor], "Nota.")
    assert sorted(mail.recipient for mail in queued) == expected
    assert recipients() == expected


def test_a_system_change_has_no_actor(people: dict[str, Any]) -> None:
    notify_transition(people["submission"], "approve", None)
    assert recipients() == COORDINATORS


def test_unknown_action_is_a_programming_error(people: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="archive"):
        notify_transition(people["submission"], "archive", people["ana"])


def test_transition_mail_is_only_flushed(people: dict[str, Any]) -> None:
    notify_transition(people["submission"], "submit", people["ana"])
    db.session.rollback()
    assert outbox() == []


# --- notify_transition: what -----------------------------------------------------------------


def test_observed_mail_gives_the_note_the_deadline_and_what_to_do(people: dict[str, Any]) -> None:
    submission = people["submission"]
    submission.state = SubmissionState.OBSERVED
    submission.correction_due = submission.cycle.correction_end = date(2026, 4, 7)
    note = "R01: falta el equipo de trabajo.\nR06: priorice las brechas."
    notify_transition(submission, "observe", people["rosa"], note)
    mail = next(mail for mail in outbox() if mail.recipient == "ana@cnr.gob.cl")
    assert mail.subject == (
        "[PMG CSEU] Envío con observaciones: Diagnóstico de brechas 2026 · "
        "1306 COMISION NACIONAL DE RIEGO"
    )
    assert mail.body == (
        "Estimado/a Ana Pérez:\n\n"
        "La revisión del diagnóstico de brechas del ciclo 2026 de COMISION NACIONAL DE RIEGO "
        "(código 1306) dejó observaciones: véalas en el formulario, cada una junto al requisito "
        "y la sección que corresponde.\n\n"
        "Estado actual: «Con observaciones».\n\n"
        "Fundamento de la revisión:\n"
        "R01: falta el equipo de trabajo.\nR06: priorice las brechas.\n\n"
        "Plazo para corregir: hasta el 07-04-2026. Responda cada observación, corrija lo que "
        "corresponda y vuelva a enviar antes de esa fecha.\n\n"
        f"El formulario está en el sistema, en la página {BASE_URL}/instituciones/1306/diagnostico"
        "\n\n"
        + FOOTER
    )


def test_observed_mail_without_a_date_points_to_the_correction_window(
    people: dict[str, Any],
) -> None:
    submission = people["submission"]
    submission.state = SubmissionState.OBSERVED
    notify_transition(submission, "observe", people["rosa"], "Corrija.")
    assert "dentro del plazo de corrección del ciclo" in outbox()[0].body


def test_a_resubmission_back_with_its_reviewer_tells_them_once(people: dict[str, Any]) -> None:
    """The resubmission and its return, as the workflow announces them: one mail, to the
    reviewer it went back to, saying it is theirs again and in review."""
    submission = people["submission"]
    submission.reviewer = people["rosa"]
    submission.state = SubmissionState.RESUBMITTED
    notify_transition(submission, "resubmit", people["ana"])
    submission.state = SubmissionState.IN_REVIEW
    notify_transition(submission, "return", people["ana"], "Volvió automáticamente a Rosa Rojas.")
    [mail] = outbox()
    assert (mail.recipient, mail.subject) == (
        "rosa@modernizacion.gob.cl",
        "[PMG CSEU] Envío corregido: vuelve a usted: Diagnóstico de brechas 2026 · "
        "1306 COMISION NACIONAL DE RIEGO",
    )
    assert mail.body == (
        "Estimado/a Rosa Rojas:\n\n"
        "Ana Pérez reenvió corregido el diagnóstico de brechas del ciclo 2026 de COMISION "
        "NACIONAL DE RIEGO (código 1306), con las respuestas a las observaciones.\n\n"
        "Vuelve a usted, que revisó la versión anterior: su revisión ya está abierta.\n\n"
        "Estado actual: «En revisión».\n\n"
        f"Puede verlo en el sistema, en la página {BASE_URL}/instituciones/1306/2026/diagnostico/"
        "\n\n" + FOOTER
    )


def test_a_resubmission_nobody_has_is_announced_to_every_reviewer(
    people: dict[str, Any],
) -> None:
    submission = people["submission"]
    submission.state = SubmissionState.RESUBMITTED
    notify_transition(submission, "resubmit", people["ana"])
    mail = next(mail for mail in outbox() if mail.recipient == "rosa@modernizacion.gob.cl")
    assert mail.subject.startswith("[PMG CSEU] Envío corregido para revisión: Diagnóstico")
    assert "Se volvió a enviar el diagnóstico" in mail.body and "«Reenviado»" in mail.body


def test_submitted_plan_mail_names_the_plan_and_its_page(people: dict[str, Any]) -> None:
    submission = create_submission(people["riego"], people["cycle"], SubmissionKind.PLAN)
    notify_transition(submission, "submit", people["ana"])
    mail = next(mail for mail in outbox() if mail.recipient == "rosa@modernizacion.gob.cl")
    assert mail.subject == (
        "[PMG CSEU] Nuevo envío para revisión: Plan de mejora 2026 · "
        "1306 COMISION NACIONAL DE RIEGO"
    )
    assert mail.body == (
        "Estimado/a Rosa Rojas:\n\n"
        "Se envió el plan de mejora del ciclo 2026 de COMISION NACIONAL DE RIEGO (código 1306) "
        "para su revisión.\n\n"
        "Estado actual: «Enviado».\n\n"
        f"Puede verlo en el sistema, en la página {BASE_URL}/instituciones/1306/2026/plan/\n\n"
        + FOOTER
    )


@pytest.mark.parametrize(
    ("action", "state", "subject", "sentences"),
    [
        (
            "return",
            SubmissionState.IN_REVIEW,
            "Envío corregido: vuelve a usted",
            ["Alma Admin reenvió corregido el diagnóstico", "Vuelve a usted", "«En revisión»"],
        ),
        (
            "assign",
            SubmissionState.IN_REVIEW,
            "Revisión asignada",
            ["Alma Admin le asignó la revisión del diagnóstico", "«En revisión»"],
        ),
        (
            "approve",
            SubmissionState.APPROVED,
            "Envío aprobado",
            ["cumple los requisitos técnicos", "«Aprobado»", "Comentario de la revisión:\nNota."],
        ),
        (
            "reject",
            SubmissionState.REJECTED,
            "Envío rechazado",
            ["no cumple los requisitos técnicos", "«Rechazado»", "Motivo del rechazo:\nNota."],
        ),
    ],
)
def test_each_change_says_what_happened(
    people: dict[str, Any],
    action: str,
    state: SubmissionState,
    subject: str,
    sentences: list[str],
) -> None:
    submission = people["submission"]
    submission.state = state
    submission.reviewer = people["raul"]
    notify_transition(submission, action, people["admin"], "  Nota.  ")
    mail = outbox()[0]
    assert mail.subject.startswith(f"[PMG CSEU] {subject}: Diagnóstico de brechas 2026 · 1306 ")
    for sentence in sentences:
        assert sentence in mail.body
    assert "/instituciones/1306/2026/diagnostico/" in mail.body


def test_mail_carries_names_but_no_other_personal_data(people: dict[str, Any]) -> None:
    submission = people["submission"]
    submission.reviewer = people["raul"]
    for action in ("submit", "assign", "return", "observe", "approve", "reject"):
        notify_transition(submission, action, people["admin"], "Nota.")
    for mail in outbox():
        text = mail.subject + mail.body
        assert "@" not in text


def test_links_use_the_base_url_configured(app) -> None:  # type: ignore[no-untyped-def]
    from pmg.notifications.messages import submission_path
    from pmg.submissions.models import Submission, SubmissionKind
    from tests.factories import create_cycle, create_institution

    submission = Submission(
        institution=create_institution("1306"), cycle=create_cycle(2026), kind=SubmissionKind.PLAN
    )
    app.config["PUBLIC_BASE_URL"] = "https://otra.ejemplo.gob.cl/pmg"
    assert submission_path(submission) == "https://otra.ejemplo.gob.cl/pmg/instituciones/1306/2026/plan/"


def test_observed_mail_links_to_the_form_under_the_base_url(
    app: Flask, people: dict[str, Any]
) -> None:
    """The coordinator answers and corrects in the form, not on the versions page."""
    submission = create_submission(people["riego"], people["cycle"], SubmissionKind.PLAN)
    submission.state = SubmissionState.OBSERVED
    notify_transition(submission, "observe", people["rosa"], "Corrija.")
    body = outbox()[0].body
    assert "en la página https://pmg.ejemplo.gob.cl/instituciones/1306/plan\n" in body
    assert "/2026/plan/" not in body
