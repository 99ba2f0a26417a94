from __future__ import annotations

from flask import g
from sqlalchemy import select

from pmg.cycles.models import Cycle
from pmg.extensions import db


def current_cycle() -> Cycle | None:
    """The cycle marked current, read once per request."""
    if "current_cycle" not in g:
        g.current_cycle = db.session.scalar(select(Cycle).where(Cycle.is_current.is_(True)))
    return g.current_cycle


def all_cycles() -> list[Cycle]:
    return list(db.session.scalars(select(Cycle).order_by(Cycle.year.desc())))
