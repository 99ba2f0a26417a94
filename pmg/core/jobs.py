"""Background work: jobs the packages declare, run by a worker from a queue (huey).

A package declares a job with :func:`job` (a plain function taking ids, run in an app
context of its own) and asks for it with :func:`enqueue` inside the transaction whose
change calls for it: the job is put on the queue only once that transaction commits
(a worker could not see the change before), and never if it rolls back. A job asked
for twice in one transaction is put once. A queue that cannot be reached loses the
job, never the change: every job's work is also done on demand where it is needed (a
PDF not yet stored is rendered at its download).

``PMG_QUEUE_URL`` says where the queue lives:

- ``redis://host:port/db``: Redis, shared by every server and worker (production);
- ``sqlite:///path``: a SQLite file, for one machine (the default, in the instance
  folder: the demonstration needs no other service);
- ``memory://``: inside the process (tests run what is waiting with ``huey.dequeue``).

``flask pmg worker`` runs the jobs (:func:`run_worker`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.api import TaskWrapper
from redis import ConnectionPool
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from pmg.config import ConfigError
from pmg.extensions import db

QUEUE = "pmg_queue"  # app.extensions key
PENDING = "pmg_jobs_pending"  # Session.info key: the jobs to put once the transaction commits
RETRIES = 2
REDIS_TIMEOUT = 3  # seconds
RETRY_DELAY_SECONDS = 30

Job = TypeVar("Job", bound=Callable[..., None])
logger = logging.getLogger(__name__)
_OPENING = threading.Lock()


@dataclass(frozen=True)
class JobSpec:
    function: Callable[..., None]
    retries: int
    retry_delay: int
    periodic: bool  # run by every worker when it starts, then every minute; takes nothing


JOBS: dict[str, JobSpec] = {}  # by name: module and function


def job_name(function: Callable[..., Any]) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def job(
    *, retries: int = RETRIES, retry_delay: int = RETRY_DELAY_SECONDS, periodic: bool = False
) -> Callable[[Job], Job]:
    """Declare ``function`` a job: a worker may run it, ``retries`` more times if it fails.
    A ``periodic`` job (it takes no arguments) is run by each worker when it starts and
    then every minute: what a killed worker left undone is taken up again."""

    def declare(function: Job) -> Job:
        JOBS[job_name(function)] = JobSpec(function, retries, retry_delay, periodic)
        return function

    return declare


def enqueue(function: Callable[..., None], *arguments: Any) -> None:
    """Put the job ``function(*arguments)`` on the queue once the current transaction
    commits. ``arguments`` are ids and other plain values: the job reads the rest."""
    name = job_name(function)
    if name not in JOBS:
        raise LookupError(f"{name} is not a job: declare it with @job()")
    pending: list[tuple[str, tuple[Any, ...]]] = db.session.info.setdefault(PENDING, [])
    if (name, arguments) not in pending:
        pending.append((name, arguments))


@dataclass(frozen=True)
class Queue:
    huey: Huey
    tasks: dict[str, TaskWrapper]


def queue() -> Queue:
    """The current app's queue (``PMG_QUEUE_URL``) with every declared job on it, each run
    in an app context of its own; opened on first use, never when the app is built."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    with _OPENING:
        found: Queue | None = app.extensions.get(QUEUE)
        if found is None:
            huey = _huey(app.config["PMG_QUEUE_URL"], app.config["PMG_QUEUE_NAME"])
            tasks = {
                name: (
                    huey.periodic_task(crontab(), name=name)
                    if spec.periodic
                    else huey.task(name=name, retries=spec.retries, retry_delay=spec.retry_delay)
                )(_in_app_context(app, spec.function))
                for name, spec in JOBS.items()
            }
            found = app.extensions[QUEUE] = Queue(huey, tasks)
    return found


def _huey(url: str, name: str) -> Huey:
    parts = urlsplit(url)
    if parts.scheme in ("redis", "rediss"):
        # A request that queues a job waits at most a few seconds for a Redis that does
        # not answer, and does not try again: the job's work is also done on demand.
        pool = ConnectionPool.from_url(
            url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT, retry=None
        )
        return RedisHuey(name, connection_pool=pool, results=False)
    filename = url.removeprefix("sqlite:///")
    if parts.scheme == "sqlite" and filename and filename != url:
        return SqliteHuey(name, filename=filename, results=False)
    if parts.scheme == "memory":
        return MemoryHuey(name, results=False)
    raise ConfigError(
        f"PMG_QUEUE_URL no es válida: «{url}». Use redis://servidor:puerto/base, "
        "sqlite:///ruta/al/archivo o memory://."
    )


def _in_app_context(app: Flask, function: Callable[..., None]) -> Callable[..., None]:
    def run(*arguments: Any) -> None:
        with app.app_context():
            function(*arguments)

    run.__name__ = function.__name__
    run.__qualname__ = function.__qualname__
    return run


def run_worker(workers: int) -> None:
    """Run the periodic jobs once, then the jobs of the current app's queue until stopped
    (SIGTERM or Ctrl+C lets the running jobs end first)."""
    for spec in JOBS.values():
        if spec.periodic:
            spec.function()
    consumer = queue().huey.create_consumer(
        workers=workers, worker_type="thread", graceful_signal="TERM"
    )
    consumer.run()


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    pending = session.info.pop(PENDING, [])
    if not pending:
        return
    tasks = queue().tasks
    for number, (name, arguments) in enumerate(pending):
        try:
            tasks[name](*arguments)
        except Exception:  # the change is committed; the job's work is also done on demand
            logger.exception(
                "No se pudo poner en la cola el trabajo %s%r ni los %d siguientes",
                name,
                arguments,
                len(pending) - number - 1,
            )
            return  # the queue does not answer: the others would wait for it too


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    """A transaction that ends without committing asks for none of its jobs."""
    if transaction.parent is None:
        session.info.pop(PENDING, None)
