"""The data stamp changes with every committed write and only then; what is kept under it is
computed again after a write (pmg.core.caching)."""

from __future__ import annotations

import pytest
from flask import Flask, g
from sqlalchemy import delete, select, update

from pmg.audit.actions import AuditAction
from pmg.audit.operations import record
from pmg.core import caching
from pmg.core.caching import (
    EVERYTHING,
    DataStamp,
    cached,
    data_stamp,
    kept_row,
    watch_writes,
)
from pmg.core.transactions import transaction
from pmg.extensions import cache, db
from pmg.institutions.models import Institution, Ministry
from tests.exports.queries import counting_queries
from tests.factories import create_institution


def _stored() -> str | None:
    """The stamp as the database holds it now, past this request's memory of it."""
    g.pop("pmg_data_stamps", None)
    return db.session.scalar(select(DataStamp.stamp).where(DataStamp.name == EVERYTHING))


def test_a_committed_write_gives_a_new_stamp(app: Flask) -> None:
    before = _stored()
    with transaction():
        db.session.add(Ministry(name="NUEVO"))
    after = _stored()
    assert after and after != before


def test_reading_and_committing_nothing_keeps_the_stamp(app: Flask) -> None:
    before = _stored()
    db.session.scalars(select(Ministry)).all()
    db.session.commit()
    assert _stored() == before


def test_a_rolled_back_write_keeps_the_stamp(app: Flask) -> None:
    before = _stored()
    db.session.add(Ministry(name="DESHECHO"))
    db.session.flush()
    db.session.rollback()
    db.session.commit()  # nothing left to write: the flush above does not count
    assert _stored() == before


def test_a_write_left_pending_until_the_commit_counts(app: Flask) -> None:
    before = _stored()
    db.session.add(Ministry(name="SIN FLUSH"))
    db.session.commit()
    assert _stored() != before


def test_a_statement_that_updates_rows_counts(app: Flask) -> None:
    db.session.add(Ministry(name="ANTES"))
    db.session.commit()
    before = _stored()
    db.session.execute(update(Ministry).values(name="DESPUÉS"))
    db.session.commit()
    assert _stored() != before


def test_a_write_in_a_savepoint_counts_when_the_whole_commits(app: Flask) -> None:
    before = _stored()
    with transaction(savepoint=True):
        db.session.add(Ministry(name="EN SAVEPOINT"))
    db.session.commit()
    assert _stored() != before


def test_a_missing_row_is_made_again_by_the_next_write(app: Flask) -> None:
    db.session.execute(delete(DataStamp))
    db.session.commit()
    assert _stored() is not None  # that delete was a write
    db.session.execute(delete(DataStamp))
    db.session.commit()
    db.session.add(Ministry(name="OTRO"))
    db.session.commit()
    assert _stored() is not None


def test_a_value_is_computed_once_until_the_data_changes(app: Flask) -> None:
    calls: list[int] = []

    def compute() -> list[int]:
        calls.append(1)
        return [len(calls)]

    assert cached("prueba", ("a",), compute) == [1]
    assert cached("prueba", ("a",), compute) == [1]
    assert cached("prueba", ("b",), compute) == [2]  # another value of what it varies on
    db.session.add(Ministry(name="CAMBIO"))
    db.session.commit()
    assert cached("prueba", ("a",), compute) == [3]
    assert data_stamp() == _stored()


def test_a_value_kept_latest_only_replaces_the_one_of_the_data_before(app: Flask) -> None:
    calls: list[int] = []

    def compute() -> list[int]:
        calls.append(1)
        return [len(calls)]

    assert cached("hojas", (1,), compute, latest_only=True) == [1]
    assert cached("hojas", (1,), compute, latest_only=True) == [1]
    db.session.add(Ministry(name="CAMBIO"))
    db.session.commit()
    assert cached("hojas", (1,), compute, latest_only=True) == [2]
    # One entry for the name and what it varies on, of the new stamp: the old one is gone.
    assert cache.get("hojas:(1,)") == (data_stamp(), [2])
    kept = [key for key in cache.cache._cache if "hojas" in key]  # type: ignore[attr-defined]
    assert kept == ["hojas:(1,)"]


def test_writing_only_to_tables_no_kept_page_shows_keeps_the_stamp(app: Flask) -> None:
    before = _stored()
    record(AuditAction.EXPORT_CONSOLIDATED, object_type="Cycle", object_id="2026", actor=None)
    db.session.commit()
    assert _stored() == before
    record(AuditAction.EXPORT_CONSOLIDATED, object_type="Cycle", object_id="2026", actor=None)
    db.session.add(Ministry(name="Y ALGO MÁS"))
    db.session.commit()
    assert _stored() != before


