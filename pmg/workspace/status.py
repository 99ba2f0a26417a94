"""Where a coordinator's institution stands in the cycle and what to do next.

Plain functions over what :mod:`pmg.workspace.queries` loads: each submission's state, its
latest version, the deadline that concerns it and its unresolved observations
(:func:`submission_status`); the step indicator diagnostic → plan → review (:func:`steps`);
and the one next thing to do, as a sentence with its links (:func:`next_step`).

Deadlines are dates: the kind's window while unsent, the correction deadline while
observed, the end of the review window while the Secretaría reviews (as the review queue
says). Days left are calendar days, as the reminders count them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pmg.core.filters import format_date
from pmg.core.links import Link
from pmg.core.models import LabelledEnum
from pmg.cycles.models import Cycle
from pmg.institutions.models import Institution
from pmg.review.models import Observation
from pmg.review.queries import PENDING_ANSWER
from pmg.submissions.evaluation import SubmissionContext
from pmg.submissions.kinds import KINDS, KindSpec
from pmg.submissions.models import Submission, SubmissionKind, SubmissionState

S = SubmissionState
WAITING_REVIEW = frozenset({S.SUBMITTED, S.IN_REVIEW, S.RESUBMITTED})
NOT_STARTED = "Sin comenzar"
# Why a kind built on the submitted diagnostic (the plan) cannot be sent yet.
BLOCKED = "Requiere el diagnóstico enviado"
FORM = "submissions.edit"


@dataclass(frozen=True)
class Deadline:
    label: str
    due: date
    today: date

    @property
    def days_left(self) -> int:
        return (self.due - self.today).days

    @property
    def phrase(self) -> str:
        """«vence el 12 de enero de 2027, quedan 9 días»; «vence hoy, …»; «venció el …»."""
        day, left = format_date(self.due), self.days_left
        if left < 0:
            return f"venció el {day}"
        if left == 0:
            return f"vence hoy, {day}"
        return f"vence el {day}, {'queda 1 día' if left == 1 else f'quedan {left} días'}"


@dataclass(frozen=True)
class SubmissionStatus:
    """One kind's submission of an institution in the cycle; ``submission`` is ``None``
    while it is not started."""

    spec: KindSpec
    institution: Institution
    cycle: Cycle
    submission: Submission | None
    # Not resolved yet, oldest first.
    observations: tuple[Observation, ...] = ()
    # Sending it needs what the institution has not sent yet (the plan: the diagnostic).
    blocked: bool = False
    deadline: Deadline | None = None

    @property
    def name(self) -> str:
        """«diagnóstico de brechas», as a sentence names it."""
        return self.spec.kind.label.lower()

    @property
    def state(self) -> SubmissionState | None:
        return self.submission.state if self.submission is not None else None

    @property
    def state_label(self) -> str:
        return self.state.label if self.state is not None else NOT_STARTED

    @property
    def blocked_note(self) -> str:
        return BLOCKED if self.blocked else ""

    @property
    def version(self) -> int | None:
        latest = self.submission.latest_version if self.submission is not None else None
        return latest.number if latest is not None else None

    @property
    def sent_at(self) -> datetime | None:
        """When its latest version was sent."""
        latest = self.submission.latest_version if self.submission is not None else None
        return latest.submitted_at if latest is not None else None

    @property
    def unanswered(self) -> int:
        return sum(1 for observation in self.observations if observation.state in PENDING_ANSWER)

    def form_link(self, text: str, endpoint: str = FORM, anchor: str = "") -> Link:
        """A link to a page of the current cycle's submission: its form, or checking it."""
        values: dict[str, Any] = {"code": self.institution.code, "slug": self.spec.slug}
        if anchor:
            values["_anchor"] = anchor
        return Link(text, endpoint, values)

    def version_link(self, text: str, endpoint: str = "submissions.version") -> Link:
        """A link to its latest version's page (or PDF with ``submissions.version_pdf``)."""
        return Link(text, endpoint, {**self._cycle_values(), "number": self.version})

    def history_link(self, text: str) -> Link:
        return Link(text, "submissions.versions", self._cycle_values())

    def observation_links(self) -> list[tuple[Observation, Link]]:
        """Each unresolved observation with a link to where the form shows it."""
        return [
            (
                o,
                self.form_link(
                    f"{o.requirement.code} · {o.requirement.title}", anchor=anchor_of(o)
                ),
            )
            for o in self.observations
        ]

    def first_observation_link(self, text: str, pending: bool = False) -> Link:
        """A link to the first unresolved observation (``pending``: the first not answered)
        on the form; to the form when there is none."""
        shown = [o for o in self.observations if not pending or o.state in PENDING_ANSWER]
        return self.form_link(text, anchor=anchor_of(shown[0]) if shown else "")

    def _cycle_values(self) -> dict[str, Any]:
        return {"code": self.institution.code, "year": self.cycle.year, "slug": self.spec.slug}


