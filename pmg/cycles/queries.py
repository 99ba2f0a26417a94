from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from flask import g
from sqlalchemy import func, select

from pmg.core.caching import kept_row, watch_writes
from pmg.core.filters import CHILE
from pmg.core.models import LabelledEnum
from pmg.cycles.models import Cycle, WindowKind
from pmg.extensions import db

# Only the cycles' page writes them: what is read from them alone is kept under their stamp.
CYCLE_TABLES = (Cycle.__tablename__,)
watch_writes(*CYCLE_TABLES)


def current_cycle() -> Cycle | None:
    """The cycle marked current, once per request; kept while the cycles are unchanged
    (:func:`~pmg.core.caching.kept_row`), so most requests read no cycle."""
    if "current_cycle" not in g:
        g.current_cycle = kept_row(
            Cycle,
            "cycles.current",
            (),
            lambda: db.session.scalar(select(Cycle).where(Cycle.is_current.is_(True))),
            tables=CYCLE_TABLES,
        )
    cycle: Cycle | None = g.current_cycle
    return cycle


def default_cycle(cycles: Sequence[Cycle]) -> Cycle | None:
    """The cycle shown unless another is asked for: the current one, or the latest of
    ``cycles`` when none is marked current."""
    latest = max(cycles, key=lambda cycle: cycle.year, default=None)
    return next((cycle for cycle in cycles if cycle.is_current), latest)


def all_cycles() -> list[Cycle]:
    return list(db.session.scalars(select(Cycle).order_by(Cycle.year.desc())))


def get_cycle(year: int) -> Cycle | None:
    return db.session.scalar(select(Cycle).where(Cycle.year == year))


def suggested_year(today: date) -> int:
    """The year a new cycle most likely needs: this one, or the one after the latest cycle."""
    latest = db.session.scalar(select(func.max(Cycle.year)))
    return today.year if latest is None or latest < today.year else latest + 1


def chile_today() -> date:
    """Today's date in Chile: windows open and close by the Chilean calendar."""
    return datetime.now(CHILE).date()


class WindowState(LabelledEnum):
    OPEN = ("open", "Abierto")
    UPCOMING = ("upcoming", "Próximo")
    CLOSED = ("closed", "Cerrado")


@dataclass(frozen=True)
class WindowRow:
    kind: WindowKind
    start: date
    end: date
    state: WindowState


def window_state(start: date, end: date, today: date) -> WindowState:
    if today < start:
        return WindowState.UPCOMING
    if today > end:
        return WindowState.CLOSED
    return WindowState.OPEN


def window_states(cycle: Cycle, today: date) -> list[WindowRow]:
    """The cycle's windows in the order they happen, each with its state on ``today``."""
    rows = []
    for kind in WindowKind:
        start, end = cycle.window(kind)
        rows.append(WindowRow(kind, start, end, window_state(start, end, today)))
    return rows
