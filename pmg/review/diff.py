"""What changed between two versions of a submission, section by section.

Rows are matched by their stable key where the section has one (plan actions),
otherwise by position; evidence files by their SHA-256.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pmg.submissions.content import FieldKind, SectionSpec

EVIDENCE = "evidence"


@dataclass(frozen=True)
class FieldChange:
    where: str
    before: Any
    after: Any


@dataclass
class SectionChanges:
    title: str
    fields: list[FieldChange] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.fields or self.added or self.removed)


def _row_key(section: SectionSpec, index: int, row: dict[str, Any]) -> str:
    keys = [spec.name for spec in section.fields if spec.kind is FieldKind.KEY]
    if keys and row.get(keys[0]):
        return str(row[keys[0]])
    return f"#{index}"


def _row_name(section: SectionSpec, index: int, row: dict[str, Any]) -> str:
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


def _compare_fields(
    section: SectionSpec, where: str, old: dict[str, Any], new: dict[str, Any]
) -> list[FieldChange]:
    return [
        FieldChange(f"{where}{spec.label}", old.get(spec.name), new.get(spec.name))
        for spec in section.fields
        if spec.kind is not FieldKind.KEY and old.get(spec.name) != new.get(spec.name)
    ]


def _compare_rows(section: SectionSpec, old: list[Any], new: list[Any]) -> SectionChanges:
    changes = SectionChanges(section.title)
    before = {_row_key(section, i, row): (i, row) for i, row in enumerate(old)}
    after = {_row_key(section, i, row): (i, row) for i, row in enumerate(new)}
    for key, (index, row) in after.items():
        if key not in before:
            changes.added.append(_row_name(section, index, row))
            continue
        where = f"{_row_name(section, index, row)} › "
        changes.fields.extend(_compare_fields(section, where, before[key][1], row))
    changes.removed = [
        _row_name(section, index, row) for key, (index, row) in before.items() if key not in after
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
            changes.fields = _compare_fields(section, "", before or {}, after or {})
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
