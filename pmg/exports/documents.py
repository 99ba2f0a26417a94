"""What the PDF of a submitted version says, as plain data for a template.

Pure: a version (or any object with its attributes) in, a :class:`VersionDocument`
out; no Flask, no database queries of its own, no WeasyPrint. Every value is
already formatted as a Chilean reader expects it, so the template only lays out.

The sections, their order, labels and choices come from the specs in
:mod:`pmg.diagnostics.schema`; derived percentages come from
:mod:`pmg.indicators.figures`. Anything in the frozen content that the specs no
longer describe is still shown (with its key as label): the PDF must show all
that was hashed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pmg.core.filters import format_date, format_datetime, format_number
from pmg.core.models import utcnow
from pmg.diagnostics.schema import COMPLAINTS, PROCEDURES, SAIP, SECTIONS
from pmg.indicators.figures import (
    Derived,
    complaint_percentages,
    derived_label,
    procedure_percentages,
    saip_percentages,
)
from pmg.institutions.models import MesuCommitment, Stage
from pmg.submissions.content import FieldKind, FieldSpec, SectionSpec, describe_path
from pmg.submissions.models import SubmissionKind

EMPTY = "—"
HASH_PREFIX_LENGTH = 12
NBSP = "\u00a0"

DERIVED: dict[str, Callable[[Any], Derived]] = {
    COMPLAINTS.key: complaint_percentages,
    SAIP.key: saip_percentages,
    PROCEDURES.key: procedure_percentages,
}


@dataclass(frozen=True)
class Line:
    """One label and its formatted value; ``notes`` are the numbers of its warnings."""

    label: str
    value: str
    derived: bool = False
    long: bool = False
    notes: tuple[int, ...] = ()


@dataclass(frozen=True)
class Entry:
    """One row of a repeated section (a procedure, a channel, a gap...)."""

    title: str
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    repeated: bool
    lines: tuple[Line, ...] = ()
    entries: tuple[Entry, ...] = ()


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
    generated: str


# --- Values ---------------------------------------------------------------------------------


def format_decimal(value: int | float | Decimal) -> str:
    """Every digit that was sent, in es-CL: ``1.250``, ``8,5``, ``12,25``."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    text = f"{number.normalize() if number == number.to_integral_value() else number:,f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


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
        member = spec.choices._value2member_map_.get(value)
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


# --- Sections -------------------------------------------------------------------------------


def _lines(
    section: SectionSpec, values: Mapping[str, Any], prefix: str, notes: Mapping[str, list[int]]
) -> tuple[Line, ...]:
    """The fields of one row, each derived percentage right after the figure it derives from."""
    derived = dict(DERIVED[section.key](values)) if section.key in DERIVED else {}
    lines: list[Line] = []

    def add_derived(name: str) -> None:
        label = derived_label(section.key, name)
        lines.append(Line(label, format_percent(derived.pop(name)), True))

    for spec in section.fields:
        lines.append(
            Line(
                spec.label,
                format_value(spec, values.get(spec.name)),
                long=spec.kind is FieldKind.LONG_TEXT,
                notes=tuple(notes.get(f"{prefix}.{spec.name}", ())),
            )
        )
        if f"{spec.name}_pct" in derived:
            add_derived(f"{spec.name}_pct")
    for name in list(derived):
        add_derived(name)
    known = {spec.name for spec in section.fields}
    lines.extend(
        Line(key, format_raw(value), notes=tuple(notes.get(f"{prefix}.{key}", ())))
        for key, value in values.items()
        if key not in known
    )
    return tuple(lines)


def _section(spec: SectionSpec, data: Any, notes: Mapping[str, list[int]]) -> Section:
    if not spec.repeated:
        values = data if isinstance(data, Mapping) else {}
        return Section(spec.key, spec.title, False, lines=_lines(spec, values, spec.key, notes))
    rows = [row for row in data if isinstance(row, Mapping)] if isinstance(data, list) else []
    entries = tuple(
        Entry(
            f"{spec.row_label} {index + 1} de {len(rows)}",
            _lines(spec, row, f"{spec.key}.{index}", notes),
        )
        for index, row in enumerate(rows)
    )
    return Section(spec.key, spec.title, True, entries=entries)


def _unknown_section(key: str, data: Any) -> Section:
    if isinstance(data, Mapping):
        lines = tuple(Line(str(name), format_raw(value)) for name, value in data.items())
        return Section(key, key, False, lines=lines)
    return Section(key, key, False, lines=(Line(key, format_raw(data)),))


def build_sections(
    content: Mapping[str, Any],
    specs: Iterable[SectionSpec] = SECTIONS,
    notes: Mapping[str, list[int]] | None = None,
) -> tuple[Section, ...]:
    """Every section present in ``content``, in the order of the specs, then any unknown."""
    notes = notes or {}
    specs = tuple(specs)
    sections = [_section(spec, content[spec.key], notes) for spec in specs if spec.key in content]
    known = {spec.key for spec in specs}
    sections.extend(
        _unknown_section(key, data) for key, data in content.items() if key not in known
    )
    return tuple(sections)


# --- Warnings -------------------------------------------------------------------------------


def build_notices(
    warnings: Iterable[Mapping[str, str]], specs: Iterable[SectionSpec] = SECTIONS
) -> tuple[Notice, ...]:
    """Each warning with the labels of where it is (``Reclamos › Reclamos respondidos…``)."""
    specs = tuple(specs)
    return tuple(
        Notice(number, describe_path(specs, str(warning.get("path", ""))), warning["message"])
        for number, warning in enumerate(warnings, start=1)
    )


# --- The whole document ---------------------------------------------------------------------


def _label(enum_class: Any, value: Any) -> str:
    member = enum_class._value2member_map_.get(value)
    return member.label if member is not None else format_raw(value)


def _version_status(version: Any) -> str:
    versions = list(version.submission.versions)
    latest = max((other.number for other in versions), default=version.number)
    if latest > version.number:
        return f"{version.number} (reemplazada por la versión {latest})"
    return f"{version.number} (versión vigente)"


def _submitter(user: Any) -> str:
    if user is None:
        return EMPTY
    email = getattr(user, "email", "")
    return f"{user.name} ({email})" if email else user.name


def build_document(version: Any, *, generated_at: datetime) -> VersionDocument:
    """The template context of the PDF of ``version`` (a :class:`SubmissionVersion`).

    ``generated_at`` dates the state shown: the submission's state changes after the
    version is frozen, its content never does.
    """
    frozen = version.content
    institution = frozen.get("institution", {})
    content = frozen.get("content", {})
    kind = _label(SubmissionKind, frozen.get("kind"))
    notices = build_notices(version.warnings or [])
    notes: dict[str, list[int]] = {}
    for notice, warning in zip(notices, version.warnings or [], strict=True):
        notes.setdefault(str(warning.get("path", "")), []).append(notice.number)
    submitted_at = version.submitted_at
    facts = (
        Fact("Institución", format_raw(institution.get("name"))),
        Fact("Código de la institución", format_raw(institution.get("code"))),
        Fact("Ministerio", format_raw(institution.get("ministry"))),
        Fact("Etapa", _label(Stage, institution.get("stage"))),
        Fact("Compromete MESU", _label(MesuCommitment, institution.get("mesu"))),
        Fact("Ciclo (proceso PMG)", str(frozen.get("cycle", EMPTY))),
        Fact("Año de referencia", str(frozen.get("reference_year", EMPTY))),
        Fact("Tipo de envío", kind),
        Fact("Versión", _version_status(version)),
        Fact("Estado del envío", version.submission.state.label),
        Fact("Enviado el", f"{format_datetime(submitted_at)} (hora de Chile)"),
        Fact("Enviado por", _submitter(version.submitted_by)),
        Fact("Huella SHA-256 del contenido", version.content_hash, mono=True),
    )
    return VersionDocument(
        title=f"{kind} · {institution.get('name', '')} · versión {version.number}",
        kind=kind,
        institution_name=str(institution.get("name", "")),
        institution_code=str(institution.get("code", "")),
        version_number=version.number,
        content_hash=version.content_hash,
        hash_prefix=version.content_hash[:HASH_PREFIX_LENGTH],
        facts=facts,
        sections=build_sections(content, SECTIONS, notes),
        notices=notices,
        generated=format_datetime(generated_at),
    )


def version_context(version: Any, *, generated_at: datetime | None = None) -> dict[str, Any]:
    """The context of the templates that show a version (the PDF and its HTML page)."""
    return {"document": build_document(version, generated_at=generated_at or utcnow())}


def pdf_filename(version: Any) -> str:
    """``diagnostico-1306-2026-v2.pdf``: ASCII only, safe in a Content-Disposition header."""
    frozen = version.content
    slug = {SubmissionKind.DIAGNOSTIC.value: "diagnostico", SubmissionKind.PLAN.value: "plan"}
    code = "".join(
        char if char.isascii() and (char.isalnum() or char in "-_") else "-"
        for char in str(frozen.get("institution", {}).get("code", "institucion"))
    )
    kind = slug.get(frozen.get("kind"), "envio")
    return f"{kind}-{code}-{frozen.get('cycle', '')}-v{version.number}.pdf"
