"""A cycle in flight at any scale, made the way the application makes it.

:func:`build_cycle` imports a catalog (the real one, or the real one repeated ``copies``
times: same ministries, stages and categories, each copy's codes and names marked), four
years of indicator history of every institution in the three official layouts (through the
indicator import, with the cycle's targets), the starting requirement catalog, and then
tells each institution one story of :data:`STORIES`, in turn: not started, a draft, sent,
in review (met, or failing), observed, corrected and sent again, approved (with the plan
begun, sent or approved) and rejected. Every step goes through the operations the pages
call, by the account whose job it is, so the versions, the history, the audit trail and
the mail queue are what real work leaves. Commits every few institutions.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from pmg.auth import operations as auth
from pmg.auth.models import User
from pmg.core.numbers import percent
from pmg.core.permissions import Role
from pmg.core.xlsx import Table, write_xlsx
from pmg.cycles.models import Cycle, WindowKind
from pmg.cycles.operations import create_cycle, default_execution
from pmg.extensions import db
from pmg.indicators.importer import import_indicators
from pmg.indicators.layouts import COMPLAINTS, PROCEDURES, SAIP, SHEET, DerivedPercent, Layout
from pmg.institutions.importer import SHEET as CATALOG_SHEET
from pmg.institutions.importer import import_catalog
from pmg.institutions.models import Institution
from pmg.requirements.catalog import starting_catalog_text
from pmg.requirements.operations import load_catalog
from pmg.review.models import Decision, ObservationAction, ObservationState, Outcome, Review
from pmg.review.observations import answer_observation
from pmg.review.operations import (
    Checklist,
    VerdictInput,
    decide,
    save_review,
    take,
)
from pmg.review.queries import current_review, observations_of
from pmg.submissions.models import Submission, SubmissionKind, SubmissionState
from pmg.submissions.operations import open_submission, save_draft, submit
from tests.factories import PASSWORD, diagnostic_draft, plan_draft, with_value

CATALOG = (
    Path(__file__).resolve().parents[1] / "pmg/demo/data/categorizacion_sistema_cseu_2025.xlsx"
)
HISTORY_YEARS = 4
PROCEDURE_NAMES = ("Trámite de prueba 1", "Trámite de prueba 2")  # as diagnostic_draft's
COMMIT_EVERY = 50
DIAGNOSTIC, PLAN = SubmissionKind.DIAGNOSTIC, SubmissionKind.PLAN


@dataclass(frozen=True)
class People:
    """Who signs in to look (the reviewer, DIPRES, the admin and each institution's
    coordinator, all with :data:`PASSWORD`) and who else reviews."""

    reviewer: User
    other_reviewer: User
    dipres: User
    admin: User
    coordinators: dict[str, User]


@dataclass(frozen=True)
class CycleData:
    cycle: Cycle
    people: People
    institutions: int
    submissions: int
    # An institution with history, an approved diagnostic and a sent plan: the one whose
    # page the benchmark opens.
    sample_code: str
    # The first institution each story of STORIES was told of, by the story's name.
    codes: dict[str, str]


# --- The catalog ------------------------------------------------------------------------


def catalog_workbook(copies: int) -> bytes:
    """The real catalog, its institutions repeated ``copies`` times: the first copy as it
    is, each other with ``-<n>`` after the code and `` <n>`` after the name."""
    sheet = load_workbook(CATALOG, read_only=True)[CATALOG_SHEET]
    header, *rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    institutions = [row for row in rows if row[2] is not None and row[0] and row[1]]
    repeated = [_copy(row, number) for number in range(copies) for row in institutions]
    buffer = BytesIO()
    write_xlsx([Table(CATALOG_SHEET, header, repeated)], buffer)
    return buffer.getvalue()


def _copy(row: tuple[Any, ...], number: int) -> tuple[Any, ...]:
    if number == 0:
        return row
    ministry, name, code, *rest = row
    return (ministry, f"{name} {number}", f"{code}-{number}", *rest)


# --- The indicator history --------------------------------------------------------------


def _counts(rng: random.Random, saip: bool) -> dict[str, float]:
    received = rng.randrange(20, 5000)
    answered = rng.randrange(received // 2, received + 1)
    over_20 = rng.randrange(0, answered // 5 + 1)
    figures: dict[str, float] = {
        "answered": answered,
        "received": received,
        "mean_days": round(rng.uniform(3, 25), 1),
        "median_days": round(rng.uniform(3, 20), 1),
        "min_days": 1,
        "max_days": rng.randrange(25, 90),
        "answered_over_20": over_20,
    }
    if saip:
        within_20 = answered - over_20
        within_15 = rng.randrange(within_20 // 2, within_20 + 1)
        figures |= {
            "answered_within_10": rng.randrange(within_15 // 2, within_15 + 1),
            "answered_within_15": within_15,
            "answered_within_20": within_20,
        }
    return figures


def procedure_figures(rng: random.Random) -> dict[str, float]:
    handled = rng.randrange(100, 50_000)
    mean = round(rng.uniform(2, 40), 1)
    return {
        "mean": mean,
        "median": round(mean * 0.9, 1),
        "minimum": 1,
        "maximum": round(mean * 3, 1),
        "handled_late": rng.randrange(0, handled // 4),
        "handled": handled,
    }


def year_cells(layout: Layout, figures: dict[str, float]) -> list[Any]:
    """A year's cells in the layout's order, with its percentages as the files show them."""
    cells: list[Any] = []
    for column in layout.per_year:
        if isinstance(column, DerivedPercent):
            share = percent(figures[column.numerator], figures[column.denominator])
            cells.append(float(share) if share is not None else "-")
        else:
            cells.append(figures[column.attribute])
    return cells


def procedure_row(identity: tuple[Any, ...], name: str, rng: random.Random) -> tuple[Any, ...]:
    """A procedure's row of the history file (``identity``: report code, code and name of
    its institution): how it is described, and its figures of every year."""
    return (
        *identity,
        name,
        "Masividad (volumen de transacciones)",
        "-",
        "Ingreso de la solicitud",
        "Notificación de la resolución",
        rng.choice((10, 15, 20, 30)),
        "días hábiles",
        *(
            cell
            for _ in range(HISTORY_YEARS)
            for cell in year_cells(PROCEDURES, procedure_figures(rng))
        ),
    )


def _history_rows(
    layout: Layout, institution: Institution, report_code: int, rng: random.Random
) -> list[tuple[Any, ...]]:
    identity = (report_code, institution.code, institution.name)
    if layout is PROCEDURES:
        return [procedure_row(identity, name, rng) for name in PROCEDURE_NAMES]
    years = [
        cell
        for _ in range(HISTORY_YEARS)
        for cell in year_cells(layout, _counts(rng, layout is SAIP))
    ]
    targets = (rng.choice((95, 97, 99)), rng.choice((0, 3, 5, 10)), rng.choice((8, 10, 12)))
    return [(*identity, *years, *targets)]


def import_history(cycle: Cycle, institutions: list[Institution], rng: random.Random) -> None:
    """The reference year and the three before it, every institution, each layout; each
    copy of an institution with the figures of the original (from a generator seeded by
    ``rng``, the layout and the original's code): at ten times the catalog an institution
    has the same history as at once, and its peers the same values, ten times each."""
    years = list(range(cycle.reference_year - HISTORY_YEARS + 1, cycle.reference_year + 1))
    seed = rng.getrandbits(64)
    for index, layout in enumerate((COMPLAINTS, SAIP, PROCEDURES)):
        rows = [
            row
            for number, institution in enumerate(institutions, start=1)
            for row in _history_rows(
                layout,
                institution,
                number,
                random.Random(f"{seed}:{index}:{_original(institution)}"),
            )
        ]
        buffer = BytesIO()
        write_xlsx([Table(SHEET, tuple(layout.headers(years)), rows)], buffer)
        import_indicators(buffer.getvalue(), cycle_year=cycle.year)


def _original(institution: Institution) -> str:
    """The code of the institution of the real catalog that ``institution`` copies."""
    return institution.code.rsplit("-", 1)[0]


# --- The stories ------------------------------------------------------------------------


def _send(
    institution: Institution,
    cycle: Cycle,
    kind: SubmissionKind,
    people: People,
    today: date,
    *,
    send: bool = True,
) -> Submission:
    coordinator = people.coordinators[institution.code]
    submission = open_submission(institution, cycle, kind)
    typed = diagnostic_draft() if kind is DIAGNOSTIC else plan_draft(year=cycle.year)
    save_draft(submission, {**submission.draft, **typed}, coordinator, submission.lock_version)
    if send:
        submit(submission, coordinator, today, submission.lock_version)
    return submission


def checklist(
    review: Review, failing: tuple[str, ...] = (), not_applicable: tuple[str, ...] = ()
) -> Checklist:
    """Every requirement met but those of ``failing`` (codes), not met with a note, and
    those of ``not_applicable``."""

    def verdict(code: str) -> VerdictInput:
        if code in failing:
            return VerdictInput(Outcome.FAILS, "Complete la información de este requisito.")
        if code in not_applicable:
            return VerdictInput(Outcome.NOT_APPLICABLE, "No corresponde a la institución.")
        return VerdictInput(Outcome.MEETS)

    return {v.requirement_id: verdict(v.requirement.code) for v in review.verdicts}


def reviewed(
    submission: Submission,
    reviewer: User,
    today: date,
    decision: Decision | None,
    failing: tuple[str, ...] = (),
    not_applicable: tuple[str, ...] = (),
) -> Review:
    """Taken by ``reviewer`` (a version sent again after an observation is back with its
    reviewer by itself), the checklist filled (:func:`checklist`), the answered
    observations resolved, then decided (``None``: saved)."""
    taken = current_review(submission) if submission.state is SubmissionState.IN_REVIEW else None
    review = taken or take(submission, reviewer, submission.lock_version)
    filled = checklist(review, failing, not_applicable)
    if decision is None:
        save_review(review, filled, {}, reviewer)
        return review
    resolutions = {
        observation.id: (ObservationAction.RESOLVE, "")
        for observation in observations_of(submission)
        if observation.state is ObservationState.ANSWERED
    }
    decide(
        review,
        decision,
        reviewer,
        submission.lock_version,
        today,
        note="" if decision is Decision.APPROVE else "Hay requisitos que no se cumplen.",
        checklist=filled,
        resolutions=resolutions,
    )
    return review


Story = Callable[[Institution, Cycle, People, date], None]


def not_started(institution: Institution, cycle: Cycle, people: People, today: date) -> None:
    """Nothing yet: *sin iniciar*."""


def drafted(institution: Institution, cycle: Cycle, people: People, today: date) -> None:
    _send(institution, cycle, DIAGNOSTIC, people, today, send=False)


def sent(institution: Institution, cycle: Cycle, people: People, today: date) -> None:
    _send(institution, cycle, DIAGNOSTIC, people, today)


def in_review_met(institution: Institution, cycle: Cycle, people: People, today: date) -> None:
    """With the reviewer who looks, every requirement met and saved: approvable in bulk."""
    submission = _send(institution, cycle, DIAGNOSTIC, people, today)
    reviewed(submission, people.reviewer, today, None)


def in_review_failing(institution: Institution, cycle: Cycle, people: People, today: date) -> None:
    submission = _send(institution, cycle, DIAGNOSTIC, people, today)
    reviewed(submission, people.other_reviewer, today, None, failing=("R02",))


def observed(institution: Institution, cycle: Cycle, people: People, today: date) -> None:
    submission = _send(institution, cycle, DIAGNOSTIC, people, today)
    reviewed(submission, people.reviewer, today, Decision.OBSERVE, failing=("R01",))


def corrected(institution: Institution, cycle: Cycle, people: People, today: date) -> None:
    """Observed, answered, corrected and sent again (back with its reviewer)."""
    submission = _send(institution, cycle, DIAGNOSTIC, people, today)
    reviewed(submission, people.reviewer, today, Decision.OBSERVE, failing=("R01",))
    coordinator = people.coordinators[institution.code]
    for observation in observations_of(submission):
        answer_observation(observation, "Se completó el equipo de trabajo.", coordinator)
    draft = with_value(submission.draft, "responsible.team", "Equipo completo")
    save_draft(submission, draft, coordinator, submission.lock_version)
    submit(submission, coordinator, today, submission.lock_version)


def approved_plan_begun(
    institution: Institution, cycle: Cycle, people: People, today: date
) -> None:
    submission = _send(institution, cycle, DIAGNOSTIC, people, today)
    reviewed(submission, people.reviewer, today, Decision.APPROVE)
    _send(institution, cycle, PLAN, people, today, send=False)


def approved_plan_sent(institution: Institution, cycle: Cycle, people: People, today: date) -> None:
    submission = _send(institution, cycle, DIAGNOSTIC, people, today)
    reviewed(submission, people.other_reviewer, today, Decision.APPROVE)
    _send(institution, cycle, PLAN, people, today)


def both_approved(institution: Institution, cycle: Cycle, people: People, today: date) -> None:
    for kind in (DIAGNOSTIC, PLAN):
        submission = _send(institution, cycle, kind, people, today)
        reviewed(submission, people.reviewer, today, Decision.APPROVE)


def approved_only(institution: Institution, cycle: Cycle, people: People, today: date) -> None:
    """The diagnostic approved, the plan not begun: its form opens empty."""
    submission = _send(institution, cycle, DIAGNOSTIC, people, today)
    reviewed(submission, people.reviewer, today, Decision.APPROVE)


def rejected(institution: Institution, cycle: Cycle, people: People, today: date) -> None:
    submission = _send(institution, cycle, DIAGNOSTIC, people, today)
    reviewed(submission, people.other_reviewer, today, Decision.REJECT, failing=("R03",))


STORIES: tuple[Story, ...] = (
    approved_plan_sent,  # the first institution: the sample whose page is opened
    not_started,
    drafted,
    sent,
    in_review_met,
    in_review_failing,
    observed,
    corrected,
    approved_plan_begun,
    both_approved,
    not_started,
    sent,
    rejected,
    approved_only,
)


# --- The whole cycle --------------------------------------------------------------------


def _windows(today: date) -> dict[WindowKind, tuple[date, date]]:
    """Every window open today (the close at the end of the year)."""
    opened, closes = today - timedelta(days=30), today + timedelta(days=60)
    year_end = date(today.year, 12, 31)
    return {
        WindowKind.DIAGNOSTIC: (opened, closes),
        WindowKind.PLAN: (opened, closes),
        WindowKind.REVIEW: (opened, closes),
        WindowKind.CORRECTION: (opened, closes),
        WindowKind.CLOSE: (year_end - timedelta(days=14), year_end),
    }


def _staff(role: Role, email: str, name: str) -> User:
    return auth.create_user(email=email, name=name, role=role, password=PASSWORD)


def _in_batches(items: list[Institution]) -> Iterator[Institution]:
    for number, item in enumerate(items, start=1):
        yield item
        if number % COMMIT_EVERY == 0:
            db.session.commit()


def start_cycle(copies: int, today: date, rng: random.Random) -> tuple[Cycle, list[Institution]]:
    """``copies`` × the real catalog, a current cycle of ``today``'s year whose windows are
    open, its requirement catalog and every institution's history: where a benchmark's
    cycle starts (its stories come after)."""
    import_catalog(catalog_workbook(copies))
    cycle = create_cycle(
        today.year,
        reference_year=today.year - 1,
        windows=_windows(today),
        execution=default_execution(today.year),
        make_current=True,
    )
    load_catalog(cycle, starting_catalog_text(), actor=None)
    institutions = list(db.session.scalars(db.select(Institution).order_by(Institution.id)))
    import_history(cycle, institutions, rng)
    return cycle, institutions


def build_cycle(copies: int, today: date, progress: Callable[[str], None]) -> CycleData:
    """The whole cycle of ``copies`` × the real catalog; committed."""
    cycle, institutions = start_cycle(copies, today, random.Random(2026))
    progress(f"catalog and history: {len(institutions)} institutions")
    coordinators = {
        i.code: auth.create_user(
            email=f"coordinacion-{i.id}@servicio.gob.cl",
            name=f"Coordinación {i.code}",
            role=Role.COORDINATOR,
            password=PASSWORD,
            institutions=[i],
        )
        for i in institutions
    }
    people = People(
        reviewer=_staff(Role.REVIEWER, "revisora@servicio.gob.cl", "Rosa Revisora"),
        other_reviewer=_staff(Role.REVIEWER, "revisor@servicio.gob.cl", "Bruno Revisor"),
        dipres=_staff(Role.DIPRES, "dipres@servicio.gob.cl", "Ana DIPRES"),
        admin=_staff(Role.ADMIN, "admin@servicio.gob.cl", "Alba Administradora"),
        coordinators=coordinators,
    )
    db.session.commit()
    codes: dict[str, str] = {}
    for number, institution in enumerate(_in_batches(institutions)):
        story = STORIES[number % len(STORIES)]
        story(institution, cycle, people, today)
        codes.setdefault(story.__name__, institution.code)
    db.session.commit()
    submissions = db.session.scalar(db.select(db.func.count(Submission.id))) or 0
    progress(f"submissions: {submissions}")
    return CycleData(cycle, people, len(institutions), submissions, institutions[0].code, codes)
