"""The import of the official catalog of institutions (one .xlsx row per institution).

All or nothing: the whole file is read and checked before the database is
touched. Rows that are not an institution's (blank lines, notes, totals: no code,
or neither ministry nor name) are skipped and reported with their number and the
reason; a problem in an institution's row refuses the file, naming every problem
(:class:`InvalidRows`), as does a problem with the file itself
(:class:`SpreadsheetError`), and the caller (route or CLI) rolls back. Rows are keyed
by the institution's code, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from pmg.audit.actions import AuditAction
from pmg.audit.operations import record
from pmg.core.errors import Conflict
from pmg.core.imports import BLANK_ROW, ImportResult, RowFindings, SkippedRow
from pmg.core.models import LabelledEnum, changed_fields
from pmg.core.permissions import Actor
from pmg.core.spreadsheets import (
    Row,
    SpreadsheetError,
    compact_text,
    comparable,
    header_row,
    sheet_rows,
)
from pmg.core.statistics import refresh_statistics
from pmg.extensions import db
from pmg.institutions.models import (
    CatalogEntry,
    FunctionalCategory,
    Institution,
    MesuCommitment,
    Ministry,
    Stage,
)

SHEET = "Hoja1"
COLUMNS: dict[str, str] = {
    "ministry": "MINISTERIO",
    "name": "SERVICIO",
    "code": "codigo_interno_SCSEU",
    "commits_system": "COMPROMETE SISTEMA (final)",
    "stage": "ETAPA",
    "mesu": "COMPROMETE SISTEMA CON MESU (final)",
    "category": "Categoría funcional",
}
MAX_LENGTHS = {"code": 32, "name": 300, "ministry": 200}
MISSING = "falta el valor"


@dataclass(frozen=True)
class CatalogRow(CatalogEntry):
    """One usable row of the catalog, already converted to domain values."""

    row_number: int


def import_catalog(data: bytes, *, actor: Actor | None = None) -> ImportResult:
    """Create or update the institutions listed in the workbook ``data``; flush, no commit.

    The audit trail names the file by its SHA-256 and keeps the counts.
    """
    rows, skipped = read_catalog(data)
    result = ImportResult(skipped=skipped)
    _apply(rows, result)
    refresh_statistics(Institution, Ministry)
    record(
        AuditAction.CATALOG_IMPORT,
        object_type="ImportedFile",
        object_id=hashlib.sha256(data).hexdigest(),
        actor=actor,
        after=result.counts(),
    )
    return result


def read_catalog(data: bytes) -> tuple[list[CatalogRow], list[SkippedRow]]:
    """Every usable row and every skipped one; raises if the file itself is unusable, or
    with every problem (:class:`InvalidRows`) if a row that has a code cannot be used."""
    with sheet_rows(data, SHEET) as rows:
        positions = _read_header(rows)
        parsed, findings = _parse_rows(rows, positions)
    findings.refuse_if_any_problem()
    return parsed, findings.skipped


def _read_header(rows: Iterator[tuple[int, Row]]) -> dict[str, int]:
    """Position of each catalog column, taken from the first non-blank row.

    Headers are matched as written (spaces aside), so messages name each column as the
    file does by its title in :data:`COLUMNS`.
    """
    headers = header_row(rows)
    missing = [title for title in COLUMNS.values() if title not in headers]
    if missing:
        raise SpreadsheetError(
            "El archivo no tiene el formato del catálogo de instituciones; "
            f"faltan las columnas: {', '.join(missing)}."
        )
    repeated = [title for title in COLUMNS.values() if headers.count(title) > 1]
    if repeated:
        raise SpreadsheetError(
            f"Estas columnas aparecen más de una vez: {', '.join(repeated)}."
        )
    return {key: headers.index(title) for key, title in COLUMNS.items()}


def _parse_rows(
    rows: Iterator[tuple[int, Row]], positions: dict[str, int]
) -> tuple[list[CatalogRow], RowFindings]:
    """The rows of institutions; rows without a code, or without a ministry and a name
    (blank lines, notes, totals), are skipped."""
    parsed: list[CatalogRow] = []
    findings = RowFindings()
    first_row_of_code: dict[str, int] = {}
    for row_number, values in rows:
        cells = {key: _cell(values, position) for key, position in positions.items()}
        reason = _not_an_institution(cells)
        if reason:
            findings.skip(row_number, reason)
            continue
        row = _RowReader(row_number, cells, findings).read()
        code = cells["code"]
        if code in first_row_of_code:
            findings.add_problem(
                row_number,
                COLUMNS["code"],
                f"el código {code} ya aparece en la fila {first_row_of_code[code]}",
            )
        else:
            first_row_of_code[code] = row_number
        if row is not None:
            parsed.append(row)
    return parsed, findings


def _cell(values: Row, position: int) -> str:
    return compact_text(values[position]) if position < len(values) else ""


def _not_an_institution(cells: dict[str, str]) -> str | None:
    """Why the row is not an institution's (and is skipped), if it is not."""
    if not any(cells.values()):
        return BLANK_ROW
    if not cells["code"]:
        return f"Falta {COLUMNS['code']}."
    if not cells["ministry"] and not cells["name"]:
        return (
            f"No es la fila de una institución: no tiene {COLUMNS['ministry']} "
            f"ni {COLUMNS['name']}."
        )
    return None


