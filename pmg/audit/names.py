"""The trail's objects named as people know them, never by a database id.

An entry keeps its object's type and id, hashed and never changed; its name is found when
the trail is read: for a page, or a batch of the export, one query per kind of object in
it, never one per entry. An object deleted since, or of a kind not known here, is named
by its kind and id: ``Versión #12``.

The trail sits below every package whose objects it names: each one registers its own
kinds with :func:`register_names` (in its ``audit_names`` module, imported by the app
factory).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, Select

from pmg.audit.operations import EntryFields
from pmg.core.routing import parse_db_int
from pmg.extensions import db

HASH_PREFIX = 12


@dataclass(frozen=True)
class RowNamer:
    """How one kind of row is looked up (``id`` first) and named from its row; what names
    it once it is gone (``None``: its kind and id)."""

    model: Any
    query: Callable[[], Select[*tuple[Any, ...]]]
    name: Callable[[Row[*tuple[Any, ...]]], str]
    deleted: Callable[[EntryFields], str | None] | None = None


# A kind that is not a row is named from its id alone.
IdNamer = Callable[[str], str]

# The Spanish label of each registered kind, used when an object cannot be named.
OBJECT_LABELS: dict[str, str] = {}
_NAMERS: dict[str, RowNamer] = {}
_NAMED_BY_ID: dict[str, IdNamer] = {}


def register_names(object_type: str, label: str, namer: RowNamer | IdNamer | None = None) -> None:
    """Name the objects recorded as ``object_type``: by ``namer`` (a row's, or from the id
    alone), else by ``label`` and their id."""
    OBJECT_LABELS[object_type] = label
    if isinstance(namer, RowNamer):
        _NAMERS[object_type] = namer
    elif namer is not None:
        _NAMED_BY_ID[object_type] = namer


register_names(
    "ImportedFile",
    "Archivo importado",
    lambda sha256: f"Archivo importado · SHA-256 {sha256[:HASH_PREFIX]}…",
)
register_names(
    "AuditTrail",
    "Registro de auditoría",
    lambda last: f"Registro de auditoría hasta la entrada {last}",
)


def _row_id(object_id: str) -> int | None:
    """The id as a row's, or ``None`` when it cannot be one (then nothing is looked up)."""
    number = parse_db_int(object_id)
    return number or None


def _load(object_type: str, ids: set[int]) -> dict[int, str]:
    namer = _NAMERS[object_type]
    rows = db.session.execute(namer.query().where(namer.model.id.in_(sorted(ids))))
    return {row[0]: namer.name(row) for row in rows}


def _fallback(entry: EntryFields) -> str:
    """An object deleted since (by what its kind keeps of it), or unknown: its kind and id."""
    namer = _NAMERS.get(entry.object_type)
    deleted = namer.deleted(entry) if namer is not None and namer.deleted else None
    if deleted is not None:
        return deleted
    return f"{OBJECT_LABELS.get(entry.object_type, entry.object_type)} #{entry.object_id}"


def object_names(entries: Sequence[EntryFields]) -> list[str]:
    """The name of each entry's object, in order: one query per kind of object present."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        row_id = _row_id(entry.object_id)
        if entry.object_type in _NAMERS and row_id is not None:
            wanted.setdefault(entry.object_type, set()).add(row_id)
    found = {kind: _load(kind, ids) for kind, ids in wanted.items()}
    return [_name(entry, found.get(entry.object_type, {})) for entry in entries]


def _name(entry: EntryFields, found: dict[int, str]) -> str:
    if entry.object_type in _NAMED_BY_ID:
        return _NAMED_BY_ID[entry.object_type](entry.object_id)
    return found.get(_row_id(entry.object_id) or 0) or _fallback(entry)
