"""Reminders of deadlines: who gets one, what it says, and that it goes out once."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask, g

from pmg.extensions import db
from pmg.notifications.operations import send_reminders
from tests.notifications.mail import BASE_URL, TODAY, outbox, recipients, reminder_world

FOOTER = (
    "--\n"
    "Mensaje automático del sistema PMG de Calidad de Servicio y Experiencia Usuaria.\n"
    "No responda este correo: para cualquier gestión ingrese al sistema.\n"
)


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    return reminder_world()


def test_coordinators_who_have_not_sent_and_those_with_observations_are_reminded(
    world: dict[str, Any],
) -> None:
    assert send_reminders(TODAY, 3) == 3
    ana, dora, fede = world["ana"], world["dora"], world["fede"]
    observed = world["observed"]
    assert [(mail.recipient, mail.dedupe_key) for mail in outbox()] == [
        ("ana@cnr.gob.cl", f"reminder:window:2026:diagnostic:1306:{ana.id}:2026-03-30"),
        ("dora@fonasa.gob.cl", f"reminder:window:2026:diagnostic:3101_61:{dora.id}:2026-03-30"),
        ("fede@obs.gob.cl", f"reminder:correction:{observed.id}:2026-03-28:{fede.id}"),
    ]


def test_running_twice_reminds_once(world: dict[str, Any]) -> None:
    assert send_reminders(TODAY, 3) == 3
    db.session.commit()
    assert send_reminders(TODAY, 3) == 0
    assert send_reminders(date(2026, 3, 28), 3) == 0
    assert len(outbox()) == 3


def test_a_moved_deadline_is_reminded_again(world: dict[str, Any]) -> None:
    send_reminders(TODAY, 3)
    world["cycle"].diagnostic_end = date(2026, 3, 29)
    assert send_reminders(TODAY, 3) == 2


def test_reminders_are_only_flushed(world: dict[str, Any]) -> None:
    send_reminders(TODAY, 3)
    db.session.rollback()
    assert outbox() == []


def test_deadlines_further_than_the_days_asked_are_not_reminded(world: dict[str, Any]) -> None:
    assert send_reminders(TODAY, 2) == 1
    assert recipients() == ["fede@obs.gob.cl"]


def test_a_window_that_has_not_opened_is_not_reminded(world: dict[str, Any]) -> None:
    """On 1 April the plan window ends within 30 days but opens only on the 6th."""
    assert send_reminders(date(2026, 4, 1), 30) == 1
    assert recipients() == ["lola@lejano.gob.cl"]
    assert outbox()[0].dedupe_key.startswith("reminder:correction:")


def test_an_open_plan_window_reminds_those_without_a_sent_plan(world: dict[str, Any]) -> None:
    """Everyone committed has no plan yet, except the institution whose plan is observed."""
    assert send_reminders(date(2026, 4, 28), 3) == 4
    assert recipients() == [
        "ana@cnr.gob.cl",
        "dora@fonasa.gob.cl",
        "eva@envio.gob.cl",
        "fede@obs.gob.cl",
    ]
    assert all(":plan:" in mail.dedupe_key for mail in outbox())


def test_without_a_current_cycle_only_corrections_are_reminded(world: dict[str, Any]) -> None:
    world["cycle"].is_current = False
    db.session.commit()
    g.pop("current_cycle", None)  # read once per request; this test is one "request"
    assert send_reminders(TODAY, 3) == 1
    assert recipients() == ["fede@obs.gob.cl"]


def test_window_reminder_says_what_closes_when_and_what_to_do(world: dict[str, Any]) -> None:
    send_reminders(TODAY, 3)
    mail = outbox()[0]
    assert mail.subject == (
        "[PMG CSEU] Recordatorio: el plazo de envío del diagnóstico de brechas cierra el "
        "30-03-2026 · 1306 COMISION NACIONAL DE RIEGO"
    )
    assert mail.body == (
        "Estimado/a Ana Pérez:\n\n"
        "El plazo para enviar el diagnóstico de brechas del ciclo 2026 de COMISION NACIONAL DE "
        "RIEGO (código 1306) termina el 30-03-2026 (en 3 días). Según el sistema, aún no ha "
        "sido enviado.\n\n"
        "Complete el formulario, revise los avisos y envíelo antes de esa fecha en la página "
        f"{BASE_URL}/instituciones/1306/diagnostico\n\n" + FOOTER
    )


def test_correction_reminder_says_what_closes_when_and_what_to_do(world: dict[str, Any]) -> None:
    send_reminders(TODAY, 3)
    mail = outbox()[2]
    assert mail.subject == (
        "[PMG CSEU] Recordatorio: corrección de observaciones hasta el 28-03-2026 · "
        "6000 SERVICIO OBSERVADO"
    )
    assert mail.body == (
        "Estimado/a Fede Ruiz:\n\n"
        "El plazo para corregir el diagnóstico de brechas del ciclo 2026 de SERVICIO OBSERVADO "
        "(código 6000) vence el 28-03-2026 (mañana).\n\n"
        "Responda cada observación, corrija lo que corresponda y vuelva a enviar antes de esa "
        "fecha.\n\n"
        f"Puede verlo en el sistema, en la página {BASE_URL}/instituciones/6000/2026/diagnostico/"
        "\n\n" + FOOTER
    )


def test_a_deadline_today_says_so(world: dict[str, Any]) -> None:
    assert send_reminders(date(2026, 3, 30), 0) == 2
    assert "termina el 30-03-2026 (hoy)." in outbox()[0].body


def test_an_extended_correction_window_reminds_of_the_later_date(world: dict[str, Any]) -> None:
    world["cycle"].correction_end = date(2026, 4, 10)
    send_reminders(TODAY, 3)  # the observed submission's 28 March is now 10 April
    assert "fede@obs.gob.cl" not in recipients()
    send_reminders(date(2026, 4, 8), 3)
    [mail] = [m for m in outbox() if m.recipient == "fede@obs.gob.cl"]
    assert "10-04-2026" in mail.body
