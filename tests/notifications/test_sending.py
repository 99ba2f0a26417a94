"""Sending the outbox through SMTP: what goes out, what a failure leaves, the embedded setup."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from pmg.extensions import db
from pmg.notifications import operations
from pmg.notifications.operations import MAX_ATTEMPTS, SendReport, queue_mail, send_pending
from tests.notifications.mail import SMTP_CONFIG, FakeSMTP, outbox


@pytest.fixture
def app_config() -> dict[str, Any]:
    return dict(SMTP_CONFIG)


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> FakeSMTP:
    fake = FakeSMTP()
    monkeypatch.setattr(operations.smtplib, "SMTP", fake)
    return fake


def _queue(*recipients: str) -> None:
    for number, recipient in enumerate(recipients, start=1):
        queue_mail(recipient, f"Asunto {number} · envío", f"Cuerpo {number}: observación ñandú.")
    db.session.commit()


def test_pending_mail_is_sent_and_marked(app: Flask, smtp: FakeSMTP) -> None:
    _queue("ana@cnr.gob.cl", "beto@cnr.gob.cl")
    report = send_pending()
    assert report == SendReport(embedded=False, sent=2, failed=0, pending=0, given_up=0)
    assert str(report) == "Correos enviados: 2, pendientes: 0."
    assert smtp.connections == [("smtp.modernizacion.gob.cl", 2525, 10)]
    assert smtp.calls == ["starttls", "login pmg clave-smtp", "quit"]
    assert [(m["From"], m["To"], m["Subject"]) for m in smtp.sent] == [
        ("pmg-cseu@modernizacion.gob.cl", "ana@cnr.gob.cl", "Asunto 1 · envío"),
        ("pmg-cseu@modernizacion.gob.cl", "beto@cnr.gob.cl", "Asunto 2 · envío"),
    ]
    first = smtp.sent[0]
    assert first.get_content() == "Cuerpo 1: observación ñandú.\n"
    assert first.get_content_charset() == "utf-8"
    assert first["Auto-Submitted"] == "auto-generated"
    db.session.expire_all()
    assert all(mail.sent_at is not None and mail.attempts == 0 for mail in outbox())


def test_sent_mail_is_not_sent_again(app: Flask, smtp: FakeSMTP) -> None:
    _queue("ana@cnr.gob.cl")
    send_pending()
    assert send_pending() == SendReport(embedded=False)
    assert len(smtp.sent) == 1


def test_no_tls_and_no_login_when_not_configured(app: Flask, smtp: FakeSMTP) -> None:
    app.config.update(MAIL_USE_TLS=False, MAIL_USERNAME="")
    _queue("ana@cnr.gob.cl")
    send_pending()
    assert smtp.calls == ["quit"]
    assert len(smtp.sent) == 1


def test_a_failure_is_kept_and_the_rest_is_sent(app: Flask, smtp: FakeSMTP) -> None:
    smtp.refused = {"beto@cnr.gob.cl"}
    _queue("ana@cnr.gob.cl", "beto@cnr.gob.cl", "cata@cnr.gob.cl")
    report = send_pending()
    assert report == SendReport(embedded=False, sent=2, failed=1, pending=1)
    assert str(report) == (
        "Correos enviados: 2, pendientes: 1. Fallaron en este intento: 1 (se reintentarán)."
    )
    assert [m["To"] for m in smtp.sent] == ["ana@cnr.gob.cl", "cata@cnr.gob.cl"]
    db.session.expire_all()
    failed = next(mail for mail in outbox() if mail.recipient == "beto@cnr.gob.cl")
    assert (failed.sent_at, failed.attempts) == (None, 1)
    assert "Buzon inexistente" in failed.last_error
    # The connection dropped after the failure is opened again for the next message.
    assert len(smtp.connections) == 2


def test_a_failed_mail_is_retried_next_time(app: Flask, smtp: FakeSMTP) -> None:
    smtp.refused = {"beto@cnr.gob.cl"}
    _queue("beto@cnr.gob.cl")
    send_pending()
    smtp.refused = set()
    assert send_pending() == SendReport(embedded=False, sent=1)
    db.session.expire_all()
    mail = outbox()[0]
    assert (mail.attempts, mail.last_error) == (1, "")
    assert mail.sent_at is not None


def test_least_tried_mail_goes_first(app: Flask, smtp: FakeSMTP) -> None:
    _queue("ana@cnr.gob.cl", "beto@cnr.gob.cl")
    outbox()[0].attempts = 3
    db.session.commit()
    send_pending(limit=1)
    assert [m["To"] for m in smtp.sent] == ["beto@cnr.gob.cl"]


def test_a_server_that_cannot_be_reached_fails_every_mail_without_raising(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(host: str, port: int, timeout: float) -> None:
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(operations.smtplib, "SMTP", unreachable)
    _queue("ana@cnr.gob.cl", "beto@cnr.gob.cl")
    assert send_pending() == SendReport(embedded=False, failed=2, pending=2)
    db.session.expire_all()
    assert [(m.attempts, m.last_error) for m in outbox()] == [
        (1, "[Errno 111] Connection refused"),
        (1, "[Errno 111] Connection refused"),
    ]


def test_a_long_error_is_cut(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(host: str, port: int, timeout: float) -> None:
        raise OSError("x" * 2000)

    monkeypatch.setattr(operations.smtplib, "SMTP", failing)
    _queue("ana@cnr.gob.cl")
    send_pending()
    db.session.expire_all()
    assert outbox()[0].last_error == "x" * 500


def test_mail_is_given_up_after_the_last_attempt(app: Flask, smtp: FakeSMTP) -> None:
    _queue("ana@cnr.gob.cl", "beto@cnr.gob.cl")
    outbox()[0].attempts = MAX_ATTEMPTS
    db.session.commit()
    report = send_pending()
    assert report == SendReport(embedded=False, sent=1, given_up=1)
    assert str(report) == (
        "Correos enviados: 1, pendientes: 0. Sin enviar tras 10 intentos, ya no se "
        "reintentan: 1 (revíselos en la bandeja de salida)."
    )
    assert [m["To"] for m in smtp.sent] == ["beto@cnr.gob.cl"]


def test_embedded_setup_sends_nothing(app: Flask, smtp: FakeSMTP) -> None:
    app.config["MAIL_SERVER"] = ""
    _queue("ana@cnr.gob.cl")
    report = send_pending()
    assert report == SendReport(embedded=True, pending=1)
    assert str(report) == (
        "Correos enviados: 0, pendientes: 1. El envío de correo no está configurado en esta "
        "instalación (PMG_MAIL_SERVER vacío): los correos quedan visibles en la bandeja de salida."
    )
    assert (smtp.connections, smtp.sent) == ([], [])
    mail = outbox()[0]
    assert (mail.sent_at, mail.attempts) == (None, 0)
