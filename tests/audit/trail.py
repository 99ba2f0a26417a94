"""Reading the audit trail in tests, and tampering with it behind the database's back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, select, text

from pmg.audit.models import AuditEntry
from pmg.extensions import db

AUDIT = AuditEntry.__table__
GUARDS = ("audit_entries_no_update", "audit_entries_no_delete")


def entries(action: str | None = None) -> list[AuditEntry]:
    """The entries (of ``action``) in chain order."""
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    return list(db.session.scalars(query))


def only(action: str) -> AuditEntry:
    """The one entry of ``action``; fails if there is none or more than one."""
    found = entries(action)
    assert len(found) == 1, [(entry.id, entry.action) for entry in found]
    return found[0]


def actor_of(entry: AuditEntry) -> tuple[Any, ...]:
    return entry.actor_id, entry.actor_email, entry.actor_role


def trail_text() -> str:
    """Everything the trail holds, as one text (to look for what must never be there)."""
    rows = db.session.execute(select(*AUDIT.columns)).all()
    return "\n".join(repr(tuple(row)) for row in rows)


@contextmanager
def unguarded() -> Iterator[Connection]:
    """A connection on which ``audit_entries`` rows can be changed and deleted.

    SQLite: the triggers are dropped from this test's own database file.
    PostgreSQL: they are disabled for this transaction only and enabled again.
    """
    db.session.commit()
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
            yield connection
            connection.execute(text("ALTER TABLE audit_entries ENABLE TRIGGER USER"))
        else:
            for name in GUARDS:
                connection.execute(text(f"DROP TRIGGER {name}"))
            yield connection
    db.session.expire_all()
