"""Counting the SQL statements an export runs, to show it does not grow with the data."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from typing import Any

from sqlalchemy import event

from pmg.cycles.models import Cycle
from pmg.exports.workbook import export_consolidated
from pmg.extensions import db


@contextmanager
def counting_queries() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def queries_of_export(cycle: Cycle) -> tuple[int, dict[str, int]]:
    """How many statements the consolidated export of ``cycle`` runs, and its rows per sheet."""
    db.session.expire_all()
    with counting_queries() as statements:
        summary = export_consolidated(db.session.get(Cycle, cycle.id), BytesIO())  # type: ignore[arg-type]
    return len(statements), summary.rows
