"""``flask pmg worker`` against the real Redis: a version sent by the application has its
PDF stored by a worker in another process, which stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from pmg.exports.documents.models import StoredPdf
from pmg.exports.documents.stored import pdf_files
from pmg.extensions import db
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    load_starting_catalog,
)
from tests.servers import ROOT

WAIT_SECONDS = 90


@pytest.fixture
def app_config(redis_queue: dict[str, str]) -> dict[str, Any]:
    return dict(redis_queue)


def _worker(app: Flask) -> subprocess.Popen[bytes]:
    config = app.config
    env = {
        **os.environ,
        "PMG_ENV": "testing",
        "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": config["SECRET_KEY"],
        "PMG_UPLOAD_DIR": config["PMG_UPLOAD_DIR"],
        "PMG_PDF_DIR": config["PMG_PDF_DIR"],
        "PMG_QUEUE_URL": config["PMG_QUEUE_URL"],
        "PMG_QUEUE_NAME": config["PMG_QUEUE_NAME"],
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app.py", "pmg", "worker", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


@pytest.fixture
def worker(app: Flask) -> Iterator[subprocess.Popen[bytes]]:
    process = _worker(app)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def _stored_pdfs() -> list[StoredPdf]:
    db.session.expire_all()
    found = list(db.session.scalars(select(StoredPdf)))
    db.session.rollback()  # no snapshot kept open while the worker writes
    return found


def test_a_worker_stores_the_pdf_of_a_version_sent_then_stops_on_sigterm(
    app: Flask, worker: subprocess.Popen[bytes]
) -> None:
    cycle = create_cycle(2026)
    load_starting_catalog(cycle)
    version = create_submitted_diagnostic(create_institution("1306"), cycle)
    deadline = time.monotonic() + WAIT_SECONDS
    while not (found := _stored_pdfs()) and time.monotonic() < deadline:
        assert worker.poll() is None, worker.stdout.read().decode() if worker.stdout else ""
        time.sleep(0.2)
    assert [stored.version_id for stored in found] == [version.id], "no PDF stored in time"
    assert pdf_files.read(found[0].stored_name).startswith(b"%PDF")

    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0
