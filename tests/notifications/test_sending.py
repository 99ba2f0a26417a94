"""Sending the outbox through SMTP: what goes out, one claimed mail at a time; what a refused
message and a failed server leave; the embedded setup."""

from __future__ import annotations

import re
import smtplib
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update
from sqlalchemy.dialects import postgresql

from pmg.core.models import utcnow
from pmg.extensions import db
from pmg.notifications import operations
from pmg.notifications.models import OutgoingMail
from pmg.notifications.operations import MAX_ATTEMPTS, SendReport, queue_mail, send_pending
from pmg.notifications.queries import claim_next_mail, next_mail_query
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


SERVER_STOPPED = (
    "Correos enviados: {sent}, pendientes: {pending}. Fallaron en este intento: 1 (se "
    "reintentarán). El servidor de correo no respondió: se reintentará en la próxima ejecución."
)


def _raise(error: Exception) -> Callable[[str, int, float], None]:
    def connect(host: str, port: int, timeout: float) -> None:
        raise error

    return connect


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connection refused"),
        TimeoutError("timed out"),
        OSError(101, "Network is unreachable"),
        smtplib.SMTPConnectError(554, b"Servicio no disponible"),
    ],
    ids=["refused", "timeout", "network", "greeting"],
)
def test_a_server_that_cannot_be_reached_charges_one_mail_and_stops(
    app: Flask, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    monkeypatch.setattr(operations.smtplib, "SMTP", _raise(error))
    _queue("ana@cnr.gob.cl", "beto@cnr.gob.cl", "cata@cnr.gob.cl")
    report = send_pending()
    assert report == SendReport(embedded=False, failed=1, pending=3, server_failed=True)
    assert str(report) == SERVER_STOPPED.format(sent=0, pending=3)
    db.session.expire_all()
    assert [(m.attempts, m.last_error != "") for m in outbox()] == [
        (1, True),
        (0, False),
        (0, False),
    ]
    assert outbox()[0].last_error == str(error)


def test_a_refused_login_is_a_server_failure(app: Flask, smtp: FakeSMTP) -> None:
    smtp.login_error = smtplib.SMTPAuthenticationError(535, b"5.7.8 Authentication failed")
    _queue("ana@cnr.gob.cl", "beto@cnr.gob.cl")
    assert send_pending() == SendReport(embedded=False, failed=1, pending=2, server_failed=True)
    assert (smtp.tried, smtp.calls) == ([], ["starttls", "login pmg clave-smtp", "close"])
    db.session.expire_all()
    assert [m.attempts for m in outbox()] == [1, 0]
    assert "Authentication failed" in outbox()[0].last_error


@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
        TimeoutError("timed out"),
        smtplib.SMTPRecipientsRefused({"beto@cnr.gob.cl": (421, b"Service shutting down")}),
        smtplib.SMTPDataError(421, b"Service not available, closing channel"),
        smtplib.SMTPResponseException(451, b"Unexpected"),
    ],
    ids=["disconnected", "timeout", "421-recipient", "421-data", "other"],
)
def test_a_server_failure_in_the_middle_stops_the_run(
    app: Flask, smtp: FakeSMTP, error: Exception
) -> None:
    smtp.errors = {"beto@cnr.gob.cl": error}
    _queue("ana@cnr.gob.cl", "beto@cnr.gob.cl", "cata@cnr.gob.cl", "dani@cnr.gob.cl")
    report = send_pending()
    assert report == SendReport(embedded=False, sent=1, failed=1, pending=3, server_failed=True)
    assert str(report) == SERVER_STOPPED.format(sent=1, pending=3)
    assert smtp.tried == ["ana@cnr.gob.cl", "beto@cnr.gob.cl"]
    db.session.expire_all()
    assert [(m.recipient, m.sent_at is not None, m.attempts) for m in outbox()] == [
        ("ana@cnr.gob.cl", True, 0),
        ("beto@cnr.gob.cl", False, 1),
        ("cata@cnr.gob.cl", False, 0),
        ("dani@cnr.gob.cl", False, 0),
    ]
    # The next run, with the server back, sends the rest: the charged mail last.
    smtp.errors = {}
    assert send_pending() == SendReport(embedded=False, sent=3)
    assert smtp.tried[2:] == ["cata@cnr.gob.cl", "dani@cnr.gob.cl", "beto@cnr.gob.cl"]