class _RowReader:
    """One institution's row as domain values; each problem goes to ``findings``."""

    def __init__(self, row_number: int, cells: dict[str, str], findings: RowFindings) -> None:
        self.row_number = row_number
        self.cells = cells
        self.findings = findings
        self.valid = True

    def read(self) -> CatalogRow | None:
        for key in ("ministry", "name", "code"):
            self._text(key)
        commits = self._choice("commits_system")
        stage = self._choice("stage")
        mesu = self._choice("mesu")
        category = self._choice("category")
        if not self.valid:
            return None
        return CatalogRow(
            row_number=self.row_number,
            code=self.cells["code"],
            name=self.cells["name"],
            ministry=self.cells["ministry"],
            stage=stage,
            mesu=mesu,
            category=category,
            commits_system=commits,
        )

    def _problem(self, key: str, problem: str) -> None:
        self.findings.add_problem(self.row_number, COLUMNS[key], problem)
        self.valid = False

    def _text(self, key: str) -> None:
        if not self.cells[key]:
            self._problem(key, MISSING)
        elif len(self.cells[key]) > MAX_LENGTHS[key]:
            self._problem(key, f"el valor tiene más de {MAX_LENGTHS[key]} caracteres")

    def _choice(self, key: str) -> Any:
        """The option whose label matches the cell, ignoring case, accents and spaces."""
        text = self.cells[key]
        if not text:
            self._problem(key, MISSING)
            return None
        choices = CHOICES[key]
        folded = _key(text)
        if folded in choices.by_key:
            return choices.by_key[folded]
        self._problem(key, f"el valor «{text}» no es válido (se espera: {choices.expected})")
        return None


@functools.lru_cache(maxsize=1024)  # a catalog repeats a few dozen texts in these columns
def _key(text: str) -> str:
    return comparable(text).replace(" ", "")


@dataclass(frozen=True)
class _Choices:
    by_key: dict[str, Any]  # folded label -> value
    expected: str  # the labels, for messages

    @classmethod
    def of(cls, options: dict[str, Any]) -> _Choices:
        return cls({_key(label): value for label, value in options.items()}, ", ".join(options))

    @classmethod
    def of_enum(cls, enum_class: type[LabelledEnum]) -> _Choices:
        return cls.of({member.label: member for member in enum_class})


CHOICES = {
    "commits_system": _Choices.of({"Sí": True, "No": False}),
    "stage": _Choices.of_enum(Stage),
    "mesu": _Choices.of_enum(MesuCommitment),
    "category": _Choices.of_enum(FunctionalCategory),
}


def _apply(rows: list[CatalogRow], result: ImportResult) -> None:
    ministries = {comparable(m.name): m for m in db.session.scalars(select(Ministry))}
    existing = {i.code: i for i in db.session.scalars(select(Institution))}
    for row in rows:
        ministry = ministries.get(comparable(row.ministry))
        if ministry is None:
            ministry = ministries[comparable(row.ministry)] = Ministry(name=row.ministry)
            db.session.add(ministry)
        values = {
            "name": row.name,
            "ministry": ministry,
            "stage": row.stage,
            "mesu": row.mesu,
            "category": row.category,
            "commits_system": row.commits_system,
        }
        institution = existing.get(row.code)
        if institution is None:
            db.session.add(Institution(code=row.code, active=True, **values))
            result.created += 1
        elif changed_fields(institution, values):
            result.updated += 1
        else:
            result.unchanged += 1
    try:
        db.session.flush()
    except IntegrityError as clash:
        raise Conflict(
            "Otra persona modificó el catálogo mientras se importaba. Intente de nuevo."
        ) from clash
