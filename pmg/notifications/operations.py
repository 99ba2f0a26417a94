"""Queue mail with the change it tells about; send it later, from the command line.

:func:`queue_mail`, :func:`notify_transition` and :func:`send_reminders` only add
rows and flush: the caller owns the transaction, so a change and its mail commit or
roll back together. :func:`send_pending` talks to the SMTP server and commits after
each message; no web request that changes data calls it. ``flask pmg send-mail`` (cron,
every minute) and the outbox's retry button do.
"""

from __future__ import annotations

import contextlib
import smtplib
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from flask import current_app
from sqlalchemy import select

from pmg.auth.models import User
from pmg.auth.queries import active_coordinators, active_reviewers
from pmg.core.models import utcnow
from pmg.cycles.models import Cycle
from pmg.cycles.queries import current_cycle
from pmg.extensions import db
from pmg.notifications import messages
from pmg.notifications.models import OutgoingMail
from pmg.notifications.queries import (
    MAX_ATTEMPTS,
    MailState,
    claim_next_mail,
    coordinators_with_pending_submission,
    count_mail,
    observed_submissions_due,
)
from pmg.review.operations import returns_to
from pmg.submissions.kinds import KINDS
from pmg.submissions.models import Action, Submission
from pmg.submissions.signals import transitioned

__all__ = [
    "MAX_ATTEMPTS",
    "SendReport",
    "notify_transition",
    "queue_mail",
    "send_pending",
    "send_reminders",
]

SMTP_TIMEOUT = 10
SUBJECT_LENGTH = 200
ERROR_LENGTH = 500


def queue_mail(
    recipient: str, subject: str, body: str, *, dedupe_key: str | None = None
) -> OutgoingMail | None:
    """Add a message to the outbox; ``None`` (and nothing added) when ``dedupe_key`` is
    already there. The unique constraint on the key backs the check against a race."""
    if dedupe_key is not None:
        found = db.session.scalar(
            select(OutgoingMail.id).where(OutgoingMail.dedupe_key == dedupe_key)
        )
        if found is not None:
            return None
    if len(subject) > SUBJECT_LENGTH:
        subject = subject[: SUBJECT_LENGTH - 1] + "…"
    mail = OutgoingMail(
        recipient=recipient,
        subject=subject,
        body=body,
        dedupe_key=dedupe_key,
        attempts=0,
        last_error="",
    )
    db.session.add(mail)
    db.session.flush()
    return mail


# --- Changes of state ----------------------------------------------------------------------


def _transition_recipients(submission: Submission, action: Action) -> list[User]:
    reviewer = submission.reviewer if submission.reviewer and submission.reviewer.active else None
    if action is Action.SUBMIT:
        return active_reviewers()
    if action is Action.RESUBMIT:  # unless it goes back to its reviewer (Action.RETURN)
        return [] if returns_to(submission) else active_reviewers()
    if action is Action.RETURN:
        return [reviewer] if reviewer else []
    if action is Action.ASSIGN:
        return [reviewer] if reviewer else []
    if action in (Action.OBSERVE, Action.APPROVE, Action.REJECT):
        return active_coordinators(submission.institution)
    return []


def notify_transition(
    submission: Submission, action: Action | str, actor: User | None, note: str = ""
) -> list[OutgoingMail]:
    """Queue the mail about ``submission`` having just moved by ``action``.

    It runs on the workflow's ``transitioned`` signal (:func:`subscribe`), after the new
    state (and, when observing, the ``correction_due`` date; when assigning, the
    ``reviewer``) is set, inside the same transaction. ``note`` is the observation
    summary or the reason, shown as written. Nobody is told about their own action;
    ``take`` tells nobody. ``actor`` is ``None`` for a change made by the system.
    """
    action = Action(action)  # an unknown action is a programming error: ValueError
    facts = messages.TransitionFacts(submission, actor, note)
    queued = []
    seen = {actor.email} if actor is not None else set()
    for user in _transition_recipients(submission, action):
        if user.email in seen:
            continue
        seen.add(user.email)
        message = messages.transition_message(action, facts, user)
        mail = queue_mail(user.email, message.subject, message.body)
        if mail is not None:
            queued.append(mail)
    return queued


