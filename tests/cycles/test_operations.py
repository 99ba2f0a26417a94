from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from pmg.audit.models import AuditEntry
from pmg.cycles.models import Cycle, WindowKind
from pmg.cycles.operations import (
    InvalidCycle,
    Problem,
    create_cycle,
    cycle_problems,
    set_current_cycle,
    update_cycle,
)
from pmg.cycles.queries import WindowState, current_cycle, window_states
from pmg.extensions import db
from tests.factories import create_cycle as make_cycle

D, P, R, C, X = (
    WindowKind.DIAGNOSTIC,
    WindowKind.PLAN,
    WindowKind.REVIEW,
    WindowKind.CORRECTION,
    WindowKind.CLOSE,
)


def windows_for(year: int, **changes: tuple[date, date]) -> dict[WindowKind, tuple[date, date]]:
    """Valid windows for ``year``; ``changes`` replaces some, by kind value."""
    windows = {
        D: (date(year, 3, 2), date(year, 4, 30)),
        P: (date(year, 5, 4), date(year, 6, 30)),
        R: (date(year, 7, 1), date(year, 8, 31)),
        C: (date(year, 9, 1), date(year, 9, 30)),
        X: (date(year, 10, 1), date(year, 12, 31)),
    }
    windows.update({WindowKind(kind): dates for kind, dates in changes.items()})
    return windows


def current_years() -> list[int]:
    return list(db.session.scalars(select(Cycle.year).where(Cycle.is_current.is_(True))))


# --- Validation rules ----------------------------------------------------------------------

RANGE = "La fecha debe estar entre el 1 de enero de 2025 y el 31 de diciembre de 2027."
RULES: list[tuple[str, dict[str, Any], list[Problem]]] = [
    (
        "reference year equal to the year",
        {"reference_year": 2026},
        [
            Problem(
                "reference_year", "El año de referencia debe ser anterior al año del ciclo (2026)."
            )
        ],
    ),
    (
        "reference year after the year",
        {"reference_year": 2027},
        [
            Problem(
                "reference_year", "El año de referencia debe ser anterior al año del ciclo (2026)."
            )
        ],
    ),
    (
        "year below the range",
        {"year": 1999, "reference_year": 1998, "windows": windows_for(1999)},
        [Problem("year", "El año del ciclo debe estar entre 2000 y 2100.")],
    ),
    (
        "year above the range",
        {"year": 2101, "reference_year": 2100, "windows": windows_for(2101)},
        [Problem("year", "El año del ciclo debe estar entre 2000 y 2100.")],
    ),
    (
        "window ending before it starts",
        {"windows": windows_for(2026, review=(date(2026, 8, 1), date(2026, 7, 31)))},
        [Problem("review_end", "La fecha de término no puede ser anterior a la de inicio.", R)],
    ),
    (
        "window starting before the previous one",
        {"windows": windows_for(2026, plan=(date(2026, 3, 1), date(2026, 6, 30)))},
        [
            Problem(
                "plan_start",
                "No puede comenzar antes que «Envío del diagnóstico», "
                "que comienza el 2 de marzo de 2026.",
                P,
            )
        ],
    ),
    (
        "date before the year before the cycle",
        {"windows": windows_for(2026, diagnostic=(date(2024, 12, 31), date(2026, 4, 30)))},
        [Problem("diagnostic_start", RANGE, D)],
    ),
    (
        "date after the year after the cycle",
        {"windows": windows_for(2026, close=(date(2026, 10, 1), date(2028, 1, 1)))},
        [Problem("close_end", RANGE, X)],
    ),
    (
        "execution ending before it starts",
        {"execution": (date(2026, 6, 1), date(2026, 5, 31))},
        [Problem("execution_end", "La fecha de término no puede ser anterior a la de inicio.")],
    ),
    (
        "execution outside the range",
        {"execution": (date(2024, 12, 31), date(2028, 1, 1))},
        [Problem("execution_start", RANGE), Problem("execution_end", RANGE)],
    ),
    (
        "missing window",
        {"windows": {kind: dates for kind, dates in windows_for(2026).items() if kind is not C}},
        [Problem("correction_start", "Faltan las fechas.", C)],
    ),
]