def anchor_of(observation: Observation) -> str:
    """Where the submission's form shows ``observation``."""
    return f"observacion-{observation.id}"


def deadline_of(
    spec: KindSpec, submission: Submission | None, cycle: Cycle, today: date
) -> Deadline | None:
    """The next date that concerns the submission: sending it while unsent (the kind's
    window), correcting it while observed, its review while reviewed; none once decided."""
    if submission is None or submission.state is S.DRAFT:
        return Deadline("Plazo de envío", cycle.window(spec.window)[1], today)
    if submission.state is S.OBSERVED and submission.correction_deadline is not None:
        return Deadline("Plazo de corrección", submission.correction_deadline, today)
    if submission.state in WAITING_REVIEW:
        return Deadline("Plazo de revisión", cycle.review_end, today)
    return None


@dataclass(frozen=True)
class Progress:
    """What an institution's card shows: each submission, the steps, the next thing to do."""

    institution: Institution
    submissions: tuple[SubmissionStatus, ...]
    steps: tuple[Step, ...]
    next_step: NextStep


def progress(
    institution: Institution,
    cycle: Cycle,
    submissions: Mapping[SubmissionKind, Submission],
    observations: Mapping[int, Sequence[Observation]],
    today: date,
) -> Progress:
    """Where ``institution`` stands in ``cycle``: the status of each kind of submission, in
    the kinds' order, the steps and the next thing to do. ``observations`` are the unresolved
    ones by submission id."""
    diagnostic = submissions.get(SubmissionKind.DIAGNOSTIC)
    latest = diagnostic.latest_version if diagnostic is not None else None
    # What the kind's form is built on (as pmg.submissions.queries.submission_context).
    context = SubmissionContext(
        institution=institution,
        cycle=cycle,
        diagnostic=latest.content if latest is not None else None,
    )
    statuses = []
    for spec in KINDS.values():
        submission = submissions.get(spec.kind)
        statuses.append(
            SubmissionStatus(
                spec=spec,
                institution=institution,
                cycle=cycle,
                submission=submission,
                observations=tuple(observations.get(submission.id, ()) if submission else ()),
                blocked=spec.page.blocked(context) is not None,
                deadline=deadline_of(spec, submission, cycle, today),
            )
        )
    return Progress(institution, tuple(statuses), steps(statuses), next_step(statuses, today))


# --- The step indicator ----------------------------------------------------------------------


class StepState(LabelledEnum):
    DONE = ("done", "Completado")
    CURRENT = ("current", "En curso")
    PENDING = ("pending", "Pendiente")


@dataclass(frozen=True)
class Step:
    name: str
    state: StepState
    note: str = ""


def _kind_done(status: SubmissionStatus) -> bool:
    """Sent, and not sent back with observations."""
    return status.version is not None and status.state is not S.OBSERVED


def _review_note(statuses: Sequence[SubmissionStatus]) -> str:
    states = {status.state for status in statuses}
    if states == {S.APPROVED}:
        return S.APPROVED.label
    for state in (S.REJECTED, S.OBSERVED, S.IN_REVIEW):
        if state in states:
            return state.label
    return "Esperando revisión" if states & WAITING_REVIEW else ""


def steps(statuses: Sequence[SubmissionStatus]) -> tuple[Step, ...]:
    """Each kind (done once sent and not observed), then the review (done once every
    submission is decided); the first step not done is the current one."""
    named = [
        (status.spec.short_name, _kind_done(status), _kind_note(status)) for status in statuses
    ]
    decided = bool(statuses) and all(
        status.state in (S.APPROVED, S.REJECTED) for status in statuses
    )
    named.append(("Revisión", decided, _review_note(statuses)))
    result, current_found = [], False
    for name, done, note in named:
        if done:
            state = StepState.DONE
        elif not current_found:
            state, current_found = StepState.CURRENT, True
        else:
            state = StepState.PENDING
        result.append(Step(name, state, note))
    return tuple(result)


