"""``flask pmg worker`` against the real Redis: a version sent by the application has its
PDF stored by a worker in another process, which stops cleanly on SIGTERM; a package whose
worker is killed (``kill -9``) halfway is never offered, and the next worker completes it."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from pmg.core.jobs import queue
from pmg.core.permissions import Role
from pmg.core.transactions import transaction
from pmg.exports.documents.models import StoredPdf
from pmg.exports.documents.stored import pdf_files
from pmg.extensions import db
from pmg.packages.models import EvidencePackage, PackageState
from pmg.packages.operations import package_files, request_package
from pmg.packages.queries import Selection
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
    load_starting_catalog,
)
from tests.servers import ROOT, environment_of

WAIT_SECONDS = 90
VERSIONS = 8  # in the package a worker is killed building: some seconds of rendering


@pytest.fixture
def app_config(redis_queue: dict[str, str]) -> dict[str, Any]:
    return dict(redis_queue)


@contextmanager
def running_worker(app: Flask, log: Path, **settings: str) -> Iterator[subprocess.Popen[bytes]]:
    """``flask pmg worker`` in a process of its own on the test's database, folders and
    Redis queue (``settings`` over them), its output in ``log``; killed if still running."""
    env = {**os.environ, "PMG_ENV": "testing", **environment_of(app, **settings)}
    with log.open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app.py", "pmg", "worker", "--workers", "1"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=output,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def _until(found: Callable[[], Any], worker: subprocess.Popen[bytes], log: Path) -> Any:
    """``found()`` once it is something, checked every few hundredths of a second while the
    worker runs, for at most :data:`WAIT_SECONDS`."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not (answer := found()):
        assert worker.poll() is None, log.read_text(errors="replace")
        assert time.monotonic() < deadline, f"nothing in time:\n{log.read_text(errors='replace')}"
        time.sleep(0.05)
    return answer


def _stored_pdfs() -> list[StoredPdf]:
    db.session.expire_all()
    found = list(db.session.scalars(select(StoredPdf)))
    db.session.rollback()  # no snapshot kept open while the worker writes
    return found


def test_a_worker_stores_the_pdf_of_a_version_sent_then_stops_on_sigterm(
    app: Flask, tmp_path: Path
) -> None:
    cycle = create_cycle(2026)
    load_starting_catalog(cycle)
    version = create_submitted_diagnostic(create_institution("1306"), cycle)
    log = tmp_path / "worker.log"
    with running_worker(app, log) as worker:
        found = _until(_stored_pdfs, worker, log)
        assert [stored.version_id for stored in found] == [version.id]
        assert pdf_files.read(found[0].stored_name).startswith(b"%PDF")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0


def _package() -> EvidencePackage:
    db.session.expire_all()
    package = db.session.scalars(select(EvidencePackage)).one()
    db.session.rollback()
    return package


def test_a_package_whose_worker_is_killed_is_taken_up_by_the_next_and_ends_complete(
    app: Flask, tmp_path: Path
) -> None:
    cycle = create_cycle(2026)
    for number in range(1, VERSIONS + 1):
        create_submitted_diagnostic(create_institution(f"{1300 + number}"), cycle)
    queue().huey.flush()  # their PDFs are left for the package to render: it takes a while
    with transaction():
        request_package(create_user(Role.DIPRES), cycle, Selection(cycle_year=2026))
    log = tmp_path / "worker.log"

    with running_worker(app, log) as first:
        _until(lambda: _package().done >= 1, first, log)
        first.kill()  # kill -9, halfway
        first.wait(timeout=10)
    halfway = _package()
    assert halfway.state is PackageState.BUILDING and halfway.done < halfway.total
    assert halfway.stored_name is None  # nothing offered as ready
    assert not list(Path(app.config["PMG_PACKAGE_DIR"]).rglob("*"))

    time.sleep(1.2)  # the heartbeat grows older than the stall the next worker allows
    with running_worker(app, log, PMG_PACKAGE_STALL_SECONDS="1") as second:
        ready = _until(lambda: (p := _package()).state is PackageState.READY and p, second, log)
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0
    assert ready.attempts == 2 and (ready.done, ready.total) == (VERSIONS + 1, VERSIONS + 1)
    assert ready.stored_name is not None
    data = package_files.read(ready.stored_name)
    assert hashlib.sha256(data).hexdigest() == ready.sha256
    with zipfile.ZipFile(BytesIO(data)) as archive:
        assert archive.testzip() is None
        pdfs = [name for name in archive.namelist() if name.endswith("diagnostico_v1.pdf")]
    assert len(pdfs) == VERSIONS
