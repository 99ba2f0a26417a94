"""A bulk write leaves the PostgreSQL planner knowing the size of what it wrote
(pmg.core.statistics)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select, text

from pmg.core.transactions import transaction
from pmg.extensions import db
from pmg.institutions.importer import import_catalog
from pmg.institutions.models import Institution
from tests.exports.queries import counting_queries
from tests.institutions.workbooks import REAL_CATALOG


def test_an_imported_catalog_is_analyzed_with_its_import(app: Flask) -> None:
    with counting_queries() as statements, transaction():
        import_catalog(REAL_CATALOG.read_bytes())
    analyzed = [statement for statement in statements if statement.startswith("ANALYZE")]
    if db.engine.dialect.name != "postgresql":
        assert analyzed == []  # SQLite keeps no statistics unless asked to
        return
    assert analyzed == ['ANALYZE "institutions"', 'ANALYZE "ministries"']
    institutions = db.session.scalar(select(func.count()).select_from(Institution))
    estimated = db.session.scalar(
        text("SELECT reltuples FROM pg_class WHERE relname = 'institutions'")
    )
    assert institutions == 166 and estimated == institutions
