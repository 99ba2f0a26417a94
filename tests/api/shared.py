"""An application with data built once for a whole module, for tests that only read."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask

from pmg.extensions import db
from tests.conftest import BrowserLikeClient, empty_database, make_app


@contextmanager
def shared_app(migrated_database: str, folder: Path) -> Iterator[Flask]:
    """An app on a database of its own (in ``folder`` for SQLite), inside its context, for
    a module-scoped fixture to build data in once."""
    app = make_app(empty_database(migrated_database, folder), folder)
    app.test_client_class = BrowserLikeClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
