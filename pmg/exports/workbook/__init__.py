"""The consolidated workbook: what its sheets show (:mod:`.tables`, pure) apart from
loading it (:mod:`.queries`) and writing it (:mod:`pmg.core.xlsx`).

:func:`export_consolidated` is the one entry point the CLI command and the
download route share: choose the years, load, build the tables, write the workbook,
and record the export in the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from os import PathLike
from typing import IO, TYPE_CHECKING

from pmg.audit.actions import AuditAction
from pmg.audit.operations import record
from pmg.core.errors import DomainError
from pmg.core.memory import collector_paused
from pmg.core.permissions import Role
from pmg.core.xlsx import Table, write_xlsx
from pmg.cycles.models import Cycle
from pmg.exports.workbook.queries import load_consolidated, year_span
from pmg.exports.workbook.tables import consolidated_tables

if TYPE_CHECKING:
    from pmg.auth.models import User

MAX_YEARS = 20
EARLIEST_YEAR = 2000
# Who may read the consolidated workbook: its download, and its sheets in the API.
READERS = (Role.REVIEWER, Role.DIPRES, Role.ADMIN)


@dataclass(frozen=True)
class ExportSummary:
    cycle_year: int
    years: tuple[int, ...]
    rows: dict[str, int]  # by sheet, in order

    def sentence(self) -> str:
        """``Ciclo 2026, años 2022 a 2025: reclamos 145 filas, saip 166 filas, …``."""
        if len(self.years) > 1:
            period = f"años {self.years[0]} a {self.years[-1]}"
        else:
            period = f"año {self.years[0]}"
        sheets = ", ".join(
            f"{name} {count} fila{'' if count == 1 else 's'}" for name, count in self.rows.items()
        )
        return f"Ciclo {self.cycle_year}, {period}: {sheets}."


def consolidated_filename(cycle: Cycle) -> str:
    return f"consolidado_cseu_{cycle.year}.xlsx"


def choose_years(
    cycle: Cycle, first: int | None = None, last: int | None = None
) -> tuple[int, ...]:
    """The years to export: ``first``–``last``, each by default the span of years with data.

    With no data at all the reference year alone is exported (its columns empty).
    """
    if first is None or last is None:
        earliest, latest = year_span(cycle) or (cycle.reference_year, cycle.reference_year)
        first = earliest if first is None else first
        last = latest if last is None else last
    if first > last:
        raise DomainError(f"El año inicial ({first}) es posterior al año final ({last}).")
    if first < EARLIEST_YEAR:
        raise DomainError(f"El año inicial no puede ser anterior a {EARLIEST_YEAR}.")
    if last > cycle.reference_year:
        raise DomainError(
            f"El año final no puede ser posterior al año de referencia del ciclo "
            f"{cycle.year} ({cycle.reference_year})."
        )
    if last - first + 1 > MAX_YEARS:
        raise DomainError(f"Elija como máximo {MAX_YEARS} años.")
    return tuple(range(first, last + 1))


def write_consolidated(
    cycle: Cycle,
    target: str | PathLike[str] | IO[bytes],
    first: int | None = None,
    last: int | None = None,
) -> ExportSummary:
    """Write the consolidated workbook of ``cycle`` to ``target``, unrecorded: for what holds
    it and is recorded itself (an evidence package). Raises :class:`DomainError`."""
    # Paused once over the tables and their writing: a collection between the two would
    # walk every row just built (0.4 s at 1,660 institutions).
    with collector_paused():
        years, tables = cycle_tables(cycle, first, last)
        return ExportSummary(cycle.year, years, write_xlsx(tables, target))


def cycle_tables(
    cycle: Cycle, first: int | None = None, last: int | None = None
) -> tuple[tuple[int, ...], list[Table]]:
    """The years and the sheets of the consolidated workbook of ``cycle``, as written (by
    default every year with data). Raises :class:`DomainError`."""
    years = choose_years(cycle, first, last)
    with collector_paused():
        return years, consolidated_tables(load_consolidated(cycle, years))


def export_consolidated(
    cycle: Cycle,
    target: str | PathLike[str] | IO[bytes],
    first: int | None = None,
    last: int | None = None,
    *,
    actor: User | None = None,
) -> ExportSummary:
    """Write the consolidated workbook of ``cycle`` to ``target``; raises :class:`DomainError`.

    ``actor`` is ``None`` for the command line.
    """
    summary = write_consolidated(cycle, target, first, last)
    record(
        AuditAction.EXPORT_CONSOLIDATED,
        cycle,
        actor=actor,
        after={"cycle_year": cycle.year, "years": list(summary.years), "rows": summary.rows},
    )
    return summary
