"""How the audit trail names institutions (see :mod:`pmg.audit.names`)."""

from __future__ import annotations

from sqlalchemy import select

from pmg.audit.names import RowNamer, register_names
from pmg.institutions.models import Institution

register_names(
    "Institution",
    "Institución",
    RowNamer(
        Institution,
        lambda: select(Institution.id, Institution.code, Institution.name),
        lambda r: f"Institución {r.code} · {r.name}",
    ),
)
