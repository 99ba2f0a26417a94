"""The text of every mail: plain Spanish, names and codes only, a link to the page.

Links are the page's path under ``PUBLIC_BASE_URL``, the address the installation is
configured with (:func:`pmg.config.public_base_url`): never the Host a request names, which
the client chooses, and the command line that sends mail has no request at all. People open
them after signing in, except a link to set one's password, which signs them in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote

from flask import current_app

from pmg.auth.models import PasswordLinkPurpose, User
from pmg.core.filters import format_datetime
from pmg.cycles.models import Cycle
from pmg.institutions.models import Institution
from pmg.submissions.kinds import KINDS
from pmg.submissions.models import Action, Submission, SubmissionKind

SUBJECT_PREFIX = "[PMG CSEU]"
FOOTER = (
    "--\n"
    "Mensaje automático del sistema PMG de Calidad de Servicio y Experiencia Usuaria.\n"
    "No responda este correo: para cualquier gestión ingrese al sistema."
)


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


def format_day(day: date) -> str:
    """``31-03-2026``, as deadlines are written in mail."""
    return f"{day:%d-%m-%Y}"


def _address(path: str) -> str:
    """``path`` under ``PUBLIC_BASE_URL``, the address people open the application at."""
    base: str = current_app.config["PUBLIC_BASE_URL"]
    return base + path


def submission_path(submission: Submission) -> str:
    """The page of the submission's versions and state."""
    slug = KINDS[submission.kind].slug
    code = quote(submission.institution.code, safe="")
    return _address(f"/instituciones/{code}/{submission.cycle.year}/{slug}/")


def edit_path(institution: Institution, kind: SubmissionKind) -> str:
    """The page where the coordinator fills in and submits the current cycle's ``kind``."""
    return _address(f"/instituciones/{quote(institution.code, safe='')}/{KINDS[kind].slug}")


def _what(kind: SubmissionKind, cycle: Cycle, institution: Institution) -> str:
    """``diagnóstico de brechas del ciclo 2026 de SERVICIO X (código 1306)``."""
    return (
        f"{kind.label.lower()} del ciclo {cycle.year} de "
        f"{institution.name} (código {institution.code})"
    )


def _subject(headline: str, kind: SubmissionKind, year: int, institution: Institution) -> str:
    where = f"{institution.code} {institution.name}"
    return f"{SUBJECT_PREFIX} {headline}: {kind.label} {year} · {where}"


def _body(name: str, *paragraphs: str) -> str:
    return "\n\n".join([f"Estimado/a {name}:", *(p for p in paragraphs if p), FOOTER]) + "\n"


def _quoted(title: str, note: str) -> str:
    note = note.strip()
    return f"{title}\n{note}" if note else ""


# --- Changes of state ----------------------------------------------------------------------


@dataclass(frozen=True)
class TransitionFacts:
    """What a message about a change of state says, gathered once for every recipient."""

    submission: Submission
    actor: User | None
    note: str

    @property
    def what(self) -> str:
        submission = self.submission
        return _what(submission.kind, submission.cycle, submission.institution)

    @property
    def state(self) -> str:
        return f"Estado actual: «{self.submission.state.label}»."

    @property
    def link(self) -> str:
        return f"Puede verlo en el sistema, en la página {submission_path(self.submission)}"

    @property
    def form_link(self) -> str:
        """Where the coordinator answers the observations and corrects: the form itself."""
        submission = self.submission
        path = edit_path(submission.institution, submission.kind)
        return f"El formulario está en el sistema, en la página {path}"

    def subject(self, headline: str) -> str:
        submission = self.submission
        return _subject(headline, submission.kind, submission.cycle.year, submission.institution)


def _submitted(facts: TransitionFacts, name: str) -> Message:
    return Message(
        facts.subject("Nuevo envío para revisión"),
        _body(name, f"Se envió el {facts.what} para su revisión.", facts.state, facts.link),
    )


def _resubmitted(facts: TransitionFacts, name: str) -> Message:
    return Message(
        facts.subject("Envío corregido para revisión"),
        _body(
            name,
            f"Se volvió a enviar el {facts.what}, con las respuestas a las observaciones.",
            facts.state,
            facts.link,
        ),
    )


def _returned(facts: TransitionFacts, name: str) -> Message:
    who = facts.actor.name if facts.actor else "La institución"
    return Message(
        facts.subject("Envío corregido: vuelve a usted"),
        _body(
            name,
            f"{who} reenvió corregido el {facts.what}, con las respuestas a las observaciones.",
            "Vuelve a usted, que revisó la versión anterior: su revisión ya está abierta.",
            facts.state,
            facts.link,
        ),
    )


def _assigned(facts: TransitionFacts, name: str) -> Message:
    return Message(
        facts.subject("Revisión asignada"),
        _body(
            name,
            f"{facts.actor.name if facts.actor else 'Se'} le asignó la revisión del {facts.what}.",
            facts.state,
            facts.link,
        ),
    )


def _observed(facts: TransitionFacts, name: str) -> Message:
    due = facts.submission.correction_deadline
    deadline = (
        f"Plazo para corregir: hasta el {format_day(due)}. Responda cada observación, "
        "corrija lo que corresponda y vuelva a enviar antes de esa fecha."
        if due
        else "Responda cada observación, corrija lo que corresponda y vuelva a enviar "
        "dentro del plazo de corrección del ciclo."
    )
    return Message(
        facts.subject("Envío con observaciones"),
        _body(
            name,
            f"La revisión del {facts.what} dejó observaciones: véalas en el formulario, "
            "cada una junto al requisito y la sección que corresponde.",
            facts.state,
            _quoted("Fundamento de la revisión:", facts.note),
            deadline,
            facts.form_link,
        ),
    )


