"""``flask pmg send-reminders`` and ``flask pmg send-mail``, as cron runs them."""

from __future__ import annotations

import smtplib
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from pmg.extensions import db
from pmg.notifications import operations
from pmg.notifications.operations import queue_mail
from tests.notifications.mail import SMTP_CONFIG, TODAY, FakeSMTP, outbox, reminder_world

EMBEDDED = (
    " El envío de correo no está configurado en esta instalación (PMG_MAIL_SERVER vacío): "
    "los correos quedan visibles en la bandeja de salida.\n"
)


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {**SMTP_CONFIG, "MAIL_SERVER": ""}


@pytest.fixture
def world(app: Flask, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr("pmg.notifications.cli.chile_today", lambda: TODAY)
    return reminder_world()


@pytest.fixture
def smtp(app: Flask, monkeypatch: pytest.MonkeyPatch) -> FakeSMTP:
    app.config["MAIL_SERVER"] = SMTP_CONFIG["MAIL_SERVER"]
    fake = FakeSMTP()
    monkeypatch.setattr(operations.smtplib, "SMTP", fake)
    return fake


def test_send_reminders_queues_commits_and_sends(
    runner: FlaskCliRunner, world: dict[str, Any], smtp: FakeSMTP
) -> None:
    result = runner.invoke(args=["pmg", "send-reminders"])
    assert result.exit_code == 0, result.output
    assert result.output == "Recordatorios nuevos: 3. Correos enviados: 3, pendientes: 0.\n"
    assert sorted(message["To"] for message in smtp.sent) == [
        "ana@cnr.gob.cl",
        "dora@fonasa.gob.cl",
        "fede@obs.gob.cl",
    ]
    db.session.rollback()
    assert len(outbox()) == 3


def test_send_reminders_twice_reminds_once(
    runner: FlaskCliRunner, world: dict[str, Any], smtp: FakeSMTP
) -> None:
    runner.invoke(args=["pmg", "send-reminders"])
    result = runner.invoke(args=["pmg", "send-reminders"])
    assert result.output == "Recordatorios nuevos: 0. Correos enviados: 0, pendientes: 0.\n"
    assert len(smtp.sent) == 3


def test_send_reminders_takes_the_days_ahead(runner: FlaskCliRunner, world: dict[str, Any]) -> None:
    result = runner.invoke(args=["pmg", "send-reminders", "--days", "1"])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Recordatorios nuevos: 1. Correos enviados: 0, pendientes: 1." + EMBEDDED
    )
    db.session.rollback()
    assert [mail.recipient for mail in outbox()] == ["fede@obs.gob.cl"]


def test_send_reminders_refuses_negative_days(runner: FlaskCliRunner, app: Flask) -> None:
    result = runner.invoke(args=["pmg", "send-reminders", "--days", "-1"])
    assert result.exit_code == 2


def test_send_mail_retries_pending_mail(runner: FlaskCliRunner, app: Flask, smtp: FakeSMTP) -> None:
    smtp.refused = {"beto@cnr.gob.cl"}
    queue_mail("ana@cnr.gob.cl", "Asunto", "Cuerpo")
    queue_mail("beto@cnr.gob.cl", "Asunto", "Cuerpo")
    db.session.commit()
    result = runner.invoke(args=["pmg", "send-mail"])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Correos enviados: 1, pendientes: 1. Fallaron en este intento: 1 (se reintentarán).\n"
    )
    smtp.refused = set()
    result = runner.invoke(args=["pmg", "send-mail"])
    assert result.output == "Correos enviados: 1, pendientes: 0.\n"


def test_send_mail_in_the_embedded_setup_sends_nothing(runner: FlaskCliRunner, app: Flask) -> None:
    queue_mail("ana@cnr.gob.cl", "Asunto", "Cuerpo")
    db.session.commit()
    result = runner.invoke(args=["pmg", "send-mail"])
    assert result.exit_code == 0, result.output
    assert result.output == "Correos enviados: 0, pendientes: 1." + EMBEDDED


def test_send_mail_stops_when_the_server_fails(
    runner: FlaskCliRunner, app: Flask, smtp: FakeSMTP
) -> None:
    smtp.errors = {"beto@cnr.gob.cl": smtplib.SMTPServerDisconnected("Connection closed")}
    for recipient in ("ana@cnr.gob.cl", "beto@cnr.gob.cl", "cata@cnr.gob.cl"):
        queue_mail(recipient, "Asunto", "Cuerpo")
    db.session.commit()
    result = runner.invoke(args=["pmg", "send-mail"])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Correos enviados: 1, pendientes: 2. Fallaron en este intento: 1 (se reintentarán). "
        "El servidor de correo no respondió: se reintentará en la próxima ejecución.\n"
    )
    assert smtp.tried == ["ana@cnr.gob.cl", "beto@cnr.gob.cl"]
    db.session.rollback()
    assert [mail.attempts for mail in outbox()] == [0, 1, 0]
