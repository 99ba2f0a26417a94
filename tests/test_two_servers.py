"""Two application processes on different ports serve the same data: the database (on
PostgreSQL in the suite's second pass), the job queue in Redis and the files in an
S3-compatible bucket (a local moto server). Nothing is kept in either server's folders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from pmg.core.jobs import queue
from pmg.core.permissions import Role
from pmg.exports.documents.models import StoredPdf
from pmg.extensions import db
from tests.conftest import BrowserLikeClient, bucket_keys, login
from tests.evidence.files import create_evidence, pdf
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
    load_starting_catalog,
)
from tests.servers import environment_of, gunicorn, request

VERSION_PDF = "/instituciones/1306/2026/diagnostico/v1.pdf"


@pytest.fixture
def app_config(redis_queue: dict[str, str], bucket_url: str) -> dict[str, Any]:
    return {**redis_queue, "PMG_STORAGE_URL": bucket_url}


def _server_environment(app: Flask, folder: Path) -> dict[str, str]:
    """``app``'s, but folders of each server's own: the files must not be there but in the
    bucket."""
    return environment_of(
        app,
        PMG_UPLOAD_DIR=str(folder / "uploads"),
        PMG_PDF_DIR=str(folder / "pdfs"),
        PMG_WORKBOOK_DIR=str(folder / "workbooks"),
        PMG_PACKAGE_DIR=str(folder / "packages"),
    )


def test_two_servers_share_the_database_the_queue_and_the_bucket(
    app: Flask, tmp_path: Path
) -> None:
    cycle = create_cycle(2026)
    load_starting_catalog(cycle)
    version = create_submitted_diagnostic(create_institution("1306"), cycle)
    evidence = create_evidence(version.submission, version.submitted_by, pdf("Acta"))
    assert queue().huey.pending_count() == 1  # the version's PDF, waiting in Redis
    client = BrowserLikeClient(app)
    assert login(client, create_user(Role.REVIEWER).email).status_code == 302
    name = app.config["SESSION_COOKIE_NAME"]
    session = client.get_cookie(name)
    assert session is not None
    cookie = {"Cookie": f"{name}={session.value}"}
    evidence_path = f"/instituciones/1306/2026/diagnostico/evidencia/{evidence.id}"

    first, second = tmp_path / "uno", tmp_path / "dos"
    with (
        gunicorn(_server_environment(app, first), tmp_path / "uno.log") as one,
        gunicorn(_server_environment(app, second), tmp_path / "dos.log") as two,
    ):
        status, headers, rendered = request(one, VERSION_PDF, cookie)
        assert status == 200 and rendered.startswith(b"%PDF")
        status, headers_two, served = request(two, VERSION_PDF, cookie)
        assert status == 200 and served == rendered  # the file the first server stored
        assert headers_two["ETag"] == headers["ETag"]
        for port in (one, two):
            status, _, data = request(port, evidence_path, cookie)
            assert status == 200 and data == pdf("Acta")

    assert db.session.scalar(select(func.count()).select_from(StoredPdf)) == 1
    kinds = {key.split("/")[1] for key in bucket_keys(app.config["PMG_STORAGE_URL"])}
    assert kinds == {"evidence", "pdfs"}
    kept_here = [path for path in tmp_path.rglob("*") if path.suffix not in (".log", ".sqlite")]
    assert kept_here == []  # no folder of either server (or of the test's app) holds a file
