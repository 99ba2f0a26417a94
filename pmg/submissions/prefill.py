"""What a new draft starts with from the indicator history imported from the official
consolidated files, and how a value compares with what was pre-filled.

Each kind computes its own :class:`Prefill` (:mod:`pmg.diagnostics.prefill`,
:mod:`pmg.plans.prefill`) when its submission is created. The submission keeps the
pre-filled texts (``Submission.prefilled``) apart from its draft, so nothing posted can
forge them; the form and the version's PDF show them beside a changed value.

``marks`` are shaped ``{section: {field: text}}`` for a single section and
``{section: {row key: {field: text}}}`` for a repeated one. A field is marked only when
something was pre-filled in it: a figure the file does not report stays empty, unmarked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from pmg.core.filters import format_decimal, format_number
from pmg.core.models import LabelledEnum
from pmg.submissions.content import FieldKind, FieldSpec, SectionSpec, jsonable, parse_value
from pmg.submissions.rows import empty_row

Draft = dict[str, Any]
Marks = dict[str, Any]
# What str.splitlines breaks at: each run of them is a line break for a one-line field.
LINE_BREAKS = re.compile(r"[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")
CARRIAGE_RETURNS = re.compile(r"\r\n?")


@dataclass(frozen=True)
class Prefill:
    """The draft a new submission starts with, and what of it was pre-filled (``marks``)."""

    draft: Draft = field(default_factory=dict)
    marks: Marks = field(default_factory=dict)


def as_text(spec: FieldSpec, value: Any) -> str:
    """A value of the history as a person types it in the field ``spec``: es-CL numbers
    with every digit, a choice's value, a text as stored; ``""`` for ``None``."""
    if value is None:
        return ""
    if isinstance(value, LabelledEnum):
        return value.value
    if spec.kind is FieldKind.COUNT:
        return format_number(int(value))
    if spec.numeric:
        text = format_decimal(value)
        # A decimal field reads a lone thousands point as the decimal point ("1.250" is one
        # and a quarter, see pmg.core.numbers), so a whole number goes without them.
        return text if "," in text else text.replace(".", "")
    if spec.kind is FieldKind.TEXT:
        # Derived: a one-line field cannot hold a line break; the history keeps the text.
        return LINE_BREAKS.sub(" ", str(value))
    return str(value)


def _texts(section: SectionSpec, sources: Iterable[Any]) -> dict[str, str]:
    """The texts of the fields of ``section`` that a column of some source holds (the
    history tables name their columns like the fields)."""
    texts: dict[str, str] = {}
    for source in sources:
        columns = type(source).__table__.columns.keys()
        for spec in section.fields:
            if spec.kind is not FieldKind.KEY and spec.name in columns:
                texts.setdefault(spec.name, as_text(spec, getattr(source, spec.name)))
    return texts


def _marked(texts: Mapping[str, str]) -> dict[str, str]:
    return {name: text for name, text in texts.items() if text}


def section_prefill(section: SectionSpec, *sources: Any) -> Prefill:
    """A single section filled from ``sources``; nothing when they hold no value for it."""
    texts = _texts(section, sources)
    if not _marked(texts):
        return Prefill()
    return Prefill({section.key: texts}, {section.key: _marked(texts)})


def rows_prefill(section: SectionSpec, rows: Iterable[tuple[str, tuple[Any, ...]]]) -> Prefill:
    """A repeated section with a row per ``(row key, sources)``, at most its ``max_rows``.

    The key is the row's key field: given, not generated, so that the same history gives
    the same keys on the page first shown and in the submission then created.
    """
    key_name = next(spec.name for spec in section.fields if spec.kind is FieldKind.KEY)
    draft_rows, marks = [], {}
    for key, sources in list(rows)[: section.max_rows]:
        texts = _texts(section, sources)
        draft_rows.append({**empty_row(section), **texts, key_name: key})
        marks[key] = _marked(texts)
    if not draft_rows:
        return Prefill()
    return Prefill({section.key: draft_rows}, {section.key: marks})


def merged(parts: Iterable[Prefill]) -> Prefill:
    draft: Draft = {}
    marks: Marks = {}
    for part in parts:
        draft.update(part.draft)
        marks.update(part.marks)
    return Prefill(draft, marks)


def typed(spec: FieldSpec, text: Any) -> Any:
    """What ``text`` stands for in the field ``spec``, as a version's content holds it
    (``"7,50"`` and ``"7,5"`` are both 7.5); the text itself when it is no valid value."""
    try:
        return jsonable(parse_value(spec, text))
    except ValueError:
        return text


def _alike(value: object) -> object:
    return CARRIAGE_RETURNS.sub("\n", value) if isinstance(value, str) else value


def unchanged(spec: FieldSpec, value: Any, text: str) -> bool:
    """Whether ``value`` (typed, as content holds it) is what the pre-filled ``text`` stands
    for in ``spec``. A browser sends a text area's line breaks as ``\r\n``: any is alike."""
    return _alike(value) == _alike(typed(spec, text))


def shown(spec: FieldSpec, text: str) -> str:
    """A pre-filled text as the form shows it: a choice by its label."""
    if spec.kind is FieldKind.CHOICE and spec.choices is not None:
        member = cast("LabelledEnum | None", spec.choices._value2member_map_.get(text))
        return member.label if member is not None else text
    return text


def section_marks(marks: Mapping[str, Any], section: SectionSpec) -> Mapping[str, Any]:
    """The marks of ``section`` (``{}`` when none or malformed)."""
    found = marks.get(section.key) if isinstance(marks, Mapping) else None
    return found if isinstance(found, Mapping) else {}


def row_marks(marks: Mapping[str, Any], section: SectionSpec, row: Any) -> Mapping[str, Any]:
    """The marks of one row of a repeated section, found by its key field."""
    keys = [spec.name for spec in section.fields if spec.kind is FieldKind.KEY]
    key = row.get(keys[0]) if keys and isinstance(row, Mapping) else None
    found = section_marks(marks, section).get(str(key)) if key else None
    return found if isinstance(found, Mapping) else {}
