"""Changes to institutions made by hand; the catalog import lives in ``importer``.

Operations flush but never commit: the route or CLI command owns the transaction.
"""

from __future__ import annotations

from typing import Any

from pmg.audit.actions import AuditAction
from pmg.audit.operations import record, split_changes
from pmg.core.errors import DomainError
from pmg.core.models import changed_fields
from pmg.core.permissions import Actor
from pmg.extensions import db
from pmg.institutions.models import Institution, Ministry

EDITABLE_FIELDS = frozenset(
    {"name", "report_code", "ministry", "stage", "mesu", "category", "commits_system", "active"}
)


def update_institution(
    institution: Institution, *, actor: Actor | None = None, **values: Any
) -> dict[str, tuple[Any, Any]]:
    """Apply ``values`` and return ``{field: (before, after)}`` for what changed.

    The code is the institution's identity in the catalog and is never changed here.
    """
    unknown = set(values) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    if "name" in values:
        values["name"] = " ".join(str(values["name"]).split())
        if not values["name"]:
            raise DomainError("El nombre de la institución no puede quedar vacío.")
    if "report_code" in values:
        values["report_code"] = str(values["report_code"] or "").strip()
    if "ministry" in values and values["ministry"] is None:
        raise DomainError("Seleccione el ministerio de la institución.")
    changes = changed_fields(institution, values)
    db.session.flush()
    if changes:
        before, after = split_changes(
            {field: (_plain(old), _plain(new)) for field, (old, new) in changes.items()}
        )
        record(
            AuditAction.INSTITUTION_UPDATE,
            institution,
            actor=actor,
            institution_id=institution.id,
            before=before,
            after=after,
        )
    return changes


def _plain(value: Any) -> Any:
    """A ministry by its name, for the audit trail; enums already read as their values."""
    return value.name if isinstance(value, Ministry) else value
