"""``flask pmg worker``: runs the background jobs (:mod:`pmg.core.jobs`)."""

from __future__ import annotations

import logging

import click
from flask.cli import with_appcontext

from pmg.core.jobs import run_worker

DEFAULT_WORKERS = 2
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@click.command("worker")
@click.option(
    "--workers",
    type=click.IntRange(1, 32),
    default=DEFAULT_WORKERS,
    show_default=True,
    help="Trabajos que corren a la vez.",
)
@with_appcontext
def worker_command(workers: int) -> None:
    """Ejecuta los trabajos en segundo plano (el PDF de cada versión, los paquetes de
    evidencia) de la cola PMG_QUEUE_URL hasta que se detenga: con SIGTERM, los trabajos en
    curso terminan antes; con Ctrl+C, de inmediato (un paquete cortado se retoma)."""
    # What each job did goes to the standard error, as the service's journal keeps it.
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    click.echo(f"Trabajador de PMG CSEU en marcha: {workers} trabajos a la vez.", err=True)
    run_worker(workers)