def _kind_note(status: SubmissionStatus) -> str:
    if status.version is not None:
        return f"{status.state_label}, versión {status.version}"
    return status.blocked_note or status.state_label


# --- The next thing to do --------------------------------------------------------------------


@dataclass(frozen=True)
class NextStep:
    sentence: str
    links: tuple[Link, ...] = ()


def _observed(status: SubmissionStatus, today: date) -> NextStep:
    name, due = status.name, status.submission.correction_deadline  # type: ignore[union-attr]
    show = status.first_observation_link(f"Ver las observaciones del {name}")
    if due is not None and due < today:
        return NextStep(
            f"El plazo para corregir el {name} venció el {format_date(due)}: ya no se puede "
            "reenviar.",
            (show,),
        )
    by = f" antes del {format_date(due)}" if due is not None else ""
    count = status.unanswered
    if count:
        what = "1 observación" if count == 1 else f"{count} observaciones"
        answer = status.first_observation_link(
            f"Responder las observaciones del {name}", pending=True
        )
        return NextStep(f"Responda {what} del {name}{by}.", (answer,))
    check = status.form_link(f"Revisar y reenviar el {name}", "submissions.check")
    return NextStep(f"Corrija el {name} y reenvíelo{by}.", (check,))


def _unsent(status: SubmissionStatus, today: date) -> NextStep:
    name = status.name
    start, end = status.cycle.window(status.spec.window)
    if today > end:
        return NextStep(f"El plazo para enviar el {name} venció el {format_date(end)}.")
    if today < start:
        return NextStep(
            f"Prepare el {name}: el plazo de envío es del {format_date(start)} al "
            f"{format_date(end)}.",
            (status.form_link(f"Completar el {name}"),),
        )
    if status.submission is None:
        return NextStep(
            f"Complete el {name}: el plazo de envío vence el {format_date(end)}.",
            (status.form_link(f"Completar el {name}"),),
        )
    return NextStep(
        f"Envíe el {name} antes del {format_date(end)}.",
        (status.form_link(f"Continuar el {name}"),),
    )


def _joined(parts: Iterable[str]) -> str:
    """«a», «a y b», «a, b y c»."""
    items = list(parts)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} y {items[-1]}"


def next_step(statuses: Sequence[SubmissionStatus], today: date) -> NextStep:
    """The one next thing for the institution's coordinator to do, in this order: answer
    observations, send what is not sent (the kinds in order; a kind waiting for another is
    skipped), wait for the review, read why something was rejected, download the PDFs."""
    for status in statuses:
        if status.state is S.OBSERVED:
            return _observed(status, today)
    for status in statuses:
        if status.version is None and not status.blocked:
            return _unsent(status, today)
    waiting = [status for status in statuses if status.state in WAITING_REVIEW]
    if waiting:
        sent = (f"del {s.name} (enviado el {format_date(s.sent_at)})" for s in waiting)
        return NextStep(
            f"Espere la revisión {_joined(sent)}.",
            tuple(s.version_link(f"Ver la versión {s.version} del {s.name}") for s in waiting),
        )
    rejected = [status for status in statuses if status.state is S.REJECTED]
    if rejected:
        verb = "fue rechazado" if len(rejected) == 1 else "fueron rechazados"
        which = _joined(f"el {s.name}" for s in rejected)
        return NextStep(
            f"{which[0].upper()}{which[1:]} {verb}; el fundamento está en su historial.",
            tuple(s.history_link(f"Historial del {s.name}") for s in rejected),
        )
    # What is left is approved: every kind is sent (a blocked one waits for one unsent).
    return NextStep(
        "Aprobado: descargue el PDF."
        if len(statuses) == 1
        else "Todo aprobado: descargue los PDF.",
        tuple(
            s.version_link(f"PDF del {s.name} (versión {s.version})", "submissions.version_pdf")
            for s in statuses
        ),
    )


# --- The coordinator's page ------------------------------------------------------------------


NO_CYCLE = "No hay un ciclo vigente: por ahora no hay nada que enviar."
NO_INSTITUTION = (
    "Su cuenta aún no tiene instituciones asignadas. Pida a la administración del sistema "
    "que le asigne la suya."
)


def coordinator_notice(cycle: Cycle | None, institutions: Sequence[Institution]) -> str | None:
    """Why a coordinator's home has no institution cards, or ``None`` when it has them."""
    if not institutions:
        return NO_INSTITUTION
    if cycle is None:
        return NO_CYCLE
    return None