def _on_transition(submission: Submission, *, action: Action, actor: User, note: str) -> None:
    notify_transition(submission, action, actor, note)


def subscribe() -> None:
    """Queue mail on every transition of a submission (the application does it once)."""
    transitioned.connect(_on_transition)


# --- Reminders -----------------------------------------------------------------------------


def _window_reminders(cycle: Cycle, today: date, last_day: date) -> int:
    queued = 0
    for spec in KINDS.values():
        start, end = cycle.window(spec.window)
        if not (start <= today <= end <= last_day):
            continue
        for institution, user in coordinators_with_pending_submission(cycle, spec.kind):
            key = (
                f"reminder:window:{cycle.year}:{spec.kind.value}:{institution.code}:"
                f"{user.id}:{end.isoformat()}"
            )
            message = messages.window_reminder(cycle, spec.kind, institution, user, end, today)
            if queue_mail(user.email, message.subject, message.body, dedupe_key=key):
                queued += 1
    return queued


def _correction_reminders(today: date, last_day: date) -> int:
    queued = 0
    for submission in observed_submissions_due(today, last_day):
        due = submission.correction_deadline
        if due is None:  # the query selects only submissions with a deadline
            continue
        for user in active_coordinators(submission.institution):
            key = f"reminder:correction:{submission.id}:{due.isoformat()}:{user.id}"
            message = messages.correction_reminder(submission, user, due, today)
            if queue_mail(user.email, message.subject, message.body, dedupe_key=key):
                queued += 1
    return queued


def send_reminders(today: date, days: int) -> int:
    """Queue reminders of deadlines falling between ``today`` and ``days`` later; return how
    many were new.

    Coordinators hear of the current cycle's open diagnostic and plan windows while their
    institution has not sent (no submission, or a draft), and of the correction deadline of
    any submission with observations. Each reminder is queued once per person and deadline,
    however often this runs; a moved deadline is a new reminder. Flushes, never commits.
    """
    last_day = today + timedelta(days=days)
    cycle = current_cycle()
    queued = _window_reminders(cycle, today, last_day) if cycle is not None else 0
    return queued + _correction_reminders(today, last_day)


# --- Sending -------------------------------------------------------------------------------

SERVER_FAILED = "El servidor de correo no respondió: se reintentará en la próxima ejecución."
# The reply code of a server that is closing the connection: about the server, whatever the
# exception that carries it says.
SERVICE_NOT_AVAILABLE = 421


@dataclass(frozen=True)
class SendReport:
    """What one run of :func:`send_pending` did, and what is left.

    ``server_failed``: the run stopped early because the server, not one message, failed.
    """

    embedded: bool
    sent: int = 0
    failed: int = 0
    pending: int = 0
    given_up: int = 0
    server_failed: bool = False

    def __str__(self) -> str:
        text = f"Correos enviados: {self.sent}, pendientes: {self.pending}."
        if self.failed:
            text += f" Fallaron en este intento: {self.failed} (se reintentarán)."
        if self.server_failed:
            text += f" {SERVER_FAILED}"
        if self.given_up:
            text += (
                f" Sin enviar tras {MAX_ATTEMPTS} intentos, ya no se reintentan: "
                f"{self.given_up} (revíselos en la bandeja de salida)."
            )
        if self.embedded:
            text += (
                " El envío de correo no está configurado en esta instalación (PMG_MAIL_SERVER "
                "vacío): los correos quedan visibles en la bandeja de salida."
            )
        return text


class _MessageRefused(Exception):
    """The server, or the message itself, refused this one message; the next may go."""


class _ServerFailed(Exception):
    """The server could not be reached or stopped answering: no message can go now."""


