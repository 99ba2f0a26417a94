"""Writing to the audit trail and checking its chain.

Every change calls :func:`record` in its own transaction: the entry commits or rolls
back with the change it describes. :func:`record` is the only writer of the trail.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select, text

from pmg.audit.models import AuditEntry
from pmg.core.models import utcnow
from pmg.extensions import db

GENESIS_HASH = "0" * 64
VERIFY_BATCH = 1000


class EntryFields(Protocol):
    """What :func:`entry_digest` reads: an :class:`AuditEntry` or a row of its columns."""

    id: int
    at: datetime
    actor_id: int | None
    actor_email: str
    actor_role: str
    institution_id: int | None
    action: str
    object_type: str
    object_id: str
    before: Any
    after: Any
    previous_hash: str
    entry_hash: str


def canonical_json(value: Any) -> str:
    """One text for one value: sorted keys, no spaces, UTF-8 kept, dates as ISO strings.

    Strict JSON: a non-finite number (``Infinity``, ``NaN``, which no other JSON reader
    accepts) raises ``ValueError`` instead of being hashed and frozen.
    """
    return json.dumps(
        value,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
        default=str,
    )


def _plain(value: Any) -> Any:
    """``value`` as the JSON column will give it back, so the digest can be recomputed."""
    return None if value is None else json.loads(canonical_json(value))


def entry_digest(entry: EntryFields) -> str:
    payload = {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "actor_id": entry.actor_id,
        "actor_email": entry.actor_email,
        "actor_role": entry.actor_role,
        "institution_id": entry.institution_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "before": entry.before,
        "after": entry.after,
        "previous_hash": entry.previous_hash,
    }
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()


def split_changes(changes: Mapping[str, tuple[Any, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``{field: (before, after)}`` as the ``before`` and ``after`` of an entry."""
    return (
        {field: values[0] for field, values in changes.items()},
        {field: values[1] for field, values in changes.items()},
    )


def _lock_chain() -> None:
    """Serialise writers so two entries never claim the same predecessor.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: the write lock that
    the first INSERT of the transaction takes is enough, because writers queue.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(727001)"))


def record(
    action: str,
    obj: Any = None,
    *,
    actor: Any = None,
    institution_id: int | None = None,
    before: Any = None,
    after: Any = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
) -> AuditEntry:
    """Append one entry for ``action`` on ``obj`` (a model instance with an ``id``).

    Something that is not a row (an imported file, the trail itself) is named by
    ``object_type`` and ``object_id`` instead. ``actor`` is ``None`` for the command
    line and for a visitor who is not signed in.
    """
    if obj is not None:
        object_type = object_type or type(obj).__name__
        object_id = obj.id if object_id is None else object_id
    if not object_type or object_id is None:
        raise TypeError("record() needs an object, or object_type and object_id")
    _lock_chain()
    last = db.session.execute(
        select(AuditEntry.id, AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    entry = AuditEntry(
        id=(last.id + 1) if last else 1,
        at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_email=getattr(actor, "email", "") or "",
        actor_role=str(getattr(actor, "role", "") or ""),
        institution_id=institution_id,
        action=str(action),
        object_type=object_type,
        object_id=str(object_id),
        before=_plain(before),
        after=_plain(after),
        previous_hash=last.entry_hash if last else GENESIS_HASH,
    )
    entry.entry_hash = entry_digest(entry)
    db.session.add(entry)
    db.session.flush()
    return entry


# --- Verifying the chain -----------------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    """What :func:`verify_chain` found: how many entries, and the first break if any."""

    entries: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None

    def __str__(self) -> str:
        if self.ok:
            return f"audit chain ok: {self.entries} entries"
        return f"audit chain broken at entry {self.broken_at}: {self.reason}"


def _entries_in_order(batch_size: int) -> Iterator[EntryFields]:
    """Every entry by id, read ``batch_size`` at a time (keyset), never all at once.

    Plain rows of columns, not ORM objects: nothing piles up in the session.
    """
    after_id = 0
    while True:
        rows = db.session.execute(
            select(*AuditEntry.__table__.columns)
            .where(AuditEntry.id > after_id)
            .order_by(AuditEntry.id)
            .limit(batch_size)
        ).all()
        if not rows:
            return
        yield from rows
        after_id = rows[-1].id


def _problem(entry: EntryFields, expected_id: int, previous_hash: str) -> tuple[int, str] | None:
    """The first thing wrong with ``entry`` as the successor it should be, if any."""
    if entry.id != expected_id:
        return expected_id, (
            f"falta la entrada {expected_id} (la siguiente que existe es la {entry.id})"
            if entry.id > expected_id
            else f"número de entrada fuera de orden ({entry.id})"
        )
    if entry.previous_hash != previous_hash:
        expected = (
            "el hash de origen de la cadena"
            if expected_id == 1
            else f"el hash de la entrada {expected_id - 1}"
        )
        return entry.id, f"su hash anterior no coincide con {expected}"
    if entry_digest(entry) != entry.entry_hash:
        return entry.id, "su contenido no coincide con su hash (la entrada fue modificada)"
    return None


def verify_chain(batch_size: int = VERIFY_BATCH) -> ChainReport:
    """Walk the trail in id order: ids consecutive from 1, each linked to the one before
    and matching its own hash. Stops at the first broken entry."""
    count = 0
    previous_hash = GENESIS_HASH
    for entry in _entries_in_order(batch_size):
        problem = _problem(entry, count + 1, previous_hash)
        if problem is not None:
            return ChainReport(count, *problem)
        count += 1
        previous_hash = entry.entry_hash
    return ChainReport(count)