@pytest.mark.parametrize(
    ("changes", "expected"), [rule[1:] for rule in RULES], ids=[rule[0] for rule in RULES]
)
def test_cycle_rules(app: Any, changes: dict[str, Any], expected: list[Problem]) -> None:
    values: dict[str, Any] = {"year": 2026, "reference_year": 2025, "windows": windows_for(2026)}
    values.update(changes)
    problems = cycle_problems(
        values["year"],
        values["reference_year"],
        values["windows"],
        execution=values.get("execution"),
    )
    assert problems == expected


@pytest.mark.parametrize(
    "windows",
    [
        windows_for(2026),
        # Windows may share a start day and reach into the years around the cycle.
        windows_for(
            2026,
            diagnostic=(date(2025, 1, 1), date(2026, 4, 30)),
            plan=(date(2025, 1, 1), date(2026, 6, 30)),
            close=(date(2027, 1, 1), date(2027, 12, 31)),
        ),
        # A window of a single day.
        windows_for(2026, review=(date(2026, 7, 1), date(2026, 7, 1))),
    ],
    ids=["typical", "edges of the range", "one-day window"],
)
def test_cycle_rules_accept_valid_windows(app: Any, windows: dict[WindowKind, Any]) -> None:
    assert cycle_problems(2026, 2025, windows) == []


def test_cycle_rules_report_every_problem_at_once(app: Any) -> None:
    windows = windows_for(
        2026,
        plan=(date(2026, 3, 1), date(2026, 2, 1)),
        close=(date(2026, 10, 1), date(2030, 1, 1)),
    )
    problems = cycle_problems(2026, 2026, windows)
    assert [problem.field for problem in problems] == [
        "reference_year",
        "plan_end",
        "plan_start",
        "close_end",
    ]


def test_invalid_cycle_message_names_each_window(app: Any) -> None:
    windows = windows_for(2026, review=(date(2026, 8, 1), date(2026, 7, 31)))
    with pytest.raises(InvalidCycle) as refused:
        create_cycle(2026, windows=windows)
    assert refused.value.message == (
        "Revisión: la fecha de término no puede ser anterior a la de inicio."
    )
    assert db.session.scalar(select(func.count(Cycle.id))) == 0


# --- Creating and editing ------------------------------------------------------------------


def test_create_cycle_defaults_reference_year_and_makes_the_first_current(app: Any) -> None:
    cycle = create_cycle(2026, windows=windows_for(2026))
    db.session.commit()
    assert (cycle.year, cycle.reference_year, cycle.is_current) == (2026, 2025, True)
    assert cycle.window(WindowKind.PLAN) == (date(2026, 5, 4), date(2026, 6, 30))
    assert current_cycle() is cycle


def test_create_cycle_without_execution_period_takes_the_calendar_year(app: Any) -> None:
    cycle = create_cycle(2026, windows=windows_for(2026))
    assert cycle.execution_period == (date(2026, 1, 1), date(2026, 12, 31))


def test_create_cycle_keeps_an_execution_period_across_years(app: Any) -> None:
    execution = (date(2026, 7, 1), date(2027, 6, 30))
    cycle = create_cycle(2026, windows=windows_for(2026), execution=execution)
    db.session.commit()
    assert (cycle.execution_start, cycle.execution_end) == execution


def test_update_cycle_changes_the_execution_period_and_records_it(app: Any) -> None:
    cycle = make_cycle(2026)
    execution = (date(2026, 3, 1), date(2027, 2, 28))
    update_cycle(cycle, year=2026, windows=windows_for(2026), execution=execution)
    db.session.commit()
    assert cycle.execution_period == execution
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.before["execution_start"] == "2026-01-01"
    assert entry.after["execution_end"] == "2027-02-28"


def test_update_cycle_without_execution_keeps_it(app: Any) -> None:
    cycle = make_cycle(2026)
    update_cycle(cycle, year=2026, windows=windows_for(2026))
    assert cycle.execution_period == (date(2026, 1, 1), date(2026, 12, 31))


def test_create_cycle_keeps_the_current_one_unless_asked(app: Any) -> None:
    make_cycle(2026)
    create_cycle(2027, reference_year=2025, windows=windows_for(2027))
    db.session.commit()
    assert current_years() == [2026]
    assert db.session.scalar(select(Cycle.reference_year).where(Cycle.year == 2027)) == 2025


