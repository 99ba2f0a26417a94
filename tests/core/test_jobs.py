"""The background jobs' queue: a job is queued once its transaction commits, once, and
never when it rolls back; the queue's address chooses where jobs wait; a queue that
cannot be reached loses the job, never the change."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from huey import MemoryHuey, RedisHuey, SqliteHuey
from huey.api import PeriodicTask

from pmg.config import ConfigError
from pmg.core.jobs import enqueue, job, queue
from pmg.core.transactions import transaction
from pmg.extensions import db
from tests.conftest import make_app
from tests.factories import create_institution
from tests.jobs import run_jobs, waiting_jobs

DONE: list[tuple[str, int]] = []
SESSIONS: list[Any] = []  # the database session each run of note_code had


@job()
def note_code(institution_id: int) -> None:
    """A job for these tests: notes the code of the institution, read in its own context."""
    from pmg.institutions.models import Institution

    institution = db.session.get(Institution, institution_id)
    assert institution is not None
    DONE.append((institution.code, institution_id))
    SESSIONS.append(db.session())


NAME = "tests.core.test_jobs.note_code"


@pytest.fixture(autouse=True)
def _forget_done() -> None:
    DONE.clear()
    SESSIONS.clear()


def test_a_job_is_queued_once_its_transaction_commits_and_once_however_often_asked(
    app: Flask,
) -> None:
    with transaction():
        institution = create_institution("1306")
        db.session.flush()
        enqueue(note_code, institution.id)
        enqueue(note_code, institution.id)
        assert waiting_jobs() == []  # not before the commit: a worker could not see it
    assert waiting_jobs() == [(NAME, (institution.id,))]
    assert run_jobs() == [NAME]
    assert [("1306", institution.id)] == DONE


def test_a_transaction_rolled_back_queues_nothing(app: Flask) -> None:
    institution = create_institution("1306")
    with pytest.raises(RuntimeError), transaction():
        enqueue(note_code, institution.id)
        raise RuntimeError("refused")
    with transaction():
        pass  # a later commit does not send what the rolled-back one asked for
    assert waiting_jobs() == []


def test_only_a_declared_job_can_be_queued(app: Flask) -> None:
    def not_a_job(number: int) -> None:
        raise AssertionError("never run")

    with pytest.raises(LookupError, match="not a job"):
        enqueue(not_a_job, 1)


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("redis://127.0.0.1:6379/0", RedisHuey),
        ("sqlite:///{folder}/cola.sqlite", SqliteHuey),
        ("memory://", MemoryHuey),
    ],
)
def test_the_queue_address_chooses_where_jobs_wait(
    database_uri: str, tmp_path: Path, url: str, kind: type
) -> None:
    app = make_app(database_uri, tmp_path, PMG_QUEUE_URL=url.format(folder=tmp_path))
    with app.app_context():
        assert type(queue().huey) is kind
        assert NAME in queue().tasks


@pytest.mark.parametrize("url", ["", "redis", "sqlite:///", "ftp://cola", "postgresql://x/y"])
def test_a_queue_address_that_cannot_be_used_says_what_to_write(
    database_uri: str, tmp_path: Path, url: str
) -> None:
    app = make_app(database_uri, tmp_path, PMG_QUEUE_URL=url)
    with app.app_context(), pytest.raises(ConfigError, match="redis://servidor:puerto/base"):
        queue()


def test_a_queue_that_cannot_be_reached_loses_the_job_not_the_change(
    database_uri: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(database_uri, tmp_path, PMG_QUEUE_URL="redis://127.0.0.1:9/0")
    with app.app_context():
        with transaction():
            institution = create_institution("1306")
            db.session.flush()
            enqueue(note_code, institution.id)
        kept = institution.id
        db.session.expunge_all()
        assert db.session.get(type(institution), kept) is not None
    assert f"No se pudo poner en la cola el trabajo {NAME}" in caplog.text


def test_a_job_runs_in_an_app_context_of_its_own(app: Flask) -> None:
    with transaction():
        institution = create_institution("1306")
        db.session.flush()
        enqueue(note_code, institution.id)
    run_jobs()
    assert SESSIONS and SESSIONS[0] is not db.session()


def test_a_periodic_job_runs_every_minute_on_the_workers(app: Flask) -> None:
    task = queue().tasks["pmg.packages.operations.resume_stalled"]
    assert issubclass(task.task_class, PeriodicTask)
    assert task.task_class().validate_datetime(datetime(2026, 12, 2, 8, 1))  # any minute
    assert not issubclass(queue().tasks[NAME].task_class, PeriodicTask)
