"""The consolidated workbook of a cycle, written once for each state of the data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pmg.core.caching import unseen_writes
from pmg.core.models import UTCDateTime, utcnow
from pmg.extensions import Model


class StoredWorkbook(Model):
    """The consolidated workbook of a cycle (every year with data) as the data read under
    ``data_stamp`` (:func:`pmg.core.caching.data_stamp`): the file's generated name in
    ``PMG_WORKBOOK_DIR``, its size and SHA-256. Not evidence of anything: one that no
    longer matches the data is removed (:func:`~pmg.exports.workbook.stored.purge_workbooks`).
    """

    __tablename__ = "stored_workbooks"
    __table_args__ = (UniqueConstraint("cycle_id", "data_stamp"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"))
    data_stamp: Mapped[str] = mapped_column(String(32))
    stored_name: Mapped[str] = mapped_column(String(32), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# Storing a workbook must keep the stamp it is stored under (and what pages computed).
unseen_writes(StoredWorkbook.__tablename__)
