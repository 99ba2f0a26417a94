"""What changed between two versions of a submission, section by section.

Rows are matched by their stable key where the section has one (plan actions),
otherwise by position; evidence files by their SHA-256. Each change says where it is in
both versions (the row's position in each), so the page can mark it in the content.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pmg.review.fields import row_key, row_name
from pmg.submissions.content import FieldKind, SectionSpec

EVIDENCE = "evidence"


@dataclass(frozen=True)
class FieldChange:
    where: str  # ``Trámite 2 (…) › Nombre``: as the list of changes names it
    label: str  # the field's label, as the content shows it
    before: Any
    after: Any
    row: int | None = None  # the row's position in the new version (repeated sections)
    old_row: int | None = None  # and in the previous one


@dataclass
class SectionChanges:
    title: str
    fields: list[FieldChange] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    added_rows: list[int] = field(default_factory=list)  # positions in the new version

    def __bool__(self) -> bool:
        return bool(self.fields or self.added or self.removed)


def _compare_fields(
    section: SectionSpec,
    old: dict[str, Any],
    new: dict[str, Any],
    rows: tuple[int, int] | None = None,
    where: str = "",
) -> list[FieldChange]:
    row, old_row = rows if rows is not None else (None, None)
    return [
        FieldChange(
            f"{where}{spec.label}",
            spec.label,
            old.get(spec.name),
            new.get(spec.name),
            row,
            old_row,
        )
        for spec in section.fields
        if spec.kind is not FieldKind.KEY and old.get(spec.name) != new.get(spec.name)
    ]


def _compare_rows(section: SectionSpec, old: list[Any], new: list[Any]) -> SectionChanges:
    changes = SectionChanges(section.title)
    before = {row_key(section, i, row): (i, row) for i, row in enumerate(old)}
    after = {row_key(section, i, row): (i, row) for i, row in enumerate(new)}
    for key, (index, row) in after.items():
        if key not in before:
            changes.added.append(row_name(section, index, row))
            changes.added_rows.append(index)
            continue
        old_index, old_row = before[key]
        where = f"{row_name(section, index, row)} › "
        changes.fields.extend(_compare_fields(section, old_row, row, (index, old_index), where))
    changes.removed = [
        row_name(section, index, row) for key, (index, row) in before.items() if key not in after
    ]
    return changes


def section_changes(
    sections: tuple[SectionSpec, ...], old: dict[str, Any], new: dict[str, Any]
) -> dict[str, SectionChanges]:
    """``{section key: changes}`` between two version documents; only sections that changed,
    plus ``evidence`` for files added or removed."""
    old_content, new_content = old.get("content") or {}, new.get("content") or {}
    result: dict[str, SectionChanges] = {}
    for section in sections:
        before, after = old_content.get(section.key), new_content.get(section.key)
        if section.repeated:
            changes = _compare_rows(section, before or [], after or [])
        else:
            changes = SectionChanges(section.title)
            changes.fields = _compare_fields(section, before or {}, after or {})
        if changes:
            result[section.key] = changes
    files = _evidence_changes(old.get("evidence") or [], new.get("evidence") or [])
    if files:
        result[EVIDENCE] = files
    return result


def _evidence_changes(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> SectionChanges:
    def names(files: list[dict[str, Any]]) -> dict[str, str]:
        return {f"{f.get('sha256')}:{f.get('name')}": str(f.get("name")) for f in files}

    before, after = names(old), names(new)
    return SectionChanges(
        "Medios de verificación (archivos)",
        added=[name for key, name in after.items() if key not in before],
        removed=[name for key, name in before.items() if key not in after],
    )
