"""Adding and removing rows of repeated sections (procedures, gaps, …) without JavaScript."""

from __future__ import annotations

import secrets
from typing import Any, NamedTuple

from pmg.core.routing import parse_db_int
from pmg.submissions.content import FieldKind, SectionSpec

Draft = dict[str, Any]


class RowChange(NamedTuple):
    """What a row action did: the new draft, the anchor to go back to, and, when it was
    refused, why (a message for the page to flash)."""

    draft: Draft
    anchor: str | None
    refusal: str | None = None


def empty_row(section: SectionSpec) -> dict[str, Any]:
    """A new row: empty fields, and a fresh stable id for each key field."""
    row: dict[str, Any] = {}
    for spec in section.fields:
        if spec.kind is FieldKind.KEY:
            row[spec.name] = secrets.token_hex(6)
        else:
            row[spec.name] = [] if spec.kind is FieldKind.REFERENCES else ""
    return row


def change_rows(draft: Draft, sections: tuple[SectionSpec, ...], action: str) -> RowChange:
    """``agregar:<section>`` adds an empty row; ``quitar:<section>:<n>`` removes row n.

    Any other action changes nothing. A section already holding its ``max_rows`` gets no
    row: the draft comes back as it was, with the section's anchor and the refusal.
    """
    verb, _, rest = action.partition(":")
    key, _, index = rest.partition(":")
    section = next((s for s in sections if s.key == key and s.repeated), None)
    if section is None or verb not in {"agregar", "quitar"}:
        return RowChange(draft, None)
    rows = list(draft.get(key) or [])
    if verb == "agregar" and len(rows) >= section.max_rows:
        refusal = f"No se agregó el registro: {section.row_limit()}. Quite uno para agregar otro."
        return RowChange(draft, f"seccion-{key}", refusal)
    if verb == "agregar":
        rows.append(empty_row(section))
        anchor = f"{key}-{len(rows) - 1}"
    elif (number := parse_db_int(index)) is not None and number < len(rows):
        del rows[number]
        anchor = f"seccion-{key}"
    else:
        return RowChange(draft, None)
    return RowChange({**draft, key: rows}, anchor)
