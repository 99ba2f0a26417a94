"""What a page has computed, kept until the data it was computed from changes.

**The data stamp.** One row (``data_stamp``) holds a random value that every transaction
which writes anything replaces before it commits: the session marks itself when a flush
writes rows or an ORM ``INSERT``/``UPDATE``/``DELETE`` runs, and ``before_commit`` flushes,
then writes a new stamp in the same transaction. So a reader sees a new stamp exactly when
it can see new data, whichever process (web worker, command, job) wrote it; a rolled-back
write leaves the stamp as it was, and so does one that wrote only to tables no kept page
shows (:func:`unseen_writes`: the audit trail, login attempts, the mail outbox…); and a
value never comes back (not after a rollback, nor after a database restored from a
backup), so nothing computed from other data can be found under it. Writes that bypass
the session (``psql``, Alembic) are not seen: restart the application after them, as after
a deploy.

**Kept values.** :func:`cached` keeps what ``compute`` returns under its name, what it
varies on and the current stamp, in the application's cache (Flask-Caching; in-process by
default, ``PMG_CACHE_*`` in :mod:`pmg.config`), so a page asked again with nothing changed
reads one row instead of its queries, and renders what it rendered. Whatever else a value
depends on (the day, the person, the query string) goes into ``vary``. Values are pickled:
keep rendered markup and plain data there, never ORM objects.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import g, has_app_context
from sqlalchemy import String, event, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from pmg.extensions import Model, cache, db

T = TypeVar("T")

STAMP_ROW = 1
_WROTE = "pmg_wrote"  # session.info key: this transaction wrote rows
_STAMP = "pmg_data_stamp"  # flask.g key: the stamp read in this request
_UNSEEN: set[str] = set()  # tables no kept page shows: see unseen_writes


class DataStamp(Model):
    """The one row whose value changes with every committed write (see the module)."""

    __tablename__ = "data_stamp"

    id: Mapped[int] = mapped_column(primary_key=True)
    stamp: Mapped[str] = mapped_column(String(32))


def unseen_writes(*tables: str) -> None:
    """Declare that no kept page shows ``tables``: a transaction that writes only to them
    (an audit entry of a download, a failed login) keeps the stamp, and what pages kept."""
    _UNSEEN.update(tables)


def data_stamp() -> str:
    """The stamp of the data this request sees (read once per request, again after a
    commit of its own)."""
    if _STAMP not in g:
        value = db.session.scalar(select(DataStamp.stamp).where(DataStamp.id == STAMP_ROW))
        g.setdefault(_STAMP, value or "")
    return str(g.get(_STAMP))


def cached(name: str, vary: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """What ``compute()`` returns for ``name`` and ``vary`` while the data is unchanged:
    computed once, then read from the cache until the next committed write."""
    key = f"{name}:{data_stamp()}:{vary!r}"
    value: T | None = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value)
    return value


def _new_stamp(session: Session) -> None:
    stamp = secrets.token_hex(16)
    changed = session.execute(
        update(DataStamp).where(DataStamp.id == STAMP_ROW).values(stamp=stamp),
        execution_options={"synchronize_session": False},
    )
    if not changed.rowcount:  # type: ignore[attr-defined]  # the row is gone (TRUNCATE)
        session.execute(insert(DataStamp).values(id=STAMP_ROW, stamp=stamp))


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context: Any) -> None:
    written = (*session.new, *session.dirty, *session.deleted)
    if any(getattr(row, "__tablename__", None) not in _UNSEEN for row in written):
        session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state: Any) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) not in _UNSEEN:
            state.session.info[_WROTE] = True


@event.listens_for(Session, "before_commit")
def _stamp_writes(session: Session) -> None:
    session.flush()  # what is still pending counts as written too
    if session.info.pop(_WROTE, False):
        _new_stamp(session)
        session.info.pop(_WROTE, None)


@event.listens_for(Session, "after_commit")
def _forget_stamp(_session: Session) -> None:
    if has_app_context():
        g.pop(_STAMP, None)


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost: whatever it wrote is committed or gone
        session.info.pop(_WROTE, None)
