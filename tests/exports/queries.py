"""Counting the SQL statements an export runs, to show it does not grow with the data."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from io import BytesIO
from typing import Any

from sqlalchemy import event

from pmg.cycles.models import Cycle
from pmg.exports.workbook import export_consolidated
from pmg.extensions import cache, db


@contextmanager
def _listening(seen: list[Any], of: Callable[[str, Any], Any]) -> Iterator[list[Any]]:
    def add(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        seen.append(of(statement, parameters))

    event.listen(db.engine, "before_cursor_execute", add)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", add)


def counting_queries() -> AbstractContextManager[list[str]]:
    """The SQL of each statement run inside the block."""
    return _listening([], lambda statement, _parameters: statement)


def counting_computed() -> AbstractContextManager[list[str]]:
    """:func:`counting_queries` of a block that finds nothing kept from before
    (pmg.core.caching): what a page that computes everything runs, the same at every visit."""
    cache.clear()
    return counting_queries()


def counting_parameters() -> AbstractContextManager[list[Any]]:
    """The parameters of each statement run inside the block, in order (the driver gets
    them as a tuple on SQLite, by name on PostgreSQL)."""
    return _listening([], lambda _statement, parameters: tuple(_values(parameters)))


def _values(parameters: Any) -> Iterable[Any]:
    return parameters.values() if isinstance(parameters, Mapping) else parameters


def queries_of_export(cycle: Cycle) -> tuple[int, dict[str, int]]:
    """How many statements the consolidated export of ``cycle`` runs, and its rows per sheet."""
    db.session.expire_all()
    with counting_queries() as statements:
        summary = export_consolidated(db.session.get(Cycle, cycle.id), BytesIO())  # type: ignore[arg-type]
    return len(statements), summary.rows
