"""The pieces a version document is made of, and its values formatted for Chile. Pure.

:mod:`pmg.exports.documents.document` assembles them; the templates only lay them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from pmg.core.filters import format_date, format_decimal, format_number
from pmg.core.models import LabelledEnum
from pmg.evidence.checks import format_size
from pmg.submissions.content import FieldKind, FieldSpec

EMPTY = "—"
NBSP = "\u00a0"


@dataclass(frozen=True)
class Line:
    """One label and its formatted value; ``notes`` are the numbers of its warnings;
    ``official``, the value pre-filled from the official file when the version changed it."""

    label: str
    value: str
    derived: bool = False
    long: bool = False
    notes: tuple[int, ...] = ()
    official: str = ""


@dataclass(frozen=True)
class Entry:
    """One row of a repeated section (a procedure, a channel, a gap, an action...)."""

    title: str
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class GridRow:
    cells: tuple[str, ...]
    notes: tuple[int, ...] = ()  # warnings about any field of the row


@dataclass(frozen=True)
class Grid:
    """A repeated section shown as one table: a column per field, a row per entry."""

    headers: tuple[str, ...]
    rows: tuple[GridRow, ...]
    numeric: tuple[bool, ...] = ()  # per column: right-aligned figures


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    repeated: bool
    lines: tuple[Line, ...] = ()
    entries: tuple[Entry, ...] = ()
    grid: Grid | None = None
    prefilled_year: int | None = None  # pre-filled from the official file of that year


@dataclass(frozen=True)
class Notice:
    """A warning of the submission, located by the labels of its field."""

    number: int
    location: str
    message: str


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    mono: bool = False


@dataclass(frozen=True)
class EvidenceItem:
    """One file of the version's evidence manifest, as the manifest table shows it."""

    name: str
    file_type: str
    attached_to: str
    size: str
    sha256: str


@dataclass(frozen=True)
class VersionDocument:
    title: str
    kind: str
    institution_name: str
    institution_code: str
    version_number: int
    content_hash: str
    hash_prefix: str
    facts: tuple[Fact, ...]
    sections: tuple[Section, ...]
    notices: tuple[Notice, ...]
    as_of: datetime  # the last change it shows: it reads as it was then
    evidence: tuple[EvidenceItem, ...] = ()
    # A plan always lists its evidence (even to say it has none); a diagnostic only if any.
    shows_evidence: bool = False


# --- Values ---------------------------------------------------------------------------------


def format_percent(value: Decimal | int | float | None) -> str:
    """A derived percentage with one decimal as the official files round it: ``96,0 %``."""
    if value is None:
        return EMPTY
    return f"{format_number(Decimal(value))}{NBSP}%"


def format_value(spec: FieldSpec, value: Any) -> str:
    """``value`` of the field ``spec`` as the PDF shows it; ``—`` when empty."""
    if value is None or value == "":
        return EMPTY
    if spec.kind is FieldKind.COUNT and isinstance(value, int) and not isinstance(value, bool):
        return format_number(value)
    if spec.numeric and isinstance(value, (int, float, Decimal)):
        text = format_decimal(value)
        return f"{text}{NBSP}%" if spec.kind is FieldKind.PERCENT else text
    if spec.kind is FieldKind.CHOICE and spec.choices is not None:
        member = cast("LabelledEnum | None", spec.choices._value2member_map_.get(value))
        return member.label if member is not None else str(value)
    if spec.kind is FieldKind.DATE and isinstance(value, str):
        try:
            return format_date(date.fromisoformat(value))
        except ValueError:
            return value
    return format_raw(value)


def format_raw(value: Any) -> str:
    """A value no spec describes, shown as faithfully as plain text allows."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return "Sí" if value else "No"
    if isinstance(value, int):
        return format_number(value)
    if isinstance(value, (float, Decimal)):
        return format_decimal(value)
    if isinstance(value, list):
        return "; ".join(format_raw(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {format_raw(item)}" for key, item in value.items())
    return str(value)


def format_bytes(size: Any) -> str:
    """``850 bytes``; above a kilobyte, rounded and exact: ``1,2 MB (1.234.567 bytes)``."""
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        return format_raw(size)
    if size < 1024:
        return format_size(size)
    return f"{format_size(size)} ({format_number(size)} bytes)"
