"""Planner statistics after a bulk write.

PostgreSQL plans a query from what it knows of each table's size and spread, which it
learns by ``ANALYZE`` (autovacuum runs it, but only some time after a table changed).
Right after an import fills a table it still believes the table empty, and may then join
it by a nested loop over thousands of rows: the consolidated export's latest-version query
took 694 ms instead of 18 ms at 1,700 institutions that way. So whatever writes rows in
bulk (an import, the demo) calls :func:`refresh_statistics` for the tables it filled, in
its own transaction: ``ANALYZE`` counts the rows the transaction wrote, and its result is
kept only if the transaction commits. SQLite plans without statistics unless asked to
keep them, and gets nothing here.
"""

from __future__ import annotations

from sqlalchemy import text

from pmg.extensions import Model, db


def refresh_statistics(*models: type[Model]) -> None:
    """``ANALYZE`` the tables of ``models`` (every table when none is named) on PostgreSQL."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    db.session.flush()
    if not models:
        db.session.execute(text("ANALYZE"))
    for model in models:
        db.session.execute(text(f'ANALYZE "{model.__tablename__}"'))
