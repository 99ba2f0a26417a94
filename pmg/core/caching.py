"""What a page has computed, kept until the data it was computed from changes.

**The data stamp.** One row of ``data_stamps`` (:data:`EVERYTHING`) holds a random value
that every transaction which writes anything replaces before it commits: the session notes
the tables a flush writes to or an ORM ``INSERT``/``UPDATE``/``DELETE`` names, and
``before_commit`` flushes, then writes a new stamp in the same transaction. So a reader
sees a new stamp exactly when it can see new data, whichever process (web worker, command,
job) wrote it; a rolled-back write leaves the stamp as it was, and so does one that wrote
only to tables no kept page shows (:func:`unseen_writes`: the audit trail, login attempts,
the mail outbox…); and a value never comes back (not after a rollback, nor after a
database restored from a backup), so nothing computed from other data can be found under
it. Writes that bypass the session (``psql``, Alembic) are not seen: restart the
application after them, as after a deploy. A table declared with :func:`watch_writes` has a
row of its own, replaced only by writes to it, for what is computed from such tables alone
(the indicator history, which only imports write): it outlives the drafts saved meanwhile.
A table can be both: the audit trail's writes leave :data:`EVERYTHING` and change its own.

**Kept values.** :func:`cached` keeps what ``compute`` returns under its name, what it
varies on and the current stamp, in the application's cache (Flask-Caching; in-process by
default, ``PMG_CACHE_*`` in :mod:`pmg.config`), so a page asked again with nothing changed
reads one row instead of its queries, and renders what it rendered. Whatever else a value
depends on (the day, the person, the query string) goes into ``vary``. Values are pickled:
keep rendered markup and plain data there, never ORM objects; :func:`kept_row` keeps a row's
columns and gives back an instance in the request's session (the current cycle, the
signed-in user: read on every page, changed seldom).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import g, has_app_context
from sqlalchemy import String, event, insert, inspect, select, update
from sqlalchemy.orm import Mapped, Session, make_transient_to_detached, mapped_column

from pmg.extensions import Model, cache, db

T = TypeVar("T")
M = TypeVar("M", bound=Model)

EVERYTHING = "*"  # the name of the stamp every write replaces
_WROTE = "pmg_wrote"  # session.info key: the tables this transaction wrote to
_STAMPS = "pmg_data_stamps"  # flask.g key: the stamps read in this request
_UNSEEN: set[str] = set()  # tables no kept page shows: see unseen_writes
_WATCHED: set[str] = set()  # tables with a stamp of their own: see watch_writes


class DataStamp(Model):
    """A stamp: :data:`EVERYTHING`'s changes with every committed write, a watched table's
    with every committed write to it (see the module)."""

    __tablename__ = "data_stamps"

    name: Mapped[str] = mapped_column(String(63), primary_key=True)
    stamp: Mapped[str] = mapped_column(String(32))


def unseen_writes(*tables: str) -> None:
    """Declare that no kept page shows ``tables``: a transaction that writes only to them
    (an audit entry of a download, a failed login) keeps the stamp, and what pages kept."""
    _UNSEEN.update(tables)


def watch_writes(*tables: str) -> None:
    """Give each of ``tables`` a stamp of its own, replaced only by writes to it: what is
    computed from those tables alone is kept under theirs (``cached(..., tables=...)``) and
    outlives the writes to every other table."""
    _WATCHED.update(tables)


def data_stamp(*tables: str) -> str:
    """The stamp of the data this request sees: of everything, or of ``tables`` (watched
    ones) only. Read once per request, again after a commit of its own."""
    if _STAMPS not in g:
        rows = db.session.execute(select(DataStamp.name, DataStamp.stamp))
        g.setdefault(_STAMPS, {name: stamp for name, stamp in rows})
    stamps: dict[str, str] = g.get(_STAMPS)
    if not tables:
        return stamps.get(EVERYTHING, "")
    unwatched = set(tables) - _WATCHED
    if unwatched:
        raise ValueError(f"Tables without a stamp of their own: {sorted(unwatched)}")
    return ":".join(stamps.get(table, "") for table in tables)


def cached(
    name: str,
    vary: tuple[Hashable, ...],
    compute: Callable[[], T],
    *,
    tables: tuple[str, ...] = (),
    latest_only: bool = False,
) -> T:
    """What ``compute()`` returns for ``name`` and ``vary`` while the data is unchanged
    (all of it, or ``tables`` only: see :func:`watch_writes`): computed once, then read
    from the cache until the next committed write. Computed by a transaction that has
    written and not committed yet, it is not kept: it may show what a rollback undoes,
    under the stamp of the data before.

    ``latest_only``: a value of an earlier stamp is replaced, not kept beside the new one
    until it expires: for large values (a cycle's consolidated sheets), which would
    otherwise pile up, one per write, while the data changes often."""
    stamp = data_stamp(*tables)
    key = f"{name}:{vary!r}" if latest_only else f"{name}:{stamp}:{vary!r}"
    kept: tuple[str, T] | None = cache.get(key)
    if kept is not None and kept[0] == stamp:
        return kept[1]
    value = compute()
    if not _writing(db.session()):
        cache.set(key, (stamp, value))
    return value


def _writing(session: Session) -> bool:
    """Whether this transaction holds writes not committed yet (flushed or pending)."""
    return bool(session.info.get(_WROTE) or session.new or session.dirty or session.deleted)


def kept_row(
    model: type[M],
    name: str,
    vary: tuple[Hashable, ...],
    load: Callable[[], M | None],
    *,
    tables: tuple[str, ...],
    leave_out: frozenset[str] = frozenset(),
) -> M | None:
    """The instance of ``model`` that ``load()`` finds, read once while ``tables`` (watched:
    :func:`watch_writes`) are unchanged: its columns are kept (not those in ``leave_out``:
    they are read from the database if ever asked for), and it joins the request's session
    as if loaded there, without a query; the instance already in the session, if any (it
    may hold this request's changes)."""

    def columns() -> dict[str, Any]:
        found = load()
        if found is None:
            return {}
        return {
            attribute.key: getattr(found, attribute.key)
            for attribute in inspect(model).column_attrs
            if attribute.key not in leave_out
        }

    kept = cached(name, vary, columns, tables=tables)
    if not kept:
        return None
    mapper = inspect(model)
    primary_key = tuple(kept[mapper.get_property_by_column(c).key] for c in mapper.primary_key)
    present = db.session.identity_map.get(mapper.identity_key_from_primary_key(primary_key))
    if isinstance(present, model):
        return present
    instance = model(**kept)
    make_transient_to_detached(instance)  # loaded, unchanged; what was left out, expired
    return db.session.merge(instance, load=False)


def _new_stamps(session: Session, names: set[str]) -> None:
    for name in sorted(names):  # always in the same order: no two writers wait on each other
        stamp = secrets.token_hex(16)
        changed = session.execute(
            update(DataStamp).where(DataStamp.name == name).values(stamp=stamp),
            execution_options={"synchronize_session": False},
        )
        if not changed.rowcount:  # type: ignore[attr-defined]  # not written yet, or TRUNCATE
            session.execute(insert(DataStamp).values(name=name, stamp=stamp))


def _wrote(session: Session, tables: set[str]) -> None:
    if tables:
        session.info.setdefault(_WROTE, set()).update(tables)


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context: Any) -> None:
    written = (*session.new, *session.dirty, *session.deleted)
    _wrote(session, {getattr(row, "__tablename__", "") for row in written})


@event.listens_for(Session, "do_orm_execute")
def _executed(state: Any) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        _wrote(state.session, {getattr(table, "name", "")})


@event.listens_for(Session, "before_commit")
def _stamp_writes(session: Session) -> None:
    session.flush()  # what is still pending counts as written too
    written: set[str] = session.info.pop(_WROTE, set())
    names = written & _WATCHED
    if written - _UNSEEN:
        names.add(EVERYTHING)
    if names:
        _new_stamps(session, names)
        session.info.pop(_WROTE, None)  # the stamps' own writes


@event.listens_for(Session, "after_commit")
def _forget_stamps(_session: Session) -> None:
    if has_app_context():
        g.pop(_STAMPS, None)


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost: whatever it wrote is committed or gone
        session.info.pop(_WROTE, None)
