"""Every change to a cycle: creating it, editing its windows, choosing the current one.

Operations flush but never commit: the route or CLI command owns the transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from pmg.core.errors import DomainError
from pmg.core.filters import format_date
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


def _year_taken(year: int, cycle: Cycle | None) -> bool:
    query = select(Cycle.id).where(Cycle.year == year)
    if cycle is not None and cycle.id is not None:
        query = query.where(Cycle.id != cycle.id)
    return db.session.scalar(query) is not None


def _window_problems(year: int | None, windows: Windows) -> list[Problem]:
    problems: list[Problem] = []
    bounds = date_range(year) if year is not None else None
    out_of_range = (
        f"La fecha debe estar entre el {format_date(bounds[0])} y el {format_date(bounds[1])}."
        if bounds
        else ""
    )
    previous: tuple[WindowKind, date] | None = None
    for kind in WindowKind:
        if kind not in windows:
            problems.append(Problem(start_field(kind), "Faltan las fechas.", kind))
            continue
        start, end = windows[kind]
        for name, value in ((start_field(kind), start), (end_field(kind), end)):
            if bounds and not bounds[0] <= value <= bounds[1]:
                problems.append(Problem(name, out_of_range, kind))
        if start > end:
            message = "La fecha de término no puede ser anterior a la de inicio."
            problems.append(Problem(end_field(kind), message, kind))
        if previous is not None and start < previous[1]:
            message = (
                f"No puede comenzar antes que «{previous[0].label}», "
                f"que comienza el {format_date(previous[1])}."
            )
            problems.append(Problem(start_field(kind), message, kind))
        previous = (kind, start)
    return problems


def cycle_problems(
    year: int, reference_year: int, windows: Windows, *, cycle: Cycle | None = None
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
    return problems


def _apply(cycle: Cycle, year: int, reference_year: int, windows: Windows) -> None:
    cycle.year = year
    cycle.reference_year = reference_year
    for kind in WindowKind:
        start, end = windows[kind]
        setattr(cycle, start_field(kind), start)
        setattr(cycle, end_field(kind), end)


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
    make_current: bool = False,
) -> Cycle:
    """Create the cycle of ``year``; the first cycle becomes current even if not asked."""
    reference_year = year - 1 if reference_year is None else reference_year
    problems = cycle_problems(year, reference_year, windows)
    if problems:
        raise InvalidCycle(problems)
    cycle = Cycle(is_current=False)
    _apply(cycle, year, reference_year, windows)
    db.session.add(cycle)
    _flush_year(year)
    no_current = db.session.scalar(select(Cycle.id).where(Cycle.is_current.is_(True))) is None
    if make_current or no_current:
        set_current_cycle(cycle)
    return cycle


def update_cycle(
    cycle: Cycle, *, year: int, reference_year: int | None = None, windows: Windows
) -> None:
    reference_year = year - 1 if reference_year is None else reference_year
    problems = cycle_problems(year, reference_year, windows, cycle=cycle)
    if problems:
        raise InvalidCycle(problems)
    _apply(cycle, year, reference_year, windows)
    _flush_year(year)


def set_current_cycle(cycle: Cycle) -> None:
    """Make ``cycle`` the current one.

    The previous current cycle is unset and flushed first, so the partial unique
    index never sees two current cycles.
    """
    if cycle.is_current:
        return
    previous = db.session.scalars(
        select(Cycle).where(Cycle.is_current.is_(True), Cycle.id != cycle.id)
    )
    for other in previous:
        other.is_current = False
    db.session.flush()
    cycle.is_current = True
    db.session.flush()
