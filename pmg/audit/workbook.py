"""The audit trail as an Excel workbook, through the one formula-safe writer.

:func:`audit_table` says what each row shows (pure); :func:`export_trail` writes the
workbook and records the export itself in the trail.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from os import PathLike
from typing import IO, Any

from pmg.audit.actions import AuditAction
from pmg.audit.operations import record
from pmg.audit.queries import AuditFilters, AuditRow, last_entry_id, stream_entries
from pmg.core.xlsx import CellValue, Table, write_xlsx

SHEET = "auditoria"
HEADERS = (
    "N.º",
    "Fecha y hora (Chile)",
    "Fecha y hora (UTC)",
    "Quién",
    "Rol",
    "Código institución",
    "Institución",
    "Acción",
    "Código de acción",
    "Objeto",
    "Tipo e id del objeto",
    "Antes",
    "Después",
    "Hash anterior",
    "Hash de la entrada",
)


def audit_cells(row: AuditRow) -> tuple[CellValue, ...]:
    entry = row.entry
    return (
        entry.id,
        row.local_time.replace(tzinfo=None),  # Excel keeps no time zone: the Chilean wall time
        entry.at.isoformat(),
        row.actor,
        row.role,
        row.institution_code,
        row.institution_name,
        row.action,
        entry.action,
        row.object_name,
        row.object_reference,
        row.before,
        row.after,
        entry.previous_hash,
        entry.entry_hash,
    )


def audit_table(rows: Iterable[AuditRow]) -> Table:
    """One sheet; its rows are produced as the writer asks for them, never all at once."""
    cells: Iterator[tuple[CellValue, ...]] = (audit_cells(row) for row in rows)
    return Table(SHEET, HEADERS, cells)


def export_trail(filters: AuditFilters, target: str | PathLike[str] | IO[bytes], actor: Any) -> int:
    """Write the entries matching ``filters`` to ``target``; return how many were written."""
    last = last_entry_id()
    count = write_xlsx([audit_table(stream_entries(filters))], target)[SHEET]
    record(
        AuditAction.EXPORT_AUDIT,
        object_type="AuditTrail",
        object_id=last,
        actor=actor,
        after={"filters": filters.as_args(), "rows": count},
    )
    return count
