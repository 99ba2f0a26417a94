"""The consolidated workbook's sheets as the API reads them: the very tables the workbook
is written from (:func:`pmg.exports.workbook.cycle_tables`), kept per state of the data.

Building them reads a whole cycle (seconds at 166 institutions), and while the data stays
as it is they read the same; so they are built once per data stamp
(:func:`pmg.core.caching.cached`) and a page or a CSV of any sheet reads them from there.
A request whose ``If-None-Match`` names the answer it would get is answered 304 from the
stamp alone (:func:`etag`), before anything is built.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import abort

from pmg.core.caching import cached, data_stamp
from pmg.core.xlsx import CellValue, Table
from pmg.cycles.models import Cycle
from pmg.exports.workbook import cycle_tables

# What each sheet holds, for whoever reads the API's document or its list of sheets.
TITLES = {
    "reclamos": "Reclamos: cifras por año y metas del plan, una fila por institución",
    "saip": "Solicitudes de acceso a información pública (SAIP): cifras por año y metas "
    "del plan, una fila por institución",
    "tramites": "Trámites y servicios relevantes: descripción y cifras por año, una fila por "
    "trámite",
    "instituciones": "El catálogo de instituciones del ciclo",
    "brechas": "Las brechas de cada diagnóstico enviado, una fila por brecha",
    "acciones": "Las acciones de cada plan enviado, una fila por acción",
    "estado": "El estado del diagnóstico y del plan de cada institución",
    "revision": "La revisión de cada envío: decisión, veredicto por requisito y observaciones",
}
NAMES = tuple(TITLES)
# Part of every ETag: raise it when the answers change shape for the same data.
FORMAT = "1"


@dataclass(frozen=True)
class Sheet:
    """A sheet of the workbook: its name, its columns' headers and its rows, held whole."""

    name: str
    columns: tuple[str, ...]
    rows: list[tuple[CellValue, ...]]

    @property
    def title(self) -> str:
        return TITLES.get(self.name, self.name)

    def table(self) -> Table:
        return Table(self.name, self.columns, self.rows)


@dataclass(frozen=True)
class Sheets:
    """A cycle's consolidated sheets, in order, and the years their columns cover."""

    year: int
    years: tuple[int, ...]
    sheets: tuple[Sheet, ...]

    def sheet(self, name: str) -> Sheet:
        """The sheet ``name``; 404 for one the workbook does not have."""
        for sheet in self.sheets:
            if sheet.name == name:
                return sheet
        abort(404)


def sheets(cycle: Cycle) -> Sheets:
    """The consolidated sheets of ``cycle`` as the data reads now (every year with data),
    built once per data stamp; only the latest stamp's are kept."""

    def build() -> Sheets:
        years, tables = cycle_tables(cycle)
        kept = (Sheet(table.title, table.headers, list(table.rows)) for table in tables)
        return Sheets(cycle.year, years, tuple(kept))

    return cached("api.sheets", (cycle.id,), build, latest_only=True)


def etag(path: str, args: dict[str, Any]) -> str:
    """The ETag of the answer to ``path`` with ``args`` while the data is as it is: known
    before the sheets are built."""
    asked = "&".join(f"{name}={args[name]}" for name in sorted(args))
    seen = f"{FORMAT}\n{data_stamp()}\n{path}\n{asked}"
    return hashlib.sha256(seen.encode("utf-8")).hexdigest()


def json_cell(value: CellValue) -> int | float | str | None:
    """A cell as JSON: numbers stay numbers, a date or a date-time (Chilean wall-clock time,
    as the workbook shows it) in ISO 8601, text exactly as the workbook holds it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def json_row(headers: tuple[str, ...], row: tuple[CellValue, ...]) -> dict[str, Any]:
    """A row of a sheet as an object keyed by its columns' names, in their order."""
    return {header: json_cell(value) for header, value in zip(headers, row, strict=True)}
