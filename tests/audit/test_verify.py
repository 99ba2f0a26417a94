"""``verify-audit``: an intact chain, and each way of breaking it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from itertools import pairwise
from types import SimpleNamespace

import pytest
from sqlalchemy import Connection, delete, event, select, update

from pmg.audit.operations import GENESIS_HASH, ChainReport, entry_digest, record, verify_chain
from pmg.extensions import db
from tests.audit.trail import AUDIT, entries, unguarded

ENTRIES = 5


@pytest.fixture
def chain(app) -> None:  # type: ignore[no-untyped-def]
    for number in range(1, ENTRIES + 1):
        record("test.step", object_type="Paso", object_id=number, after={"number": number})
    db.session.commit()


# --- Writing ----------------------------------------------------------------------------


def test_record_numbers_entries_from_one_and_links_each_to_the_previous(chain) -> None:
    found = entries()
    assert [entry.id for entry in found] == [1, 2, 3, 4, 5]
    assert found[0].previous_hash == GENESIS_HASH
    for previous, entry in pairwise(found):
        assert entry.previous_hash == previous.entry_hash
    assert all(entry_digest(entry) == entry.entry_hash for entry in found)


def test_record_names_an_object_that_is_not_a_row(app) -> None:
    entry = record("test.step", object_type="ImportedFile", object_id="ab" * 32)
    assert (entry.object_type, entry.object_id) == ("ImportedFile", "ab" * 32)


def test_record_refuses_an_entry_without_object(app) -> None:
    with pytest.raises(TypeError):
        record("test.step")
    with pytest.raises(TypeError):
        record("test.step", object_type="Paso")


# --- An intact chain ---------------------------------------------------------------------


@pytest.mark.parametrize("batch_size", [1, 2, 1000])
def test_verify_intact_chain_is_ok(chain, batch_size: int) -> None:
    report = verify_chain(batch_size)
    assert report == ChainReport(ENTRIES)
    assert str(report) == "audit chain ok: 5 entries"


def test_verify_empty_trail_is_ok(app) -> None:
    assert str(verify_chain()) == "audit chain ok: 0 entries"


@contextmanager
def _audit_selects() -> Iterator[list[str]]:
    statements: list[str] = []

    def remember(conn, cursor, statement: str, *args) -> None:  # type: ignore[no-untyped-def]
        if "FROM audit_entries" in statement:
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)


def test_verify_reads_the_chain_in_batches_not_all_at_once(chain) -> None:
    with _audit_selects() as statements:
        assert verify_chain(batch_size=2).ok
    assert len(statements) == 4  # 2 + 2 + 1 entries, then an empty batch
    assert all("LIMIT" in statement for statement in statements)


# --- Tampering ---------------------------------------------------------------------------


def _row(connection: Connection, entry_id: int) -> SimpleNamespace:
    row = connection.execute(select(*AUDIT.columns).where(AUDIT.c.id == entry_id)).one()
    return SimpleNamespace(**row._mapping)


def _set(connection: Connection, entry_id: int, **values: object) -> None:
    connection.execute(update(AUDIT).where(AUDIT.c.id == entry_id).values(**values))


def _rehashed(connection: Connection, entry_id: int, **values: object) -> None:
    """Change the entry and give it the hash its new content has: a careful forger."""
    forged = _row(connection, entry_id)
    vars(forged).update(values)
    _set(connection, entry_id, **values, entry_hash=entry_digest(forged))


def _shift_time(connection: Connection, entry_id: int) -> None:
    _set(connection, entry_id, at=_row(connection, entry_id).at + timedelta(seconds=1))


def _swap(connection: Connection, first: int, second: int) -> None:
    """Exchange the places of two entries (the unique id forces a detour)."""
    _set(connection, first, id=1000)
    _set(connection, second, id=first)
    _set(connection, 1000, id=second)


def _swap_hashes(connection: Connection, first: int, second: int) -> None:
    one, other = _row(connection, first).entry_hash, _row(connection, second).entry_hash
    _set(connection, first, entry_hash="x" * 64)
    _set(connection, second, entry_hash=one)
    _set(connection, first, entry_hash=other)


CONTENT = "su contenido no coincide con su hash (la entrada fue modificada)"
TAMPERINGS: dict[str, tuple[Callable[[Connection], None], int, str]] = {
    "changed action": (lambda c: _set(c, 3, action="otra.accion"), 3, CONTENT),
    "changed after": (lambda c: _set(c, 3, after={"number": 99}), 3, CONTENT),
    "changed actor": (lambda c: _set(c, 3, actor_email="otra@servicio.gob.cl"), 3, CONTENT),
    "changed time": (lambda c: _shift_time(c, 3), 3, CONTENT),
    "deleted entry": (
        lambda c: c.execute(delete(AUDIT).where(AUDIT.c.id == 3)),
        3,
        "falta la entrada 3 (la siguiente que existe es la 4)",
    ),
    "deleted first entry": (
        lambda c: c.execute(delete(AUDIT).where(AUDIT.c.id == 1)),
        1,
        "falta la entrada 1 (la siguiente que existe es la 2)",
    ),
    "reordered entries": (
        lambda c: _swap(c, 2, 3),
        2,
        "su hash anterior no coincide con el hash de la entrada 1",
    ),
    "reordered hashes": (lambda c: _swap_hashes(c, 2, 3), 2, CONTENT),
    "forged link": (
        lambda c: _rehashed(c, 3, previous_hash="f" * 64),
        3,
        "su hash anterior no coincide con el hash de la entrada 2",
    ),
    "forged first link": (
        lambda c: _rehashed(c, 1, previous_hash="f" * 64),
        1,
        "su hash anterior no coincide con el hash de origen de la cadena",
    ),
    "changed entry rehashed": (
        lambda c: _rehashed(c, 3, action="otra.accion"),
        4,
        "su hash anterior no coincide con el hash de la entrada 3",
    ),
}


@pytest.mark.parametrize("tampering", TAMPERINGS)
@pytest.mark.parametrize("batch_size", [2, 1000])
def test_verify_names_the_broken_entry(chain, tampering: str, batch_size: int) -> None:
    change, broken_at, reason = TAMPERINGS[tampering]
    with unguarded() as connection:
        change(connection)
    report = verify_chain(batch_size)
    assert (report.broken_at, report.reason) == (broken_at, reason)
    assert str(report) == f"audit chain broken at entry {broken_at}: {reason}"
    assert report.entries == broken_at - 1


def test_verify_names_the_first_of_several_breaks(chain) -> None:
    with unguarded() as connection:
        _set(connection, 4, action="otra.accion")
        _set(connection, 2, after={"number": 0})
    assert verify_chain().broken_at == 2


# --- The command ------------------------------------------------------------------------


def test_command_on_an_intact_chain_exits_0(runner, chain) -> None:
    result = runner.invoke(args=["pmg", "verify-audit"])
    assert (result.exit_code, result.output) == (0, "audit chain ok: 5 entries\n")


def test_command_on_an_empty_trail_exits_0(runner) -> None:
    result = runner.invoke(args=["pmg", "verify-audit", "--batch-size", "2"])
    assert (result.exit_code, result.output) == (0, "audit chain ok: 0 entries\n")


def test_command_on_a_broken_chain_exits_1_naming_the_entry(runner, chain) -> None:
    with unguarded() as connection:
        connection.execute(delete(AUDIT).where(AUDIT.c.id == 4))
    result = runner.invoke(args=["pmg", "verify-audit", "--batch-size", "2"])
    assert result.exit_code == 1
    assert result.output == (
        "audit chain broken at entry 4: falta la entrada 4 (la siguiente que existe es la 5)\n"
    )
