"""Search as people type: no case, no accents, and ``%`` or ``_`` are just characters.

A searchable model keeps a derived ``search_text`` column: its searched fields folded
with :func:`~pmg.core.spreadsheets.comparable` (``NIÑEZ`` reads ``ninez``), one per line.
What is typed is folded the same way and looked for as a plain substring, so the search
is the same on SQLite and PostgreSQL. Fields are joined by a line break, which folded
typed text never holds, so a search never matches across two fields. The stored fields
stay exactly as given; only ``search_text`` is normalised.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, validates

from pmg.core.spreadsheets import comparable

FIELD_SEPARATOR = "\n"


def search_text(*fields: str | None) -> str:
    """The derived search column for ``fields`` (a missing field counts as empty)."""
    return FIELD_SEPARATOR.join(comparable(field or "") for field in fields)


def keeps_search_text(*names: str) -> Callable[..., Any]:
    """A model validator that sets ``search_text`` from the fields ``names`` whenever one
    of them is set, in the constructor or later, by any write path that goes through the
    ORM's attributes (imports, admin edits, the demo, the factories)."""

    @validates(*names)
    def refresh_search_text(model: Any, key: str, value: str) -> str:
        current = {name: getattr(model, name) for name in names} | {key: value}
        model.search_text = search_text(*(current[name] for name in names))
        return value

    return refresh_search_text


def searched(query: Select[Any], column: InstrumentedAttribute[str], typed: str) -> Select[Any]:
    """``query`` narrowed to rows whose ``column`` (a ``search_text``) holds what was typed;
    unchanged when nothing searchable was typed."""
    folded = comparable(typed)
    if not folded:
        return query
    return query.where(column.contains(folded, autoescape=True))
