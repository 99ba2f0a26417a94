"""Building submissions in a given state, reading the outbox, and an SMTP server stand-in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from email.message import EmailMessage
from smtplib import SMTPRecipientsRefused
from typing import Any

from sqlalchemy import select

from pmg.auth.models import User
from pmg.core.permissions import Role
from pmg.cycles.models import Cycle
from pmg.extensions import db
from pmg.institutions.models import Institution
from pmg.notifications.models import OutgoingMail
from pmg.submissions.models import Submission, SubmissionKind, SubmissionState
from tests.factories import create_cycle, create_institution, create_user

# The address the installation is configured with (PUBLIC_BASE_URL): every link starts there.
BASE_URL = "https://pmg.ejemplo.gob.cl"
SMTP_CONFIG = {
    "MAIL_SERVER": "smtp.modernizacion.gob.cl",
    "MAIL_PORT": 2525,
    "MAIL_USERNAME": "pmg",
    "MAIL_PASSWORD": "clave-smtp",
    "MAIL_USE_TLS": True,
    "MAIL_SENDER": "pmg-cseu@modernizacion.gob.cl",
}


def create_submission(
    institution: Institution,
    cycle: Cycle,
    kind: SubmissionKind = SubmissionKind.DIAGNOSTIC,
    state: SubmissionState = SubmissionState.SUBMITTED,
    **fields: Any,
) -> Submission:
    """A submission put straight into ``state``: these tests are not about the state machine."""
    submission = Submission(
        institution=institution, cycle=cycle, kind=kind, state=state, draft={}, **fields
    )
    db.session.add(submission)
    db.session.commit()
    return submission


def person(role: Role, name: str, email: str, **options: Any) -> User:
    user = create_user(role, email=email, **options)
    user.name = name
    db.session.commit()
    return user


def outbox() -> list[OutgoingMail]:
    return list(db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)))


def recipients() -> list[str]:
    return sorted(mail.recipient for mail in outbox())


class FakeSMTP:
    """Stands in for ``smtplib.SMTP``: records connections and messages; refuses the
    addresses in ``refused``, raises ``errors[address]`` for a message to that address, and
    ``login_error`` on login. ``before_send`` runs as each message is handed over."""

    def __init__(self) -> None:
        self.connections: list[tuple[str, int, float]] = []
        self.calls: list[str] = []
        self.tried: list[str] = []
        self.sent: list[EmailMessage] = []
        self.refused: set[str] = set()
        self.errors: dict[str, Exception] = {}
        self.login_error: Exception | None = None
        self.before_send: Callable[[EmailMessage], None] | None = None

    def __call__(self, host: str, port: int, timeout: float) -> FakeSMTP:
        self.connections.append((host, port, timeout))
        return self

    def starttls(self) -> None:
        self.calls.append("starttls")

    def login(self, user: str, password: str) -> None:
        self.calls.append(f"login {user} {password}")
        if self.login_error is not None:
            raise self.login_error

    def send_message(self, message: EmailMessage) -> None:
        self.tried.append(message["To"])
        if self.before_send is not None:
            self.before_send(message)
        if message["To"] in self.refused:
            raise SMTPRecipientsRefused({message["To"]: (550, b"Buzon inexistente")})
        if message["To"] in self.errors:
            raise self.errors[message["To"]]
        self.sent.append(message)

    def quit(self) -> None:
        self.calls.append("quit")

    def close(self) -> None:
        self.calls.append("close")


# --- A cycle on the eve of its diagnostic deadline ----------------------------------------------

TODAY = date(2026, 3, 27)


def reminder_world() -> dict[str, Any]:
    """The 2026 cycle on 27 March: the diagnostic window closes on the 30th, the plan window
    opens on 6 April; institutions in every situation a reminder must tell apart."""
    cycle = create_cycle(
        2026,
        diagnostic_start=date(2026, 3, 2),
        diagnostic_end=date(2026, 3, 30),
        plan_start=date(2026, 4, 6),
        plan_end=date(2026, 4, 30),
        # Ends before the deadlines given to the observed submissions below, so each keeps
        # its own (a later window end would extend them).
        correction_start=date(2026, 3, 1),
        correction_end=date(2026, 3, 20),
    )
    riego = create_institution("1306", "COMISION NACIONAL DE RIEGO")
    fonasa = create_institution("3101_61", "FONDO NACIONAL DE SALUD")
    sent = create_institution("2000", "SERVICIO QUE YA ENVIO")
    closed = create_institution("4000", "SERVICIO INACTIVO")
    closed.active = False
    exempt = create_institution("5000", "SERVICIO QUE NO COMPROMETE")
    exempt.commits_system = False
    observed = create_institution("6000", "SERVICIO OBSERVADO")
    later = create_institution("7000", "SERVICIO CON PLAZO LEJANO")
    found = {
        "cycle": cycle,
        "ana": person(Role.COORDINATOR, "Ana Pérez", "ana@cnr.gob.cl", institutions=[riego]),
        "cata": person(
            Role.COORDINATOR, "Cata", "cata@cnr.gob.cl", institutions=[riego], active=False
        ),
        "dora": person(Role.COORDINATOR, "Dora Díaz", "dora@fonasa.gob.cl", institutions=[fonasa]),
        "eva": person(Role.COORDINATOR, "Eva", "eva@envio.gob.cl", institutions=[sent]),
        "ines": person(Role.COORDINATOR, "Inés", "ines@inactivo.gob.cl", institutions=[closed]),
        "noe": person(Role.COORDINATOR, "Noé", "noe@exento.gob.cl", institutions=[exempt]),
        "fede": person(Role.COORDINATOR, "Fede Ruiz", "fede@obs.gob.cl", institutions=[observed]),
        "lola": person(Role.COORDINATOR, "Lola", "lola@lejano.gob.cl", institutions=[later]),
        "rosa": person(Role.REVIEWER, "Rosa", "rosa@modernizacion.gob.cl"),
        "alma": person(Role.ADMIN, "Alma", "alma@modernizacion.gob.cl"),
    }
    create_submission(fonasa, cycle, state=SubmissionState.DRAFT)
    create_submission(sent, cycle, state=SubmissionState.SUBMITTED)
    found["observed"] = create_submission(
        observed, cycle, state=SubmissionState.OBSERVED, correction_due=date(2026, 3, 28)
    )
    create_submission(later, cycle, state=SubmissionState.APPROVED)
    found["later"] = create_submission(
        later,
        cycle,
        SubmissionKind.PLAN,
        state=SubmissionState.OBSERVED,
        correction_due=date(2026, 4, 10),
    )
    return found