def test_create_cycle_made_current_replaces_the_previous(app: Any) -> None:
    make_cycle(2026)
    create_cycle(2027, windows=windows_for(2027), make_current=True)
    db.session.commit()
    assert current_years() == [2027]
    assert current_cycle().year == 2027


def test_create_cycle_refuses_a_year_that_exists(app: Any) -> None:
    make_cycle(2026)
    with pytest.raises(InvalidCycle) as refused:
        create_cycle(2026, windows=windows_for(2026))
    assert refused.value.problems == [Problem("year", "Ya existe el ciclo 2026.")]


def test_create_cycle_reports_a_year_saved_meanwhile_as_the_rule(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_cycle(2026)
    monkeypatch.setattr("pmg.cycles.operations._year_taken", lambda year, cycle: False)
    with pytest.raises(InvalidCycle) as refused:
        create_cycle(2026, windows=windows_for(2026))
    assert refused.value.problems == [Problem("year", "Ya existe el ciclo 2026.")]
    db.session.rollback()
    assert [c.year for c in db.session.scalars(select(Cycle))] == [2026]


def test_update_cycle_changes_year_reference_and_windows(app: Any) -> None:
    cycle = make_cycle(2026)
    windows = windows_for(2027, close=(date(2027, 10, 1), date(2028, 1, 31)))
    update_cycle(cycle, year=2027, reference_year=2025, windows=windows)
    db.session.commit()
    assert (cycle.year, cycle.reference_year) == (2027, 2025)
    assert cycle.window(WindowKind.CLOSE) == (date(2027, 10, 1), date(2028, 1, 31))
    assert cycle.is_current


def test_update_cycle_keeping_its_own_year_is_not_a_duplicate(app: Any) -> None:
    cycle = make_cycle(2026)
    update_cycle(cycle, year=2026, windows=windows_for(2026))
    assert cycle.reference_year == 2025


def test_update_cycle_refuses_the_year_of_another_cycle(app: Any) -> None:
    make_cycle(2025, current=False)
    cycle = make_cycle(2026)
    with pytest.raises(InvalidCycle) as refused:
        update_cycle(cycle, year=2025, windows=windows_for(2025))
    assert refused.value.problems == [Problem("year", "Ya existe el ciclo 2025.")]
    db.session.rollback()
    assert cycle.year == 2026


# --- The current cycle ---------------------------------------------------------------------


def test_set_current_cycle_keeps_exactly_one_current(app: Any) -> None:
    cycles = [make_cycle(year, current=year == 2024) for year in (2024, 2025, 2026)]
    for cycle in (cycles[1], cycles[2], cycles[0], cycles[2]):
        set_current_cycle(cycle)
        db.session.commit()
        assert current_years() == [cycle.year]


def test_set_current_cycle_on_the_current_one_changes_nothing(app: Any) -> None:
    cycle = make_cycle(2026)
    set_current_cycle(cycle)
    db.session.commit()
    assert current_years() == [2026]


# --- Window states -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (date(2026, 3, 1), WindowState.UPCOMING),
        (date(2026, 3, 2), WindowState.OPEN),
        (date(2026, 4, 30), WindowState.OPEN),
        (date(2026, 5, 1), WindowState.CLOSED),
    ],
    ids=["day before", "first day", "last day", "day after"],
)
def test_window_state_of_the_diagnostic(app: Any, today: date, state: WindowState) -> None:
    cycle = create_cycle(2026, windows=windows_for(2026))
    rows = window_states(cycle, today)
    assert rows[0].kind is WindowKind.DIAGNOSTIC
    assert (rows[0].start, rows[0].end, rows[0].state) == (
        date(2026, 3, 2),
        date(2026, 4, 30),
        state,
    )


def test_window_states_follow_the_order_of_the_cycle(app: Any) -> None:
    cycle = create_cycle(2026, windows=windows_for(2026))
    rows = window_states(cycle, date(2026, 7, 15))
    assert [(row.kind, row.state.label) for row in rows] == [
        (D, "Cerrado"),
        (P, "Cerrado"),
        (R, "Abierto"),
        (C, "Próximo"),
        (X, "Próximo"),
    ]
