"""The dashboard's figures as plain functions (pmg.dashboard.figures and .workload), on
values built in memory (nothing is saved): the cycle shown, the standings overall, by
ministry and by stage with their links, the overdue phrases, the reviewers' workload and
median days, and what waits in the queue."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask import Flask

from pmg.core.permissions import Role
from pmg.cycles.models import Cycle
from pmg.dashboard.figures import (
    LIST,
    UNKNOWN_CYCLE,
    Link,
    Tally,
    by_ministry,
    by_stage,
    choose_cycle,
    kind_figures,
    overall,
    overdue_row,
)
from pmg.dashboard.standing import STANDINGS
from pmg.dashboard.workload import (
    QUEUE,
    CountRow,
    DecisionRow,
    decision_days,
    own_work,
    reviewer_work,
    unassigned,
    workload,
)
from pmg.institutions.models import Stage
from pmg.submissions.kinds import KINDS
from pmg.submissions.models import SubmissionKind, SubmissionState

S = SubmissionState
D, P = SubmissionKind.DIAGNOSTIC, SubmissionKind.PLAN


@pytest.fixture(autouse=True)
def _kinds(app: Flask) -> None:
    """The kinds are registered when the application is built."""


def cycle(year: int, current: bool = False) -> Cycle:
    return Cycle(id=year, year=year, is_current=current)


# --- The cycle shown ----------------------------------------------------------------------


def test_the_current_cycle_is_shown_unless_another_is_asked_for() -> None:
    old, now, next_one = cycle(2025), cycle(2026, current=True), cycle(2027)
    cycles = [now, old, next_one]
    assert choose_cycle(None, cycles).cycle is now
    assert choose_cycle("", cycles).cycle is now
    chosen = choose_cycle("2025", cycles)
    assert (chosen.cycle, chosen.error) == (old, "")
    assert [c.year for c in chosen.cycles] == [2027, 2026, 2025]


def test_without_a_current_cycle_the_latest_is_shown() -> None:
    assert choose_cycle(None, [cycle(2025), cycle(2027)]).cycle.year == 2027  # type: ignore[union-attr]


@pytest.mark.parametrize("asked", ["1999", "abc", "2026x", "0"])
def test_an_unknown_cycle_says_so_and_shows_the_default(asked: str) -> None:
    now = cycle(2026, current=True)
    chosen = choose_cycle(asked, [now, cycle(2025)])
    assert (chosen.cycle, chosen.error) == (now, UNKNOWN_CYCLE)


def test_no_cycle_at_all() -> None:
    chosen = choose_cycle("2026", [])
    assert (chosen.cycles, chosen.cycle, chosen.error) == ((), None, UNKNOWN_CYCLE)
    assert choose_cycle(None, []).cycle is None


# --- Standings ------------------------------------------------------------------------------


def tally(
    standing: str,
    number: int,
    *,
    late: bool = False,
    ministry: int = 1,
    stage: Stage = Stage.STAGE_1,
) -> Tally:
    return Tally(ministry, f"MINISTERIO {ministry}", stage, standing, late, number)


def test_a_kinds_figures_count_each_standing_and_link_to_its_list() -> None:
    spec = KINDS[D]
    figures = kind_figures(
        spec,
        [
            tally("sin_iniciar", 3, late=True),
            tally("draft", 1, late=True),
            tally("draft", 1),
            tally("submitted", 2),
            tally("observed", 1, late=True),
            tally("approved", 4),
            tally("rejected", 1),
        ],
        {"ciclo": "2026"},
    )
    assert [count.number for count in figures.standings] == [3, 2, 2, 0, 1, 0, 4, 1]
    assert (figures.total, figures.sent, figures.approved) == (13, 8, 4)
    assert figures.sent_pct == Decimal("61.5")  # 8 of 13
    assert figures.approved_pct == Decimal("30.8")
    assert figures.late.number == 5
    assert figures.late.link == Link(
        "Diagnóstico de brechas: atrasadas", LIST, {"ciclo": "2026", "atrasadas": "diagnostico"}
    )
    first = figures.standings[0]
    assert first.label == "Diagnóstico de brechas: Sin iniciar"
    assert first.link == Link(first.label, LIST, {"ciclo": "2026", "diagnostico": "sin_iniciar"})
    assert [c.link.values["diagnostico"] for c in figures.standings if c.link] == [
        s.value for s in STANDINGS
    ]


def test_no_institution_has_no_percentage() -> None:
    figures = kind_figures(KINDS[P], [], {"ciclo": "2026"})
    assert (figures.total, figures.sent_pct, figures.approved_pct) == (0, None, None)


def test_figures_by_ministry_by_name_with_their_filter() -> None:
    year = cycle(2026)
    tallies = {
        D: [
            Tally(7, "MINISTERIO DE SALUD", Stage.STAGE_1, "approved", False, 2),
            Tally(3, "MINISTERIO DE EDUCACIÓN", Stage.STAGE_2, "sin_iniciar", True, 1),
            Tally(7, "MINISTERIO DE SALUD", Stage.STAGE_2, "draft", False, 1),
        ],
        P: [
            Tally(7, "MINISTERIO DE SALUD", Stage.STAGE_1, "sin_iniciar", False, 3),
            Tally(3, "MINISTERIO DE EDUCACIÓN", Stage.STAGE_2, "sin_iniciar", False, 1),
        ],
    }
    rows = by_ministry(tallies, year)
    assert [row.label for row in rows] == ["MINISTERIO DE EDUCACIÓN", "MINISTERIO DE SALUD"]
    education, health = rows
    diagnostic, plan = health.kinds
    assert (diagnostic.total, diagnostic.approved, plan.total) == (3, 2, 3)
    assert diagnostic.standings[1].link == Link(
        "Diagnóstico de brechas · MINISTERIO DE SALUD: Borrador",
        LIST,
        {"ciclo": "2026", "ministerio": "7", "diagnostico": "draft"},
    )
    assert education.kinds[0].late.link.values == {  # type: ignore[union-attr]
        "ciclo": "2026",
        "ministerio": "3",
        "atrasadas": "diagnostico",
    }
    assert education.kinds[0].late.number == 1

    stages = by_stage(tallies, year)
    assert [row.label for row in stages] == ["Etapa 1", "Etapa 2"]
    assert stages[1].kinds[1].standings[0].link.values == {  # type: ignore[union-attr]
        "ciclo": "2026",
        "etapa": "etapa_2",
        "plan": "sin_iniciar",
    }
    assert [k.total for k in stages[1].kinds] == [2, 1]

    whole = overall(tallies, year)
    assert [k.total for k in whole] == [4, 4]
    assert whole[0].standings[0].link.values == {  # type: ignore[union-attr]
        "ciclo": "2026",
        "diagnostico": "sin_iniciar",
    }


# --- Overdue --------------------------------------------------------------------------------


def test_an_overdue_row_says_which_deadline_passed_and_when() -> None:
    today = date(2027, 1, 15)
    unsent = overdue_row("1306", "SERVICIO", "MINISTERIO", "sin_iniciar", date(2027, 1, 12), today)
    assert unsent.days == 3
    assert (
        unsent.phrase == "Sin iniciar: el plazo de envío venció el 12 de enero de 2027, hace 3 días"
    )
    observed = overdue_row("1306", "SERVICIO", "MINISTERIO", "observed", date(2027, 1, 14), today)
    assert observed.phrase == (
        "Con observaciones: el plazo de corrección venció el 14 de enero de 2027, hace 1 día"
    )


# --- Reviewers --------------------------------------------------------------------------------


def at(day: int, hour: int) -> datetime:
    return datetime(2027, 3, day, hour, tzinfo=UTC)


def test_days_to_decision_count_the_first_decision_of_each_version_in_chile() -> None:
    rows = [
        # Version 1 of submission 1: sent on 1 March (Chile), observed on 4 March by 10, then
        # a second decision on it (rejected, overdue) that does not count.
        DecisionRow(1, 1, 10, at(1, 15), at(4, 15)),
        DecisionRow(1, 1, 11, at(1, 15), at(20, 15)),
        # Version 2 of submission 1: sent and decided on the same day.
        DecisionRow(1, 2, 10, at(6, 12), at(6, 20)),
        # Sent at 02:00 UTC on 3 March: still 2 March in Chile; decided 3 March.
        DecisionRow(2, 1, 11, at(3, 2), at(3, 15)),
    ]
    assert decision_days(reversed(rows)) == {10: [3, 0], 11: [1]}


def test_each_reviewers_workload_with_links_to_the_queue() -> None:
    rows = [
        CountRow(D, S.IN_REVIEW, 10, 2),
        CountRow(P, S.IN_REVIEW, 10, 1),
        CountRow(D, S.OBSERVED, 10, 1),
        CountRow(D, S.APPROVED, 10, 3),
        CountRow(D, S.REJECTED, 11, 1),
        CountRow(D, S.SUBMITTED, None, 5),
    ]
    decisions = [
        DecisionRow(1, 1, 10, at(1, 15), at(2, 15)),
        DecisionRow(2, 1, 10, at(1, 15), at(5, 15)),
        DecisionRow(3, 1, 10, at(1, 15), at(3, 15)),
        DecisionRow(4, 1, 10, at(1, 15), at(9, 15)),
    ]
    rosa, bruno, nadia = workload(
        [(10, "Rosa"), (11, "Bruno"), (12, "Nadia")], rows, decisions, linked=True
    )
    assert (rosa.assigned.number, rosa.pending, rosa.decided) == (7, 3, 3)
    assert [count.number for count in rosa.states] == [3, 0, 1, 3, 0]
    assert (rosa.decisions, rosa.median_days) == (4, 3.0)  # 1, 2, 4, 8 days
    assert rosa.assigned.link == Link("Rosa: asignados", QUEUE, {"revisor": "10"})
    assert rosa.states[2].link == Link(
        "Rosa: Con observaciones", QUEUE, {"revisor": "10", "estado": "observed"}
    )
    assert (bruno.assigned.number, bruno.decided, bruno.median_days) == (1, 1, None)
    assert (nadia.assigned.number, nadia.decisions) == (0, 0)

    other_cycle = workload([(10, "Rosa")], rows, decisions, linked=False)[0]
    assert other_cycle.assigned.link is None
    assert all(count.link is None for count in other_cycle.states)


def test_the_median_of_an_even_number_of_days_is_halfway() -> None:
    decisions = [
        DecisionRow(1, 1, 10, at(1, 15), at(2, 15)),
        DecisionRow(2, 1, 10, at(1, 15), at(3, 15)),
    ]
    assert workload([(10, "Rosa")], [], decisions, linked=True)[0].median_days == 1.5


ROWS = [
    CountRow(D, S.IN_REVIEW, 10, 2),
    CountRow(D, S.RESUBMITTED, 10, 1),
    CountRow(D, S.IN_REVIEW, 11, 4),
    CountRow(D, S.SUBMITTED, None, 3),
    CountRow(P, S.RESUBMITTED, None, 1),
    CountRow(P, S.DRAFT, None, 6),
]


def test_what_waits_for_a_reviewer_and_what_nobody_took() -> None:
    waiting = reviewer_work(ROWS, 10)
    assert [(c.label, c.number) for c in waiting] == [
        ("En revisión por usted", 2),
        ("Reenviados con correcciones", 1),
    ]
    assert waiting[0].link == Link(
        "En revisión por usted", QUEUE, {"estado": "in_review", "revisor": "10"}
    )
    nobody = unassigned(ROWS)
    assert (nobody.number, nobody.link) == (4, Link("Sin asignar", QUEUE, {"revisor": "0"}))


@pytest.mark.parametrize(
    ("role", "waiting", "nobody"),
    [
        (Role.REVIEWER, True, True),
        (Role.ADMIN, False, True),
        (Role.DIPRES, False, False),
    ],
)
def test_who_sees_what_waits_in_the_queue(role: Role, waiting: bool, nobody: bool) -> None:
    work = own_work(ROWS, role, 10)
    assert (work.waiting is not None, work.unassigned is not None) == (waiting, nobody)
    shown_elsewhere = own_work(None, role, 10)  # another cycle than the queue's
    assert (shown_elsewhere.waiting, shown_elsewhere.unassigned) == (None, None)
