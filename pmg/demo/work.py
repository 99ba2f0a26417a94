"""The demo cycle's work in flight, made the way people make it: each submission sent,
taken, reviewed, observed, answered and decided through the same operations the pages
call, by the account whose job it is. The history, the audit trail, the versions' hashes
and the mail queue are what those steps leave.

Each institution's story is told once: an institution that already has a submission in
the cycle (an earlier run, or someone trying the app) is left as it is, so running the
demo again loses nothing anyone did. Flushes only; the CLI command commits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, select

from pmg.auth.models import User
from pmg.core.permissions import Role
from pmg.cycles.models import Cycle
from pmg.demo import drafts
from pmg.demo.accounts import AccountSpec, demo_user
from pmg.extensions import db
from pmg.institutions.models import Institution
from pmg.institutions.queries import institutions_by_codes
from pmg.review.models import Decision, Outcome, Review
from pmg.review.observations import answer_observation
from pmg.review.operations import Checklist, VerdictInput, decide, save_review, take
from pmg.review.queries import observations_of
from pmg.submissions.models import Submission, SubmissionKind
from pmg.submissions.operations import open_submission, save_draft, submit

DIAGNOSTIC, PLAN = SubmissionKind.DIAGNOSTIC, SubmissionKind.PLAN


@dataclass(frozen=True)
class Note:
    """An observation the demo reviewer writes on a requirement; ``path`` is the field it
    points at (empty: the requirement as a whole)."""

    text: str
    path: str = ""


@dataclass(frozen=True)
class Cast:
    """Who acts in the stories: the demo reviewer and the coordinator of each institution."""

    reviewer: User
    coordinators: Mapping[str, User]
    today: date


def _send(
    institution: Institution,
    cycle: Cycle,
    kind: SubmissionKind,
    cast: Cast,
    typed: drafts.Draft | None = None,
    *,
    send: bool = True,
) -> Submission:
    """The institution's coordinator opens the submission, saves what they typed (by
    default the demo diagnostic of :data:`drafts.DIAGNOSTICS`) over what it starts with
    (the pre-filled figures), and sends it unless ``send`` is false."""
    coordinator = cast.coordinators[institution.code]
    typed = drafts.DIAGNOSTICS[institution.code] if typed is None else typed
    submission = open_submission(institution, cycle, kind)
    save_draft(submission, {**submission.draft, **typed}, coordinator, submission.lock_version)
    if send:
        submit(submission, coordinator, cast.today, submission.lock_version)
    return submission


def _checklist(review: Review, notes: Mapping[str, Note]) -> Checklist:
    """Every requirement met, but those with a note: not met, with the note."""
    return {
        verdict.requirement_id: (
            VerdictInput(Outcome.FAILS, note.text, note.path)
            if (note := notes.get(verdict.requirement.code))
            else VerdictInput(Outcome.MEETS)
        )
        for verdict in review.verdicts
    }


def _review(
    submission: Submission,
    cast: Cast,
    decision: Decision | None,
    notes: Mapping[str, Note] | None = None,
    reason: str = "",
) -> Review:
    """The demo reviewer takes ``submission`` and fills the checklist; then decides, or
    (``decision`` ``None``) keeps the progress with «Guardar avance»."""
    review = take(submission, cast.reviewer, submission.lock_version)
    checklist = _checklist(review, notes or {})
    if decision is None:
        save_review(review, checklist, {}, cast.reviewer)
    else:
        decide(
            review,
            decision,
            cast.reviewer,
            submission.lock_version,
            cast.today,
            note=reason,
            checklist=checklist,
        )
    return review


def _observed_with_plan_begun(institution: Institution, cycle: Cycle, cast: Cast) -> None:
    """The diagnostic observed on two requirements, one at a field; the plan begun."""
    diagnostic = _send(institution, cycle, DIAGNOSTIC, cast)
    notes = {
        "R01": Note(
            "Indique la unidad de cada integrante del equipo de trabajo.", "responsible.team"
        ),
        "R06": Note(
            "Falta una brecha sobre la bonificación por obras de riego: 9 postulaciones se "
            "resolvieron después del tiempo esperado. Indique sus causas y su prioridad."
        ),
    }
    reason = "Corrija los dos requisitos observados y vuelva a enviar el diagnóstico."
    _review(diagnostic, cast, Decision.OBSERVE, notes, reason)
    _send(institution, cycle, PLAN, cast, drafts.riego_plan(cast.today), send=False)


def _approved_with_plan_sent(institution: Institution, cycle: Cycle, cast: Cast) -> None:
    """The diagnostic approved; the plan sent, waiting for a reviewer."""
    _review(_send(institution, cycle, DIAGNOSTIC, cast), cast, Decision.APPROVE)
    _send(institution, cycle, PLAN, cast, drafts.indap_plan(cast.today))


def _sent(institution: Institution, cycle: Cycle, cast: Cast) -> None:
    """The diagnostic sent, waiting for a reviewer."""
    _send(institution, cycle, DIAGNOSTIC, cast)


def _ready_to_approve(institution: Institution, cycle: Cycle, cast: Cast) -> None:
    """The diagnostic in review with every requirement met and saved: approvable in bulk."""
    _review(_send(institution, cycle, DIAGNOSTIC, cast), cast, None)


def _corrected(institution: Institution, cycle: Cycle, cast: Cast) -> None:
    """The diagnostic observed at a field, answered, corrected and sent again."""
    diagnostic = _send(institution, cycle, DIAGNOSTIC, cast)
    notes = {
        "R06": Note(
            "El valor esperado debe ser una cifra que se pueda medir.",
            "gaps.brecha-1.expected_value",
        )
    }
    reason = "Precise el valor esperado de la brecha observada."
    _review(diagnostic, cast, Decision.OBSERVE, notes, reason)
    coordinator = cast.coordinators[institution.code]
    for observation in observations_of(diagnostic):
        answer_observation(observation, drafts.DEFENSORIA_ANSWER, coordinator)
    corrected = drafts.corrected_defensoria(drafts.DIAGNOSTICS[institution.code])
    _send(institution, cycle, DIAGNOSTIC, cast, corrected)


Story = Callable[[Institution, Cycle, Cast], None]
# The demo coordinator's institutions first (pmg.demo.operations.COORDINATOR_INSTITUTIONS).
STORIES: dict[str, Story] = {
    drafts.RIEGO: _observed_with_plan_begun,
    drafts.INDAP: _approved_with_plan_sent,
    drafts.SAG: _sent,
    drafts.CONAF: _ready_to_approve,
    drafts.DEFENSORIA: _corrected,
}


def institution_coordinator(institution: Institution) -> User:
    """The account that coordinates an institution of the stories without the demo
    coordinator: made without a password (nobody signs in with it, the demo does not print
    it), and brought back to coordinate the institution on every run."""
    email = f"coordinacion-{institution.code}@demo.pmg.cl"
    spec = AccountSpec(Role.COORDINATOR, email, f"Coordinación Demo {institution.code}")
    return demo_user(spec, [institution], password=None)


def _started(institution: Institution, cycle: Cycle) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Submission.institution_id == institution.id, Submission.cycle_id == cycle.id
                )
            )
        )
    )


def load_work(cycle: Cycle, today: date, reviewer: User, coordinator: User) -> None:
    """Tell each story whose institution has nothing in ``cycle`` yet."""
    institutions = institutions_by_codes(tuple(STORIES))
    waiting = [i for i in institutions if not _started(i, cycle)]
    coordinators = {
        i.code: coordinator if i in coordinator.institutions else institution_coordinator(i)
        for i in waiting
    }
    cast = Cast(reviewer, coordinators, today)
    for institution in waiting:
        STORIES[institution.code](institution, cycle, cast)
