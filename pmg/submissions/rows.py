"""Adding and removing rows of repeated sections (procedures, gaps, …) without JavaScript."""

from __future__ import annotations

import secrets
from typing import Any

from pmg.submissions.content import FieldKind, SectionSpec


def empty_row(section: SectionSpec) -> dict[str, Any]:
    """A new row: empty fields, and a fresh stable id for each key field."""
    row: dict[str, Any] = {}
    for spec in section.fields:
        if spec.kind is FieldKind.KEY:
            row[spec.name] = secrets.token_hex(6)
        else:
            row[spec.name] = [] if spec.kind is FieldKind.REFERENCES else ""
    return row


def apply_row_action(
    draft: dict[str, Any], sections: tuple[SectionSpec, ...], action: str
) -> tuple[dict[str, Any], str | None]:
    """``agregar:<section>`` adds an empty row; ``quitar:<section>:<n>`` removes row n.

    Returns the new draft and the anchor to go back to; any other action changes nothing.
    """
    verb, _, rest = action.partition(":")
    key, _, index = rest.partition(":")
    section = next((s for s in sections if s.key == key and s.repeated), None)
    if section is None or verb not in {"agregar", "quitar"}:
        return draft, None
    rows = list(draft.get(key) or [])
    if verb == "agregar":
        rows.append(empty_row(section))
        anchor = f"{key}-{len(rows) - 1}"
    elif index.isdigit() and int(index) < len(rows):
        del rows[int(index)]
        anchor = f"seccion-{key}"
    else:
        return draft, None
    return {**draft, key: rows}, anchor
