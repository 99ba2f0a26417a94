"""How the audit trail names requirement catalogs (see :mod:`pmg.audit.names`)."""

from __future__ import annotations

from sqlalchemy import select

from pmg.audit.names import RowNamer, register_names
from pmg.cycles.models import Cycle
from pmg.requirements.models import RequirementCatalog

register_names(
    "RequirementCatalog",
    "Catálogo de requisitos",
    RowNamer(
        RequirementCatalog,
        lambda: select(RequirementCatalog.id, RequirementCatalog.version, Cycle.year).join(
            Cycle, Cycle.id == RequirementCatalog.cycle_id
        ),
        lambda r: f"Catálogo de requisitos {r.year} · versión «{r.version}»",
    ),
)
