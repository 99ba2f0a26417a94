"""A cycle's consolidated workbook stored once for each state of the data: found again while
nothing changes, written again after a change, removed once the data has left it behind."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from pmg.core.models import utcnow
from pmg.core.storage import FileMissing, size_and_digest
from pmg.exports.documents.stored import store_pdf
from pmg.exports.workbook.models import StoredWorkbook
from pmg.exports.workbook.stored import (
    KEPT_AFTER_CHANGE,
    purge_workbooks,
    stored_workbook,
    workbook_files,
)
from pmg.extensions import db
from pmg.submissions.models import SubmissionVersion
from tests.factories import create_cycle, create_institution, create_submitted_diagnostic


@pytest.fixture
def cycle(app: Flask) -> Any:
    cycle = create_cycle(2026)
    create_submitted_diagnostic(create_institution("1306", "Servicio Agrícola y Ganadero"), cycle)
    return cycle


def _codes(stored: StoredWorkbook) -> list[Any]:
    sheet = load_workbook(io.BytesIO(workbook_files.read(stored.stored_name)))["instituciones"]
    rows = sheet.iter_rows(values_only=True)
    column = next(rows).index("codigo_interno_SCSEU")
    return [str(row[column]) for row in rows]


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(StoredWorkbook)) or 0


def test_the_workbook_is_written_once_while_the_data_stays_as_it_is(
    app: Flask, cycle: Any, tmp_path: Path
) -> None:
    first = stored_workbook(cycle)
    copy = tmp_path / "copia.xlsx"
    copy.write_bytes(workbook_files.read(first.stored_name))
    assert (first.size, first.sha256) == size_and_digest(copy)
    assert _codes(first) == ["1306"]
    store_pdf(db.session.scalars(select(SubmissionVersion)).one())
    db.session.commit()  # a stored PDF is no data the workbook shows
    assert stored_workbook(cycle).id == first.id
    assert _count() == 1


def test_a_change_of_the_data_gets_a_workbook_of_its_own(app: Flask, cycle: Any) -> None:
    first = stored_workbook(cycle)
    create_institution("201", "Instituto de Desarrollo Agropecuario")
    db.session.commit()
    second = stored_workbook(cycle)
    assert second.id != first.id and second.data_stamp != first.data_stamp
    assert _codes(second) == ["201", "1306"]
    assert _count() == 2


def test_purge_removes_the_workbooks_the_data_left_behind_an_hour_ago(
    app: Flask, cycle: Any
) -> None:
    old = stored_workbook(cycle)
    old_name = old.stored_name
    create_institution("201")
    db.session.commit()
    current = stored_workbook(cycle)
    assert purge_workbooks(utcnow()) == 0  # left behind a moment ago: a package may copy it
    db.session.commit()
    db.session.execute(update(StoredWorkbook).values(written_at=utcnow() - KEPT_AFTER_CHANGE))
    db.session.commit()
    assert purge_workbooks(utcnow()) == 1
    db.session.commit()
    assert db.session.scalars(select(StoredWorkbook.id)).all() == [current.id]
    with pytest.raises(FileMissing):
        workbook_files.read(old_name)
    assert workbook_files.read(current.stored_name).startswith(b"PK")
