"""Writing to the audit trail. Every state change calls :func:`record` in its transaction."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select, text

from pmg.audit.models import AuditEntry
from pmg.core.models import utcnow
from pmg.extensions import db

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    """One text for one value: sorted keys, no spaces, UTF-8 kept, dates as ISO strings."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )


def _plain(value: Any) -> Any:
    """``value`` as the JSON column will give it back, so the digest can be recomputed."""
    return None if value is None else json.loads(canonical_json(value))


def entry_digest(entry: AuditEntry) -> str:
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


def _lock_chain() -> None:
    """Serialise writers so two entries never claim the same predecessor.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: the write lock that
    the first INSERT of the transaction takes is enough, because writers queue.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(727001)"))


def record(
    action: str,
    obj: Any,
    *,
    actor: Any = None,
    institution_id: int | None = None,
    before: Any = None,
    after: Any = None,
) -> AuditEntry:
    """Append one entry for ``action`` on ``obj`` (a model instance with an ``id``)."""
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
        action=action,
        object_type=type(obj).__name__,
        object_id=str(obj.id),
        before=_plain(before),
        after=_plain(after),
        previous_hash=last.entry_hash if last else GENESIS_HASH,
    )
    entry.entry_hash = entry_digest(entry)
    db.session.add(entry)
    db.session.flush()
    return entry
