"""The import of the official catalog of institutions (one .xlsx row per institution).

All or nothing: the whole file is read and checked before the database is
touched. A row that cannot be used is skipped and reported with its number and
the reason; a problem with the file itself raises :class:`SpreadsheetError`
and the caller (route or CLI) rolls back. Rows are keyed by the institution's
code, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from pmg.audit.actions import AuditAction
from pmg.audit.operations import record
from pmg.core.errors import Conflict
from pmg.core.imports import BLANK_ROW, ImportResult, SkippedRow, sentence
from pmg.core.models import LabelledEnum, changed_fields
from pmg.core.spreadsheets import (
    EMPTY_FILE,
    Row,
    SpreadsheetError,
    choose_sheet,
    compact_text,
    comparable,
    header_name,
    iter_rows,
    open_workbook,
)
from pmg.extensions import db
from pmg.institutions.models import (
    FunctionalCategory,
    Institution,
    MesuCommitment,
    Ministry,
    Stage,
)

if TYPE_CHECKING:
    from pmg.auth.models import User

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


@dataclass(frozen=True)
class CatalogRow:
    """One usable row of the catalog, already converted to domain values."""

    row_number: int
    code: str
    name: str
    ministry: str
    stage: Stage
    mesu: MesuCommitment
    category: FunctionalCategory
    commits_system: bool


def import_catalog(data: bytes, *, actor: User | None = None) -> ImportResult:
    """Create or update the institutions listed in the workbook ``data``; flush, no commit.

    The audit trail names the file by its SHA-256 and keeps the counts.
    """
    rows, skipped = read_catalog(data)
    result = ImportResult(skipped=skipped)
    _apply(rows, result)
    record(
        AuditAction.CATALOG_IMPORT,
        object_type="ImportedFile",
        object_id=hashlib.sha256(data).hexdigest(),
        actor=actor,
        after=result.counts(),
    )
    return result


def read_catalog(data: bytes) -> tuple[list[CatalogRow], list[SkippedRow]]:
    """Every usable row and every skipped one; raises if the file itself is unusable."""
    with open_workbook(data) as workbook:
        rows = iter_rows(choose_sheet(workbook, SHEET))
        positions = _read_header(rows)
        return _parse_rows(rows, positions)


def _read_header(rows: Iterator[tuple[int, Row]]) -> dict[str, int]:
    """Position of each catalog column, taken from the first non-blank row."""
    for _, values in rows:
        headers = [header_name(value) for value in values]
        if any(headers):
            break
    else:
        raise SpreadsheetError(EMPTY_FILE)
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
) -> tuple[list[CatalogRow], list[SkippedRow]]:
    parsed: list[CatalogRow] = []
    skipped: list[SkippedRow] = []
    first_row_of_code: dict[str, int] = {}
    for row_number, values in rows:
        cells = {key: _cell(values, position) for key, position in positions.items()}
        if not any(cells.values()):
            skipped.append(SkippedRow(row_number, BLANK_ROW))
            continue
        code = cells["code"]
        if code in first_row_of_code:
            skipped.append(
                SkippedRow(
                    row_number,
                    f"El código {code} ya aparece en la fila {first_row_of_code[code]}.",
                )
            )
            continue
        if code:
            first_row_of_code[code] = row_number
        row_or_reason = _parse_row(row_number, cells)
        if isinstance(row_or_reason, str):
            skipped.append(SkippedRow(row_number, row_or_reason))
        else:
            parsed.append(row_or_reason)
    return parsed, skipped


def _cell(values: Row, position: int) -> str:
    return compact_text(values[position]) if position < len(values) else ""


def _parse_row(row_number: int, cells: dict[str, str]) -> CatalogRow | str:
    """The row as domain values, or the reason it cannot be used."""
    problems: list[str] = []
    for key in ("ministry", "name", "code"):
        if not cells[key]:
            problems.append(f"falta {COLUMNS[key]}")
        elif len(cells[key]) > MAX_LENGTHS[key]:
            problems.append(
                f"el valor de {COLUMNS[key]} tiene más de {MAX_LENGTHS[key]} caracteres"
            )
    commits = _choice(cells, "commits_system", {"Sí": True, "No": False}, problems)
    stage = _choice(cells, "stage", _labels(Stage), problems)
    mesu = _choice(cells, "mesu", _labels(MesuCommitment), problems)
    category = _choice(cells, "category", _labels(FunctionalCategory), problems)
    if problems:
        return sentence(problems)
    return CatalogRow(
        row_number=row_number,
        code=cells["code"],
        name=cells["name"],
        ministry=cells["ministry"],
        stage=stage,
        mesu=mesu,
        category=category,
        commits_system=commits,
    )


def _labels(enum_class: type[LabelledEnum]) -> dict[str, Any]:
    return {member.label: member for member in enum_class}


def _key(text: str) -> str:
    return comparable(text).replace(" ", "")


def _choice(cells: dict[str, str], key: str, options: dict[str, Any], problems: list[str]) -> Any:
    """The option whose label matches the cell, ignoring case, accents and spaces."""
    text = cells[key]
    if not text:
        problems.append(f"falta {COLUMNS[key]}")
        return None
    by_key = {_key(label): value for label, value in options.items()}
    if _key(text) in by_key:
        return by_key[_key(text)]
    expected = ", ".join(options)
    problems.append(f"el valor «{text}» de {COLUMNS[key]} no es válido (se espera: {expected})")
    return None


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
