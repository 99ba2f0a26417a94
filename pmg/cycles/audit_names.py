"""How the audit trail names cycles (see :mod:`pmg.audit.names`)."""

from __future__ import annotations

from sqlalchemy import select

from pmg.audit.names import RowNamer, register_names
from pmg.cycles.models import Cycle

register_names(
    "Cycle",
    "Ciclo",
    RowNamer(Cycle, lambda: select(Cycle.id, Cycle.year), lambda r: f"Ciclo {r.year}"),
)
