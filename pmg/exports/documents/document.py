"""What the PDF of a submitted version says, as plain data for a template.

Pure: a version (or any object with its attributes) in, a :class:`VersionDocument`
out; no Flask, no WeasyPrint, no queries. What else a document needs (the diagnostic
a plan answers) the caller loads first (:func:`pmg.exports.documents.version_context`).
Every value is already formatted as a Chilean reader expects it, so the template only
lays out.

The sections, their order, labels and choices come from the specs in
:mod:`pmg.diagnostics.schema` and :mod:`pmg.plans.schema`; derived percentages
come from :mod:`pmg.indicators.figures`. Key fields (internal ids) are never
shown. Anything in the frozen content that the specs no longer describe is still
shown (with its key as label): the PDF must show all that was hashed, and so it
lists the version's evidence files with their SHA-256.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from pmg.core.filters import format_datetime
from pmg.diagnostics.schema import PERCENTAGES
from pmg.diagnostics.schema import SECTIONS as DIAGNOSTIC_SECTIONS
from pmg.evidence.models import EvidenceType
from pmg.exports.documents.blocks import (
    EMPTY,
    Entry,
    EvidenceItem,
    Fact,
    Line,
    Notice,
    Section,
    VersionDocument,
    format_bytes,
    format_percent,
    format_raw,
    format_value,
)
from pmg.exports.documents.plan_document import (
    HASH_PREFIX_LENGTH,
    gap_namer,
    procedure_targets_section,
    reference_fact,
)
from pmg.exports.documents.prefilled import NOTHING_PREFILLED, Prefilled, with_official
from pmg.indicators.figures import (
    derived_label,
)
from pmg.institutions.models import MesuCommitment, Stage
from pmg.plans.schema import ACTIONS, PROCEDURE_TARGETS
from pmg.plans.schema import SECTIONS as PLAN_SECTIONS
from pmg.submissions.content import FieldKind, SectionSpec, describe_path
from pmg.submissions.kinds import kind_of
from pmg.submissions.models import SubmissionKind

GONE_ACTION = "Una acción que no está en esta versión"
Namer = Callable[[str], str]


# --- Sections -------------------------------------------------------------------------------


def _references(value: Any, name: Namer) -> str:
    items = value if isinstance(value, list) else [value]
    return "\n".join(name(str(item)) for item in items) if value else EMPTY


def _lines(
    section: SectionSpec,
    values: Mapping[str, Any],
    prefix: str,
    notes: Mapping[str, list[int]],
    references: Namer,
    official: Mapping[str, Any],
) -> tuple[Line, ...]:
    """The fields of one row, each derived percentage right after the figure it derives from,
    and beside a changed value the ``official`` one pre-filled."""
    rule = PERCENTAGES.get(section.key)
    derived = dict(rule(values)) if rule else {}
    lines: list[Line] = []

    def add_derived(name: str) -> None:
        label = derived_label(section.key, name)
        lines.append(Line(label, format_percent(derived.pop(name)), True))

    for spec in section.fields:
        if spec.kind is FieldKind.KEY:
            continue
        value = values.get(spec.name)
        many = spec.kind is FieldKind.REFERENCES
        line = Line(
            spec.label,
            _references(value, references) if many else format_value(spec, value),
            long=spec.kind is FieldKind.LONG_TEXT or many,
            notes=tuple(notes.get(f"{prefix}.{spec.name}", ())),
        )
        lines.append(with_official(line, spec, value, official.get(spec.name)))
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


def _section(
    spec: SectionSpec,
    data: Any,
    notes: Mapping[str, list[int]],
    references: Namer,
    prefilled: Prefilled = NOTHING_PREFILLED,
) -> Section:
    if not spec.repeated:
        values = data if isinstance(data, Mapping) else {}
        official = prefilled.of_section(spec)
        lines = _lines(spec, values, spec.key, notes, references, official)
        return prefilled.mark(Section(spec.key, spec.title, False, lines=lines), spec)
    rows = [row for row in data if isinstance(row, Mapping)] if isinstance(data, list) else []
    entries = tuple(
        Entry(
            prefilled.row_title(spec, row, f"{spec.row_label} {index + 1} de {len(rows)}"),
            _lines(
                spec, row, f"{spec.key}.{index}", notes, references, prefilled.of_row(spec, row)
            ),
        )
        for index, row in enumerate(rows)
    )
    return prefilled.mark(Section(spec.key, spec.title, True, entries=entries), spec)


def _unknown_section(key: str, data: Any) -> Section:
    if isinstance(data, Mapping):
        lines = tuple(Line(str(name), format_raw(value)) for name, value in data.items())
        return Section(key, key, False, lines=lines)
    return Section(key, key, False, lines=(Line(key, format_raw(data)),))


def build_sections(
    content: Mapping[str, Any],
    specs: Iterable[SectionSpec] = DIAGNOSTIC_SECTIONS,
    notes: Mapping[str, list[int]] | None = None,
    references: Namer = str,
    prefilled: Prefilled = NOTHING_PREFILLED,
) -> tuple[Section, ...]:
    """Every section present in ``content``, in the order of the specs, then any unknown.

    ``references`` names each id a references field holds (a plan's gaps); ``prefilled``
    is what the version froze as pre-filled from the official consolidated files.
    """
    notes = notes or {}
    specs = tuple(specs)
    sections = [
        _section(spec, content[spec.key], notes, references, prefilled)
        for spec in specs
        if spec.key in content
    ]
    known = {spec.key for spec in specs}
    sections.extend(
        _unknown_section(key, data) for key, data in content.items() if key not in known
    )
    return tuple(sections)


def _plan_sections(
    content: Mapping[str, Any],
    notes: Mapping[str, list[int]],
    diagnostic: Any,
    prefilled: Prefilled,
) -> tuple[Section, ...]:
    sections = build_sections(content, PLAN_SECTIONS, notes, gap_namer(diagnostic), prefilled)
    grid = procedure_targets_section(content.get(PROCEDURE_TARGETS.key), diagnostic, notes)
    return tuple(
        grid if grid is not None and section.key == PROCEDURE_TARGETS.key else section
        for section in sections
    )


# --- Warnings and evidence ------------------------------------------------------------------


def build_notices(
    warnings: Iterable[Mapping[str, str]], specs: Iterable[SectionSpec] = DIAGNOSTIC_SECTIONS
) -> tuple[Notice, ...]:
    """Each warning with the labels of where it is (``Reclamos · Reclamos respondidos…``)."""
    specs = tuple(specs)
    return tuple(
        Notice(number, describe_path(specs, str(warning.get("path", ""))), warning["message"])
        for number, warning in enumerate(warnings, start=1)
    )


def build_evidence(manifest: Any, actions: Any, whole: str) -> tuple[EvidenceItem, ...]:
    """The version's evidence files: those of the whole submission first, then by action.

    A file names its action by key; the action is shown by its number (``Acción 2``).
    """
    files = [item for item in manifest if isinstance(item, Mapping)] if manifest else []
    rows = actions if isinstance(actions, list) else []
    numbers = {
        str(row["key"]): number
        for number, row in enumerate(rows, start=1)
        if isinstance(row, Mapping) and row.get("key")
    }

    def place(item: Mapping[str, Any]) -> tuple[int, str]:
        key = item.get("action_key")
        if not key:
            return 0, whole
        number = numbers.get(str(key))
        return (number, f"{ACTIONS.row_label} {number}") if number else (len(rows) + 1, GONE_ACTION)

    placed = sorted(((place(item), index, item) for index, item in enumerate(files)))
    return tuple(
        EvidenceItem(
            name=format_raw(item.get("name")),
            file_type=_label(EvidenceType, item.get("type")),
            attached_to=attached_to,
            size=format_bytes(item.get("size")),
            sha256=str(item.get("sha256") or EMPTY),
        )
        for (_, attached_to), _, item in placed
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


def _facts(
    version: Any, frozen: Mapping[str, Any], kind: str, reference: Fact | None
) -> tuple[Fact, ...]:
    """The header; ``reference`` (a plan's diagnostic) right after the kind."""
    institution = frozen.get("institution", {})
    facts = (
        Fact("Institución", format_raw(institution.get("name"))),
        Fact("Código de la institución", format_raw(institution.get("code"))),
        Fact("Ministerio", format_raw(institution.get("ministry"))),
        Fact("Etapa", _label(Stage, institution.get("stage"))),
        Fact("Compromete MESU", _label(MesuCommitment, institution.get("mesu"))),
        Fact("Ciclo (proceso PMG)", str(frozen.get("cycle", EMPTY))),
        Fact("Año de referencia", str(frozen.get("reference_year", EMPTY))),
        Fact("Tipo de envío", kind),
        *((reference,) if reference else ()),
        Fact("Versión", _version_status(version)),
        Fact("Estado del envío", version.submission.state.label),
        Fact("Enviado el", f"{format_datetime(version.submitted_at)} (hora de Chile)"),
        Fact("Enviado por", _submitter(version.submitted_by)),
        Fact("Huella SHA-256 del contenido", version.content_hash, mono=True),
    )
    return facts


def build_document(
    version: Any, *, as_of: datetime, diagnostic: Any | None = None
) -> VersionDocument:
    """The template context of the PDF of ``version`` (a :class:`SubmissionVersion`).

    ``as_of`` dates the state shown: the submission's state changes after the version is
    frozen, its content never does. For a plan, ``diagnostic`` is the
    diagnostic version it answers (see
    :func:`pmg.exports.documents.queries.reference_diagnostic`), which names and numbers
    the gaps its actions refer to.
    """
    frozen = version.content
    institution = frozen.get("institution", {})
    content = frozen.get("content", {})
    kind_value = frozen.get("kind")
    is_plan = kind_value == SubmissionKind.PLAN.value
    spec = kind_of(kind_value)
    specs = spec.all_sections if spec else DIAGNOSTIC_SECTIONS
    kind = _label(SubmissionKind, kind_value)
    notices = build_notices(version.warnings or [], specs)
    notes: dict[str, list[int]] = {}
    for notice, warning in zip(notices, version.warnings or [], strict=True):
        notes.setdefault(str(warning.get("path", "")), []).append(notice.number)
    prefilled = Prefilled(frozen.get("prefilled") or {}, frozen.get("reference_year"))
    if is_plan:
        diagnostic_content = diagnostic.content if diagnostic is not None else None
        sections = _plan_sections(content, notes, diagnostic_content, prefilled)
    else:
        sections = build_sections(content, specs, notes, prefilled=prefilled)
    reference = reference_fact(diagnostic) if is_plan else None
    whole = spec.whole if spec else "Todo el envío"
    evidence = build_evidence(frozen.get("evidence"), content.get(ACTIONS.key), whole)
    return VersionDocument(
        title=f"{kind} · {institution.get('name', '')} · versión {version.number}",
        kind=kind,
        institution_name=str(institution.get("name", "")),
        institution_code=str(institution.get("code", "")),
        version_number=version.number,
        content_hash=version.content_hash,
        hash_prefix=version.content_hash[:HASH_PREFIX_LENGTH],
        facts=_facts(version, frozen, kind, reference),
        sections=sections,
        notices=notices,
        as_of=as_of,
        evidence=evidence,
        shows_evidence=is_plan or bool(evidence),
    )


def pdf_filename(version: Any) -> str:
    """``diagnostico-1306-2026-v2.pdf``: ASCII only, safe in a Content-Disposition header."""
    frozen = version.content
    code = "".join(
        char if char.isascii() and (char.isalnum() or char in "-_") else "-"
        for char in str(frozen.get("institution", {}).get("code", "institucion"))
    )
    spec = kind_of(frozen.get("kind"))
    kind = spec.slug if spec else "envio"
    return f"{kind}-{code}-{frozen.get('cycle', '')}-v{version.number}.pdf"
