"""Every change to a cycle: creating it, editing its windows, choosing the current one.

Operations flush but never commit: the route or CLI command owns the transaction.
Each change is recorded in the audit trail; ``actor`` is ``None`` for the command line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from pmg.audit.actions import AuditAction
from pmg.audit.operations import record, split_changes
from pmg.core.errors import DomainError
from pmg.core.filters import format_date
from pmg.core.permissions import Actor
from pmg.cycles.models import Cycle, WindowKind
from pmg.extensions import db

MIN_YEAR = 2000
MAX_YEAR = 2100

Windows = Mapping[WindowKind, tuple[date, date]]


@dataclass(frozen=True)
class Problem:
    """One broken rule.

    ``field`` names the form field it concerns (``None``: the cycle as a whole);
    ``kind`` the window, which a form shows in the fieldset legend rather than in
    the message.
    """

    field: str | None
    message: str
    kind: WindowKind | None = None

    def __str__(self) -> str:
        if self.kind is None:
            return self.message
        return f"{self.kind.label}: {self.message[:1].lower()}{self.message[1:]}"


class InvalidCycle(DomainError):
    """The cycle breaks one or more rules; every problem is reported at once."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(" ".join(str(problem) for problem in problems))
        self.problems = problems


def start_field(kind: WindowKind) -> str:
    return f"{kind.value}_start"


def end_field(kind: WindowKind) -> str:
    return f"{kind.value}_end"


def date_range(year: int) -> tuple[date, date]:
    """The dates a cycle's windows may take: from the year before to the year after."""
    return date(year - 1, 1, 1), date(year + 1, 12, 31)


def default_execution(year: int) -> tuple[date, date]:
    """The plan's execution period when none is given: the calendar year of the cycle."""
    return date(year, 1, 1), date(year, 12, 31)


EXECUTION_FIELDS = ("execution_start", "execution_end")


def _period_problems(
    fields: tuple[str, str],
    period: tuple[date, date],
    bounds: tuple[date, date] | None,
    kind: WindowKind | None = None,
) -> list[Problem]:
    """What is wrong with one period (a window, the plan's execution) whose start and end
    are the form fields ``fields``: a date outside ``bounds``, or the end before the start."""
    problems: list[Problem] = []
    if bounds is not None:
        out_of_range = (
            f"La fecha debe estar entre el {format_date(bounds[0])} y el "
            f"{format_date(bounds[1])}."
        )
        for name, value in zip(fields, period, strict=True):
            if not bounds[0] <= value <= bounds[1]:
                problems.append(Problem(name, out_of_range, kind))
    if period[0] > period[1]:
        message = "La fecha de término no puede ser anterior a la de inicio."
        problems.append(Problem(fields[1], message, kind))
    return problems


def _year_taken(year: int, cycle: Cycle | None) -> bool:
    query = select(Cycle.id).where(Cycle.year == year)
    if cycle is not None and cycle.id is not None:
        query = query.where(Cycle.id != cycle.id)
    return db.session.scalar(query) is not None


def _window_problems(year: int | None, windows: Windows) -> list[Problem]:
    problems: list[Problem] = []
    bounds = date_range(year) if year is not None else None
    previous: tuple[WindowKind, date] | None = None
    for kind in WindowKind:
        if kind not in windows:
            problems.append(Problem(start_field(kind), "Faltan las fechas.", kind))
            continue
        start, end = windows[kind]
        fields = (start_field(kind), end_field(kind))
        problems.extend(_period_problems(fields, (start, end), bounds, kind))
        if previous is not None and start < previous[1]:
            message = (
                f"No puede comenzar antes que «{previous[0].label}», "
                f"que comienza el {format_date(previous[1])}."
            )
            problems.append(Problem(start_field(kind), message, kind))
        previous = (kind, start)
    return problems


def cycle_problems(
    year: int,
    reference_year: int,
    windows: Windows,
    *,
    execution: tuple[date, date] | None = None,
    cycle: Cycle | None = None,
) -> list[Problem]:
    """Every rule the given values break; ``cycle`` is the one being edited, if any."""
    problems: list[Problem] = []
    year_ok = MIN_YEAR <= year <= MAX_YEAR
    if not year_ok:
        problems.append(
            Problem("year", f"El año del ciclo debe estar entre {MIN_YEAR} y {MAX_YEAR}.")
        )
    elif _year_taken(year, cycle):
        problems.append(Problem("year", f"Ya existe el ciclo {year}."))
    if reference_year >= year:
        problems.append(
            Problem(
                "reference_year",
                f"El año de referencia debe ser anterior al año del ciclo ({year}).",
            )
        )
    problems.extend(_window_problems(year if year_ok else None, windows))
    if execution is not None:
        bounds = date_range(year) if year_ok else None
        problems.extend(_period_problems(EXECUTION_FIELDS, execution, bounds))
    return problems


