"""Describing submission content as data: sections of typed fields.

One description drives the form, the parsing and validation of what was typed,
the PDF and the exports, so a field is declared once. A draft keeps exactly what
the person typed (text); :func:`parse_section` turns it into typed values.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from pmg.core.forms import as_typed, typed_length
from pmg.core.models import LabelledEnum
from pmg.core.numbers import NumberProblem, parse_count, parse_decimal
from pmg.institutions.models import MesuCommitment, Stage

REQUIRED = "Complete este campo."
CHARACTERS_PER_LINE = 50
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class FieldKind(enum.Enum):
    COUNT = "count"
    DECIMAL = "decimal"
    PERCENT = "percent"
    TEXT = "text"
    LONG_TEXT = "long_text"
    CHOICE = "choice"
    EMAIL = "email"
    DATE = "date"
    # The ids of rows elsewhere (e.g. the diagnostic's gaps an action addresses): a list.
    REFERENCES = "references"
    # A row's stable id, generated when the row is added; never typed, never shown.
    KEY = "key"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: FieldKind
    required: bool = True
    hint: str = ""
    choices: type[LabelledEnum] | None = None
    max_length: int = 2000

    @property
    def max_lines(self) -> int:
        """Lines a long text may hold: one per :data:`CHARACTERS_PER_LINE` of its length.
        Any other text is one line. A line break weighs on the PDF as much as a line of
        characters does: see ``benchmarks/pdf_largest.py`` before raising either."""
        if self.kind is FieldKind.LONG_TEXT:
            return max(1, self.max_length // CHARACTERS_PER_LINE)
        return 1

    @property
    def numeric(self) -> bool:
        return self.kind in (FieldKind.COUNT, FieldKind.DECIMAL, FieldKind.PERCENT)


@dataclass(frozen=True)
class Finding:
    """A problem at ``path`` (``section.field`` or ``section.row.field``)."""

    path: str
    message: str


class InstitutionProfile(Protocol):
    """What decides whether a section applies: an Institution, or the export's record of one."""

    @property
    def stage(self) -> Stage: ...

    @property
    def mesu(self) -> MesuCommitment: ...


@dataclass(frozen=True)
class SectionSpec:
    """A section of a submission; a ``repeated`` one holds ``min_rows`` to ``max_rows`` rows.

    ``max_rows`` bounds what a submission can hold, and so its PDF: see
    ``benchmarks/pdf_largest.py`` before raising it.
    """

    key: str
    title: str
    fields: tuple[FieldSpec, ...]
    repeated: bool = False
    row_label: str = ""
    min_rows: int = 0
    max_rows: int = 0
    intro: str = ""
    applies: Callable[[InstitutionProfile], bool] = field(default=lambda institution: True)

    def __post_init__(self) -> None:
        if self.repeated and self.max_rows < max(self.min_rows, 1):
            raise ValueError(f"The repeated section {self.key!r} needs a max_rows.")

    def field(self, name: str) -> FieldSpec:
        return next(spec for spec in self.fields if spec.name == name)

    def row_limit(self) -> str:
        return f"«{self.title}» admite como máximo {self.max_rows} registros"

    def too_many_rows(self, count: int) -> Finding | None:
        """An error at the section when it holds ``count`` rows, more than it admits."""
        if not self.repeated or count <= self.max_rows:
            return None
        extra = count - self.max_rows
        return Finding(self.key, f"{self.row_limit()}: quite {extra} para poder enviar.")


def parse_date(text: str) -> date:
    """``2026-03-31`` (as date inputs send it) or ``31-03-2026`` / ``31/03/2026``."""
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError("Escriba una fecha válida, por ejemplo 31-03-2026.")


def _check_lines(spec: FieldSpec, text: str) -> None:
    """Lines as a PDF breaks them: at ``\n`` and at every other line or paragraph
    separator (``str.splitlines``), each of which prints a line."""
    if len(text.splitlines()) <= spec.max_lines:
        return
    if spec.max_lines == 1:
        raise ValueError("Escriba el texto en una sola línea.")
    raise ValueError(f"Use como máximo {spec.max_lines} líneas.")


