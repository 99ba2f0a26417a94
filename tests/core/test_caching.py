"""The data stamp changes with every committed write and only then; what is kept under it is
computed again after a write (pmg.core.caching)."""

from __future__ import annotations

import pytest
from flask import Flask, g
from sqlalchemy import delete, select, update

from pmg.audit.actions import AuditAction
from pmg.audit.operations import record
from pmg.core import caching
from pmg.core.caching import EVERYTHING, DataStamp, cached, data_stamp, watch_writes
from pmg.core.transactions import transaction
from pmg.extensions import db
from pmg.institutions.models import Institution, Ministry
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
