"""The data stamp changes with every committed write and only then; what is kept under it is
computed again after a write (pmg.core.caching)."""

from __future__ import annotations

from flask import Flask, g
from sqlalchemy import delete, select, update

from pmg.audit.actions import AuditAction
from pmg.audit.operations import record
from pmg.core.caching import DataStamp, cached, data_stamp
from pmg.core.transactions import transaction
from pmg.extensions import db
from pmg.institutions.models import Ministry


def _stored() -> str | None:
    """The stamp as the database holds it now, past this request's memory of it."""
    g.pop("pmg_data_stamp", None)
    return db.session.scalar(select(DataStamp.stamp))


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
    assert db.session.scalar(select(DataStamp.stamp)) is not None  # that delete was a write
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
