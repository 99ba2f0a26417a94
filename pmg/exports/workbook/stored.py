"""Each cycle's consolidated workbook, written once for each state of the data and stored.

An evidence package holds the consolidated workbook of its cycle. Writing it takes seconds
(some 150,000 cells at 166 institutions), far more than putting a whole cycle's stored
PDFs in a ZIP; and while the data stays as it is, the workbook reads the same. So it is
written once under the data stamp (:func:`pmg.core.caching.data_stamp`: replaced by every
committed write to what the workbook could show) and stored in ``PMG_WORKBOOK_DIR`` (or the
bucket of ``PMG_STORAGE_URL``) with its size and SHA-256: the next package of the cycle
finds it until the data changes.

Unlike a version's PDF it is evidence of nothing: one that no longer matches the data is
removed by :func:`purge_workbooks` (``flask pmg purge-packages``).
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from pmg.core.caching import data_stamp
from pmg.core.storage import FileStore, size_and_digest
from pmg.core.transactions import transaction
from pmg.cycles.models import Cycle
from pmg.exports.workbook import write_consolidated
from pmg.exports.workbook.models import StoredWorkbook
from pmg.extensions import db

workbook_files = FileStore("workbooks", "PMG_WORKBOOK_DIR")
# A workbook no longer current is kept this long, for a package that found it just before
# the data changed and has yet to copy it.
KEPT_AFTER_CHANGE = timedelta(hours=1)


def stored_workbook(cycle: Cycle) -> StoredWorkbook:
    """The consolidated workbook of ``cycle`` (every year with data) as the data reads now:
    found (its file there), or written and stored in a transaction of its own. Another
    process storing the same state first wins; this one's file is then removed and theirs
    returned."""
    stamp = data_stamp()
    found = _stored(cycle, stamp)
    if found is not None and workbook_files.exists(found.stored_name):
        return found
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "consolidado.xlsx"
        write_consolidated(cycle, path)
        size, digest = size_and_digest(path)
        try:
            with transaction():
                if found is not None:  # its file lost: this one takes its place
                    db.session.delete(found)
                    db.session.flush()
                stored = StoredWorkbook(
                    cycle_id=cycle.id,
                    data_stamp=stamp,
                    stored_name=workbook_files.store_file(path),
                    size=size,
                    sha256=digest,
                )
                db.session.add(stored)
        except IntegrityError:  # the same state, stored by another process meanwhile
            stored_first = _stored(cycle, stamp)
            if stored_first is None:
                raise
            return stored_first
    return stored


def purge_workbooks(now: datetime) -> int:
    """Remove every stored workbook that no longer matches the data and was written before
    ``now`` less :data:`KEPT_AFTER_CHANGE`, with its file once the transaction commits; how
    many."""
    stale = db.session.scalars(
        select(StoredWorkbook).where(
            StoredWorkbook.data_stamp != data_stamp(),
            StoredWorkbook.written_at <= now - KEPT_AFTER_CHANGE,
        )
    ).all()
    for workbook in stale:
        workbook_files.delete_on_commit(workbook.stored_name)
        db.session.delete(workbook)
    db.session.flush()
    return len(stale)


def _stored(cycle: Cycle, stamp: str) -> StoredWorkbook | None:
    return db.session.scalar(
        select(StoredWorkbook).where(
            StoredWorkbook.cycle_id == cycle.id, StoredWorkbook.data_stamp == stamp
        )
    )