def describe(cycle: Cycle) -> dict[str, Any]:
    """What the audit trail keeps about a cycle: its years, the dates of its windows and the
    plan's execution period."""
    values: dict[str, Any] = {"year": cycle.year, "reference_year": cycle.reference_year}
    for kind in WindowKind:
        for name in (start_field(kind), end_field(kind)):
            values[name] = getattr(cycle, name)
    for name in EXECUTION_FIELDS:
        values[name] = getattr(cycle, name)
    return values


def _apply(
    cycle: Cycle,
    year: int,
    reference_year: int,
    windows: Windows,
    execution: tuple[date, date],
) -> None:
    cycle.year = year
    cycle.reference_year = reference_year
    for kind in WindowKind:
        start, end = windows[kind]
        setattr(cycle, start_field(kind), start)
        setattr(cycle, end_field(kind), end)
    cycle.execution_start, cycle.execution_end = execution


def _flush_year(year: int) -> None:
    """Flush, turning a clash on the unique year (someone saved it meanwhile) into the rule."""
    try:
        db.session.flush()
    except IntegrityError as clash:
        raise InvalidCycle([Problem("year", f"Ya existe el ciclo {year}.")]) from clash


def create_cycle(
    year: int,
    *,
    reference_year: int | None = None,
    windows: Windows,
    execution: tuple[date, date] | None = None,
    make_current: bool = False,
    actor: Actor | None = None,
) -> Cycle:
    """Create the cycle of ``year``; the first cycle becomes current even if not asked.

    Without ``execution``, the plan's actions may take place in the cycle's calendar year.
    """
    reference_year = year - 1 if reference_year is None else reference_year
    execution = execution or default_execution(year)
    problems = cycle_problems(year, reference_year, windows, execution=execution)
    if problems:
        raise InvalidCycle(problems)
    cycle = Cycle(is_current=False)
    _apply(cycle, year, reference_year, windows, execution)
    db.session.add(cycle)
    _flush_year(year)
    record(AuditAction.CYCLE_CREATE, cycle, actor=actor, after=describe(cycle))
    no_current = db.session.scalar(select(Cycle.id).where(Cycle.is_current.is_(True))) is None
    if make_current or no_current:
        set_current_cycle(cycle, actor=actor)
    return cycle


def update_cycle(
    cycle: Cycle,
    *,
    year: int,
    reference_year: int | None = None,
    windows: Windows,
    execution: tuple[date, date] | None = None,
    actor: Actor | None = None,
) -> None:
    """Change the cycle's years, windows and (when given) the plan's execution period."""
    reference_year = year - 1 if reference_year is None else reference_year
    execution = execution or cycle.execution_period
    problems = cycle_problems(year, reference_year, windows, execution=execution, cycle=cycle)
    if problems:
        raise InvalidCycle(problems)
    old = describe(cycle)
    _apply(cycle, year, reference_year, windows, execution)
    _flush_year(year)
    new = describe(cycle)
    changes = {name: (old[name], new[name]) for name in new if old[name] != new[name]}
    if changes:
        before, after = split_changes(changes)
        record(AuditAction.CYCLE_UPDATE, cycle, actor=actor, before=before, after=after)


def set_current_cycle(cycle: Cycle, *, actor: Actor | None = None) -> None:
    """Make ``cycle`` the current one.

    The previous current cycle is unset and flushed first, so the partial unique
    index never sees two current cycles.
    """
    if cycle.is_current:
        return
    previous = db.session.scalars(
        select(Cycle).where(Cycle.is_current.is_(True), Cycle.id != cycle.id)
    )
    replaced = None
    for other in previous:
        other.is_current = False
        replaced = other.year
    db.session.flush()
    cycle.is_current = True
    db.session.flush()
    record(
        AuditAction.CYCLE_MAKE_CURRENT,
        cycle,
        actor=actor,
        before={"current_year": replaced},
        after={"current_year": cycle.year},
    )
