"""Running the jobs a test's app queued (``PMG_QUEUE_URL=memory://``), in the test's process."""

from __future__ import annotations

from pmg.core.jobs import queue


def run_jobs() -> list[str]:
    """Run every job waiting on the current app's queue, in order, each in its own app
    context as a worker runs it; a job that fails raises here. The names of those run."""
    huey = queue().huey
    ran: list[str] = []
    while (task := huey.dequeue()) is not None:
        task.execute()
        ran.append(task.name)
    return ran


def waiting_jobs() -> list[tuple[str, tuple[object, ...]]]:
    """The jobs waiting on the current app's queue: name and arguments, without running them."""
    return [(task.name, tuple(task.args)) for task in queue().huey.pending()]