# Kinds whose value is the text exactly as typed (spaces and line breaks included); the
# others are read from it without its outer spaces.
FREE_TEXT = frozenset({FieldKind.TEXT, FieldKind.LONG_TEXT})


def parse_value(spec: FieldSpec, raw: Any) -> Any:
    """The typed value of ``raw`` for ``spec``; ``None`` when empty (nothing but spaces).
    Free text is kept as typed; a number, date, choice or e-mail is read without the spaces
    around it. Raises ``ValueError``."""
    if spec.kind is FieldKind.REFERENCES:
        chosen = raw if isinstance(raw, list) else [raw] if raw else []
        return sorted({str(item).strip() for item in chosen if str(item).strip()}) or None
    text = (raw or "").strip()
    if spec.kind is FieldKind.DATE:
        return parse_date(text).isoformat() if text else None
    value: int | Decimal | str | None
    if spec.kind is FieldKind.COUNT:
        value = parse_count(text)
    elif spec.kind in (FieldKind.DECIMAL, FieldKind.PERCENT):
        value = parse_decimal(text)
    elif spec.kind in FREE_TEXT:
        value = as_typed(raw or "") or None
    else:
        value = text or None
    if value is None:
        return None
    if isinstance(value, int | Decimal):  # spec.numeric
        if value < 0:
            raise NumberProblem("El valor no puede ser negativo.")
        if spec.kind is FieldKind.PERCENT and value > 100:
            raise NumberProblem("Un porcentaje debe estar entre 0 y 100.")
        return value
    if typed_length(value) > spec.max_length:
        raise ValueError(f"Use como máximo {spec.max_length} caracteres.")
    _check_lines(spec, value)
    choices = spec.choices._value2member_map_ if spec.choices else {}
    if spec.kind is FieldKind.CHOICE and value not in choices:
        raise ValueError("Seleccione una opción de la lista.")
    if spec.kind is FieldKind.EMAIL and not _EMAIL.match(value):
        raise ValueError("Escriba un correo válido, por ejemplo nombre@servicio.gob.cl.")
    return value


def parse_row(
    section: SectionSpec, raw: dict[str, str], prefix: str, *, complete: bool
) -> tuple[dict[str, Any], list[Finding]]:
    """Typed values of one row (or single section) and the errors found at its fields.

    With ``complete``, an empty required field is an error too (checked before submitting).
    """
    values: dict[str, Any] = {}
    errors: list[Finding] = []
    for spec in section.fields:
        path = f"{prefix}.{spec.name}"
        try:
            values[spec.name] = parse_value(spec, raw.get(spec.name, ""))
        except ValueError as problem:
            values[spec.name] = None
            errors.append(Finding(path, str(problem)))
            continue
        if complete and spec.required and values[spec.name] is None:
            errors.append(Finding(path, REQUIRED))
    return values, errors


def rows_of(draft: dict[str, Any], section: SectionSpec) -> list[dict[str, str]]:
    rows = draft.get(section.key) or []
    return [row for row in rows if isinstance(row, dict)] if section.repeated else []


def jsonable(value: Any) -> Any:
    """Typed content as JSON values: a whole Decimal as int, others as float.

    Parsed numbers have at most 15 digits (:data:`pmg.core.numbers.MAX_DIGITS`), so the
    float is exact and finite; anything else is refused rather than frozen as ``Infinity``.
    """
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [jsonable(item) for item in value]
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value)
        if not math.isfinite(float(value)):
            raise ValueError("Not a finite number: content holds no infinity.")
        return float(value)
    return value


def describe_path(sections: tuple[SectionSpec, ...], path: str) -> str:
    """Where a finding is, named as the person sees it on the form: ``Acción 2 · Fecha de
    término`` in a row (its legend names the section), ``Reclamos · Reclamos recibidos en el
    año`` in a single section, the section's title for the section as a whole."""
    key, _, rest = path.partition(".")
    section = next((s for s in sections if s.key == key), None)
    if section is None:
        return path
    parts = [section.title]
    if section.repeated and rest:
        index, _, rest = rest.partition(".")
        if index.isdigit():
            parts = [f"{section.row_label} {int(index) + 1}"]
    name = rest.partition(".")[0]
    if name and any(spec.name == name for spec in section.fields):
        parts.append(section.field(name).label)
    return " · ".join(parts)