def _refuses_only_this_message(error: Exception) -> bool:
    """Whether ``error``, raised while sending one message over an open connection, is about
    that message alone (its recipient, its sender, its content) rather than the server."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code != SERVICE_NOT_AVAILABLE for code, _ in error.recipients.values())
    if isinstance(error, (smtplib.SMTPSenderRefused, smtplib.SMTPDataError)):
        return error.smtp_code != SERVICE_NOT_AVAILABLE
    # An address the server cannot take without SMTPUTF8; a header smtplib cannot write.
    return isinstance(error, (smtplib.SMTPNotSupportedError, ValueError))


class _Mailer:
    """One SMTP connection, opened on the first message and opened again after a failure.

    :meth:`send` raises :class:`_MessageRefused` or :class:`_ServerFailed`, the original
    error chained."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        connection = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT)
        try:
            if config["MAIL_USE_TLS"]:
                connection.starttls()
            if config["MAIL_USERNAME"]:
                connection.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        except Exception:
            connection.close()
            raise
        return connection

    def send(self, message: EmailMessage) -> None:
        try:
            if self.connection is None:
                self.connection = self._connect()
        except Exception as error:  # refused, timed out, TLS, login: all about the server
            raise _ServerFailed(str(error)) from error
        try:
            self.connection.send_message(message)
        except Exception as error:
            # smtplib resets the transaction after a refusal, but a fresh connection for the
            # next message costs little and cannot be left half-way.
            self.close()
            if _refuses_only_this_message(error):
                raise _MessageRefused(str(error)) from error
            raise _ServerFailed(str(error)) from error

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(Exception):
                self.connection.quit()
            self.connection = None


def _email(mail: OutgoingMail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(mail.created_at or utcnow())
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.body, charset="utf-8")
    return message


def _charge(mail: OutgoingMail, error: BaseException) -> None:
    """One more failed attempt, with the server's words (or the error's name) kept."""
    cause = error.__cause__ or error
    mail.attempts = (mail.attempts or 0) + 1
    mail.last_error = (str(cause) or type(cause).__name__)[:ERROR_LENGTH]


def _try_to_send(mailer: _Mailer, mail: OutgoingMail, sender: str) -> bool:
    """Send ``mail`` and mark it sent; ``False`` when this message alone failed (charged).

    Raises :class:`_ServerFailed`, with ``mail`` charged, when the server failed."""
    try:
        mailer.send(_email(mail, sender))
    except _ServerFailed as error:
        _charge(mail, error)
        raise
    except Exception as error:  # refused, or a message that cannot be written
        _charge(mail, error)
        return False
    mail.sent_at = utcnow()
    mail.last_error = ""
    return True


def send_pending(limit: int = 100) -> SendReport:
    """Send up to ``limit`` unsent messages, the least tried first; never raises on a mail
    failure.

    Each message is claimed (row locked, skipped by a concurrent run), sent, marked and
    committed before the next is claimed, so two runs at once never send the same mail and
    a message is tried at most once per run. A refusal of one message charges that message
    one attempt and the run goes on; a failure of the server (unreachable, timed out,
    login refused, disconnected) charges only the message being tried and ends the run,
    leaving the rest untouched for the next one.

    Run it from ``flask pmg send-mail`` or the outbox's retry button, never inside a
    business transaction: it commits. With no ``MAIL_SERVER`` (the embedded setup) nothing
    is sent: mail stays in the outbox page.
    """
    config = current_app.config
    if not config["MAIL_SERVER"]:
        return SendReport(embedded=True, pending=count_mail(MailState.PENDING))
    mailer = _Mailer(config)
    sent = failed = 0
    server_failed = False
    tried: set[int] = set()
    try:
        while len(tried) < limit:
            mail = claim_next_mail(tried)
            if mail is None:
                break
            tried.add(mail.id)
            try:
                if _try_to_send(mailer, mail, config["MAIL_SENDER"]):
                    sent += 1
                else:
                    failed += 1
            except _ServerFailed:
                failed += 1
                server_failed = True
            db.session.commit()
            if server_failed:
                break
    finally:
        mailer.close()
        db.session.rollback()  # releases the claim if anything above raised
    return SendReport(
        embedded=False,
        sent=sent,
        failed=failed,
        pending=count_mail(MailState.PENDING),
        given_up=count_mail(MailState.GIVEN_UP),
        server_failed=server_failed,
    )