def _approved(facts: TransitionFacts, name: str) -> Message:
    return Message(
        facts.subject("Envío aprobado"),
        _body(
            name,
            f"La revisión aprobó el {facts.what}: cumple los requisitos técnicos.",
            facts.state,
            _quoted("Comentario de la revisión:", facts.note),
            facts.link,
        ),
    )


def _rejected(facts: TransitionFacts, name: str) -> Message:
    return Message(
        facts.subject("Envío rechazado"),
        _body(
            name,
            f"La revisión rechazó el {facts.what}: no cumple los requisitos técnicos.",
            facts.state,
            _quoted("Motivo del rechazo:", facts.note),
            facts.link,
        ),
    )


# Taking a submission for review tells nobody: it has no message.
TRANSITION_MESSAGES: dict[Action, Callable[[TransitionFacts, str], Message]] = {
    Action.SUBMIT: _submitted,
    Action.RESUBMIT: _resubmitted,
    Action.RETURN: _returned,
    Action.ASSIGN: _assigned,
    Action.OBSERVE: _observed,
    Action.APPROVE: _approved,
    Action.REJECT: _rejected,
}


def transition_message(action: Action, facts: TransitionFacts, recipient: User) -> Message:
    return TRANSITION_MESSAGES[action](facts, recipient.name)


# --- Reminders -----------------------------------------------------------------------------


def _on(end: date, today: date) -> str:
    """``el 31-03-2026 (en 3 días)``; ``(hoy)``, ``(mañana)``."""
    days = (end - today).days
    when = {0: "hoy", 1: "mañana"}.get(days, f"en {days} días")
    return f"el {format_day(end)} ({when})"


def window_reminder(
    cycle: Cycle,
    kind: SubmissionKind,
    institution: Institution,
    recipient: User,
    end: date,
    today: date,
) -> Message:
    """The window for sending ``kind`` closes soon and the institution has not sent it."""
    label = kind.label.lower()
    return Message(
        f"{SUBJECT_PREFIX} Recordatorio: el plazo de envío del {label} cierra el "
        f"{format_day(end)} · {institution.code} {institution.name}",
        _body(
            recipient.name,
            f"El plazo para enviar el {_what(kind, cycle, institution)} termina {_on(end, today)}"
            ". Según el sistema, aún no ha sido enviado.",
            f"Complete el formulario, revise los avisos y envíelo antes de esa fecha en la "
            f"página {edit_path(institution, kind)}",
        ),
    )


def correction_reminder(submission: Submission, recipient: User, due: date, today: date) -> Message:
    """The submission has observations and its correction deadline, ``due``, is near."""
    what = _what(submission.kind, submission.cycle, submission.institution)
    return Message(
        f"{SUBJECT_PREFIX} Recordatorio: corrección de observaciones hasta el {format_day(due)}"
        f" · {submission.institution.code} {submission.institution.name}",
        _body(
            recipient.name,
            f"El plazo para corregir el {what} vence {_on(due, today)}.",
            "Responda cada observación, corrija lo que corresponda y vuelva a enviar antes de "
            "esa fecha.",
            f"Puede verlo en el sistema, en la página {submission_path(submission)}",
        ),
    )


# --- Links to set a password ---------------------------------------------------------------

SYSTEM = "el sistema PMG de Calidad de Servicio y Experiencia Usuaria"


def _institutions(user: User) -> str:
    """``, para las instituciones 1306 COMISION NACIONAL DE RIEGO; …`` (empty for none)."""
    if not user.institutions:
        return ""
    which = "la institución" if len(user.institutions) == 1 else "las instituciones"
    listed = "; ".join(f"{i.code} {i.name}" for i in user.institutions)
    return f", para {which} {listed}"


def password_link_message(
    user: User, purpose: PasswordLinkPurpose, path: str, expires_at: datetime
) -> Message:
    """The mail that carries a link to set ``user``'s password: the first one of a new
    account (``INVITATION``), or a new one (``RESET``)."""
    link = _address(path)
    validity = (
        f"El enlace sirve una sola vez y vence el {format_datetime(expires_at)} (hora de Chile)."
    )
    again = (
        "Si venció o ya se usó, pida otro en la página de ingreso, con «¿Olvidó su contraseña?»."
    )
    if purpose is PasswordLinkPurpose.INVITATION:
        return Message(
            f"{SUBJECT_PREFIX} Cree la contraseña de su cuenta",
            _body(
                user.name,
                f"Se creó su cuenta en {SYSTEM}, con el rol {user.role.label}"
                f"{_institutions(user)}.",
                f"Para empezar, cree su contraseña en esta página:\n{link}",
                f"{validity} Su usuario es este correo: {user.email}",
                again,
            ),
        )
    return Message(
        f"{SUBJECT_PREFIX} Enlace para crear una nueva contraseña",
        _body(
            user.name,
            f"Se pidió crear una nueva contraseña para su cuenta {user.email} en {SYSTEM}.",
            f"Créela en esta página:\n{link}",
            f"{validity} Al crearla se cierran las sesiones abiertas de su cuenta. {again}",
            "Si usted no lo pidió, ignore este mensaje: su contraseña actual sigue sirviendo.",
        ),
    )
