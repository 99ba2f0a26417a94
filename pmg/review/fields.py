"""Where an observation points: a section its requirement concerns, or one field of it.

Paths name places as the content's findings do: ``section``, ``section.field`` and, in a
repeated section, ``section.<row>.field``. ``<row>`` is the row's key when the section's
rows have one (a procedure, a gap, an action: it stays the same when rows move) that fits
in a path (no dot, the whole path within :data:`MAX_PATH`), and the row's position from 0
otherwise (``channels.1.channel``). The choices list the rows of the version under review,
named as the form names them (:func:`~pmg.submissions.content.describe_path`'s style).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pmg.core.caching import cached
from pmg.requirements.models import Requirement
from pmg.review.models import MAX_PATH, Review
from pmg.submissions.content import FieldKind, FieldSpec, SectionSpec
from pmg.submissions.kinds import KINDS
from pmg.submissions.models import SubmissionVersion
from pmg.submissions.queries import VERSION_TABLES


@dataclass(frozen=True)
class FieldChoice:
    path: str
    label: str
    group: str  # the section's title


def row_key(section: SectionSpec, index: int, row: Mapping[str, Any]) -> str:
    """The row's key where its section has one, else its position."""
    keys = [spec.name for spec in section.fields if spec.kind is FieldKind.KEY]
    if keys and row.get(keys[0]):
        return str(row[keys[0]])
    return str(index)


def row_name(section: SectionSpec, index: int, row: Mapping[str, Any]) -> str:
    """``Trámite 2 (Pago de bonos)``: the row label, its number and its first text."""
    shown = next(
        (
            str(row[spec.name])
            for spec in section.fields
            if spec.kind in (FieldKind.TEXT, FieldKind.LONG_TEXT) and row.get(spec.name)
        ),
        "",
    )
    label = f"{section.row_label} {index + 1}"
    return f"{label} ({shown[:80]})" if shown else label


def _shown(section: SectionSpec) -> list[FieldSpec]:
    return [spec for spec in section.fields if spec.kind is not FieldKind.KEY]


def _section_choices(section: SectionSpec, data: Any) -> list[FieldChoice]:
    title = section.title
    choices = [FieldChoice(section.key, f"{title} (toda la sección)", title)]
    if not section.repeated:
        return choices + [
            FieldChoice(f"{section.key}.{spec.name}", f"{title} · {spec.label}", title)
            for spec in _shown(section)
        ]
    rows = [row for row in data if isinstance(row, Mapping)] if isinstance(data, list) else []
    longest = max((len(spec.name) for spec in section.fields), default=0)
    for index, row in enumerate(rows):
        where, name = row_key(section, index, row), row_name(section, index, row)
        if "." in where or len(f"{section.key}.{where}.") + longest > MAX_PATH:
            where = str(index)
        choices.extend(
            FieldChoice(f"{section.key}.{where}.{spec.name}", f"{name} · {spec.label}", title)
            for spec in _shown(section)
        )
    return choices


def field_choices(
    specs: Sequence[SectionSpec], content: Mapping[str, Any], keys: Iterable[str]
) -> list[FieldChoice]:
    """The places in ``content`` an observation about the sections ``keys`` may point at:
    each section present, then its fields (for each of its rows, in a repeated one)."""
    return _of_sections(choices_by_section(specs, content), keys)


def choices_by_section(
    specs: Sequence[SectionSpec], content: Mapping[str, Any]
) -> dict[str, list[FieldChoice]]:
    """The places of each section of ``specs`` present in ``content``, by key."""
    return {
        spec.key: _section_choices(spec, content[spec.key]) for spec in specs if spec.key in content
    }


def _of_sections(
    by_section: Mapping[str, list[FieldChoice]], keys: Iterable[str]
) -> list[FieldChoice]:
    return [choice for key in keys for choice in by_section.get(key, ())]


def observable_fields(version: SubmissionVersion, requirement: Requirement) -> list[FieldChoice]:
    """Where in ``version`` an observation on ``requirement`` may point. The places of a
    version are found once and kept (versions never change): not for each requirement of
    every visit of the review page."""

    def places() -> dict[str, list[FieldChoice]]:
        specs = KINDS[version.submission.kind].all_sections
        return choices_by_section(specs, version.content.get("content") or {})

    by_section = cached("review.fields", (version.id,), places, tables=VERSION_TABLES)
    return _of_sections(by_section, requirement.sections)


def path_problem(review: Review, sent: Mapping[int, str]) -> str | None:
    """Why a note cannot point where ``sent`` says: only at the places of the sections its
    requirement concerns, as the version under review holds them."""
    for verdict in review.verdicts:
        path = sent.get(verdict.requirement_id)
        if not path:
            continue
        allowed = {choice.path for choice in observable_fields(review.version, verdict.requirement)}
        if path not in allowed:
            return (
                f"{verdict.requirement.code}: el campo observado no es parte de lo que revisa "
                "el requisito. Elija otro de la lista."
            )
    return None