@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPRecipientsRefused({"beto@cnr.gob.cl": (550, b"Buzon inexistente")}),
        smtplib.SMTPSenderRefused(553, b"Remitente no permitido", "pmg-cseu@modernizacion.gob.cl"),
        smtplib.SMTPDataError(554, b"Mensaje rechazado por contenido"),
        smtplib.SMTPNotSupportedError("SMTPUTF8 not supported"),
    ],
    ids=["recipient", "sender", "data", "smtputf8"],
)
def test_a_refusal_of_one_message_charges_it_and_goes_on(
    app: Flask, smtp: FakeSMTP, error: Exception
) -> None:
    smtp.errors = {"beto@cnr.gob.cl": error}
    _queue("ana@cnr.gob.cl", "beto@cnr.gob.cl", "cata@cnr.gob.cl")
    report = send_pending()
    assert report == SendReport(embedded=False, sent=2, failed=1, pending=1)
    assert "servidor de correo no respondió" not in str(report)
    assert smtp.tried == ["ana@cnr.gob.cl", "beto@cnr.gob.cl", "cata@cnr.gob.cl"]
    db.session.expire_all()
    assert [(m.sent_at is not None, m.attempts) for m in outbox()] == [
        (True, 0),
        (False, 1),
        (True, 0),
    ]


def test_a_refused_mail_is_tried_once_per_run(app: Flask, smtp: FakeSMTP) -> None:
    smtp.refused = {"beto@cnr.gob.cl"}
    _queue("beto@cnr.gob.cl", "ana@cnr.gob.cl")
    assert send_pending(limit=5) == SendReport(embedded=False, sent=1, failed=1, pending=1)
    assert smtp.tried == ["beto@cnr.gob.cl", "ana@cnr.gob.cl"]
    db.session.expire_all()
    assert outbox()[0].attempts == 1


def test_the_limit_counts_mail_tried_not_mail_sent(app: Flask, smtp: FakeSMTP) -> None:
    smtp.refused = {"ana@cnr.gob.cl"}
    _queue("ana@cnr.gob.cl", "beto@cnr.gob.cl", "cata@cnr.gob.cl")
    assert send_pending(limit=2) == SendReport(embedded=False, sent=1, failed=1, pending=2)
    assert smtp.tried == ["ana@cnr.gob.cl", "beto@cnr.gob.cl"]


def test_mail_sent_by_another_run_meanwhile_is_not_sent_again(app: Flask, smtp: FakeSMTP) -> None:
    """Mail is claimed one at a time: what another run sent while this one was busy with a
    message is not picked up afterwards (a list read at the start would send it twice)."""
    _queue("ana@cnr.gob.cl", "beto@cnr.gob.cl", "cata@cnr.gob.cl")

    def other_run_sends_beto(message: EmailMessage) -> None:
        if message["To"] == "ana@cnr.gob.cl":
            with db.engine.begin() as other:
                other.execute(
                    update(OutgoingMail)
                    .where(OutgoingMail.recipient == "beto@cnr.gob.cl")
                    .values(sent_at=utcnow())
                )

    smtp.before_send = other_run_sends_beto
    assert send_pending() == SendReport(embedded=False, sent=2)
    assert smtp.tried == ["ana@cnr.gob.cl", "cata@cnr.gob.cl"]


def test_the_next_mail_is_claimed_with_for_update_skip_locked(app: Flask) -> None:
    """On PostgreSQL a run locks the row it is sending and a concurrent run skips it."""
    sql = str(
        next_mail_query({3, 7}).compile(
            dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
        )
    )
    assert sql.endswith("LIMIT 1 FOR UPDATE SKIP LOCKED")
    assert "outgoing_mail.sent_at IS NULL" in sql
    assert "outgoing_mail.attempts < 10" in sql
    assert re.search(r"outgoing_mail\.id NOT IN \((3, 7|7, 3)\)", sql)
    assert "ORDER BY outgoing_mail.attempts, outgoing_mail.id" in sql


def test_nothing_left_to_claim_once_every_mail_was_tried(app: Flask) -> None:
    _queue("ana@cnr.gob.cl", "beto@cnr.gob.cl")
    first, second = (mail.id for mail in outbox())
    assert claim_next_mail() is not None
    assert claim_next_mail({first}).id == second  # type: ignore[union-attr]
    assert claim_next_mail({first, second}) is None
    db.session.rollback()


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