def test_a_watched_table_keeps_its_stamp_through_writes_to_others(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(caching, "_WATCHED", set())
    watch_writes("ministries")
    calls: list[int] = []

    def compute() -> list[int]:
        calls.append(1)
        return [len(calls)]

    assert cached("ministerios", (), compute, tables=("ministries",)) == [1]
    institution = create_institution()  # and its ministry: the watched table changed
    assert cached("ministerios", (), compute, tables=("ministries",)) == [2]
    institution.name = "SOLO LA INSTITUCIÓN"
    db.session.execute(update(Institution).values(active=False))
    db.session.commit()
    assert cached("ministerios", (), compute, tables=("ministries",)) == [2]
    assert cached("todo", (), compute) == [3]


def test_a_table_no_kept_page_shows_can_still_have_a_stamp_of_its_own(app: Flask) -> None:
    """The audit trail: its writes leave the stamp of everything and change its own."""
    trail = data_stamp("audit_entries")
    everything = _stored()
    record(AuditAction.EXPORT_CONSOLIDATED, object_type="Cycle", object_id="2026", actor=None)
    db.session.commit()
    assert _stored() == everything
    assert data_stamp("audit_entries") != trail


def test_a_table_not_watched_has_no_stamp_of_its_own(app: Flask) -> None:
    with pytest.raises(ValueError, match="without a stamp of their own"):
        data_stamp("submissions")


def _new_request() -> None:
    """What a new request starts from: an empty session, the stamps not read yet."""
    db.session.remove()
    g.pop("pmg_data_stamps", None)


@pytest.fixture
def ministries_watched(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(caching, "_WATCHED", {*caching._WATCHED, "ministries"})


def _kept_ministry(calls: list[int], ministry_id: int) -> Ministry | None:
    def load() -> Ministry | None:
        calls.append(ministry_id)
        return db.session.get(Ministry, ministry_id)

    return kept_row(Ministry, "ministerio", (ministry_id,), load, tables=("ministries",))


@pytest.mark.usefixtures("ministries_watched")
def test_a_kept_row_joins_the_session_without_a_query_until_its_table_changes(
    app: Flask,
) -> None:
    ministry_id = create_institution().ministry_id
    calls: list[int] = []
    _new_request()
    assert _kept_ministry(calls, ministry_id) is not None
    _new_request()
    with counting_queries() as seen:
        kept = _kept_ministry(calls, ministry_id)
    assert calls == [ministry_id]
    assert [s for s in seen if "ministries" in s and "data_stamps" not in s] == []
    assert kept in db.session and kept not in db.session.dirty
    kept.name = "RENOMBRADO"  # a change of this request is written like any other
    db.session.commit()
    _new_request()
    assert _kept_ministry(calls, ministry_id).name == "RENOMBRADO"
    assert calls == [ministry_id, ministry_id]


@pytest.mark.usefixtures("ministries_watched")
def test_a_kept_row_already_in_the_session_is_the_one_given(app: Flask) -> None:
    """With this request's changes, not the columns kept before them."""
    ministry_id = create_institution().ministry_id
    _new_request()
    _kept_ministry([], ministry_id)
    _new_request()
    loaded = db.session.get(Ministry, ministry_id)
    loaded.name = "SIN GUARDAR"
    assert _kept_ministry([], ministry_id) is loaded


def test_a_kept_row_leaves_out_what_it_is_told_and_reads_it_if_asked(app: Flask) -> None:
    ministry_id = create_institution().ministry_id
    name = db.session.get(Ministry, ministry_id).name

    def load() -> Ministry | None:
        return db.session.get(Ministry, ministry_id)

    def kept() -> Ministry | None:
        return kept_row(Ministry, "sin nombre", (), load, tables=(), leave_out=frozenset({"name"}))

    _new_request()
    kept()
    _new_request()
    ministry = kept()
    assert ministry is not None and "name" not in ministry.__dict__
    assert ministry.name == name  # read now, from the database


@pytest.mark.usefixtures("ministries_watched")
def test_no_row_found_is_kept_too(app: Flask) -> None:
    calls: list[int] = []
    assert _kept_ministry(calls, 999_999) is None
    _new_request()
    assert _kept_ministry(calls, 999_999) is None
    assert calls == [999_999]


def test_a_value_computed_over_writes_not_committed_is_not_kept(app: Flask) -> None:
    """It could show what a rollback undoes, under the stamp of the data before."""
    calls: list[str] = []

    def names() -> list[str]:
        calls.append("leído")
        return sorted(db.session.scalars(select(Ministry.name)))

    db.session.add(Ministry(name="A PUNTO DE DESHACERSE"))
    db.session.flush()
    assert "A PUNTO DE DESHACERSE" in cached("ministerios", (), names)
    db.session.rollback()
    assert "A PUNTO DE DESHACERSE" not in cached("ministerios", (), names)
    assert cached("ministerios", (), names) == cached("ministerios", (), names)
    assert len(calls) == 2
