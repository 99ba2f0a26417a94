"""What the benchmarks share: an app on a temporary database, paired timings, the verdict.

A benchmark builds its data inside ``migrated_app()``, times its action against a
baseline with ``paired_ratios``, prints its own figures and ends with ``report``,
whose return value is the exit code (1 only with ``--strict`` and over the target)::

    options = arguments(__doc__.splitlines()[0])
    with migrated_app() as app:
        ...  # build the data
        timings = paired_ratios(app_action, baseline_action, options.runs)
    return report([...], "ratio", timings.median_ratio, TARGET, strict=options.strict)

A benchmark of served pages runs the app under gunicorn as in production (``served``),
beside ``bare_table_app`` (a Jinja page of a 170-row table, no database) as its baseline,
loads each with a bounded loopback client (``load``) and counts a page's SQL statements
in a test client (``statements_of``). ``migrated_app(database=environment_database())``
runs on the PostgreSQL database of ``DATABASE_URL`` instead of SQLite, and ``analyze``
gives the planner its statistics after a bulk load.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import logging
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from flask import Flask, render_template
from flask.testing import FlaskClient
from flask_migrate import upgrade
from jinja2 import DictLoader
from sqlalchemy import create_engine, event, text

from pmg import create_app
from pmg.config import database_url
from pmg.core.statistics import refresh_statistics
from pmg.extensions import db

# No worker runs beside a benchmark: the jobs its data asks for (each version's PDF) wait in
# the process and are dropped with it, never written to the repository's instance folder.
NO_WORKER = {"PMG_QUEUE_URL": "memory://"}


def parser(description: str) -> argparse.ArgumentParser:
    """The options every benchmark takes, for one that adds its own before parsing."""
    options = argparse.ArgumentParser(description=description)
    options.add_argument("--runs", type=int, default=5)
    options.add_argument("--strict", action="store_true", help="exit 1 when over the target")
    return options


def arguments(description: str) -> argparse.Namespace:
    """``--runs`` (timed pairs, 5 by default) and ``--strict`` (exit 1 when over the target)."""
    return parser(description).parse_args()


def environment_database() -> str | None:
    """``DATABASE_URL`` as SQLAlchemy takes it, if set."""
    raw = os.environ.get("DATABASE_URL")
    return database_url(raw) if raw else None


def _emptied(uri: str) -> str:
    """``uri`` with its public schema dropped and made again: nothing left in it."""
    engine = create_engine(uri)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return uri


@contextmanager
def migrated_app(
    config: Mapping[str, Any] | None = None, *, database: str | None = None
) -> Iterator[Flask]:
    """An app on a new SQLite database in a temporary folder, migrated to head.

    With ``database`` (a PostgreSQL URI: :func:`environment_database`), on that database
    instead, **its public schema dropped first**: never point it at one you keep. Yields
    inside the app's context; ``config``, if any, is added to the app's (over the database,
    the secret key, the queue and the PDF folder). On the way out the session and the
    engine are let go before the folder is removed.
    """
    with tempfile.TemporaryDirectory() as folder:
        uri = _emptied(database) if database else f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": uri,
                "SECRET_KEY": "benchmark",
                **NO_WORKER,
                "PMG_PDF_DIR": str(Path(folder) / "pdfs"),
                "PMG_WORKBOOK_DIR": str(Path(folder) / "workbooks"),
                **(config or {}),
            }
        )
        with app.app_context():
            logging.disable(logging.INFO)  # Alembic's progress lines
            try:
                upgrade()
            finally:
                logging.disable(logging.NOTSET)
            try:
                yield app
            finally:
                db.session.remove()
                db.engine.dispose()


def seconds(action: Callable[[], Any]) -> float:
    """How long one call of ``action`` takes."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


class Timings(NamedTuple):
    """The times of each side, pair by pair, and the ratio (app ÷ baseline) of each pair."""

    app: list[float]
    baseline: list[float]
    ratios: list[float]

    @property
    def app_median(self) -> float:
        return statistics.median(self.app)

    @property
    def baseline_median(self) -> float:
        return statistics.median(self.baseline)

    @property
    def median_ratio(self) -> float:
        """The median of the paired ratios."""
        return statistics.median(self.ratios)

    @property
    def ratio_of_medians(self) -> float:
        """The app's median time ÷ the baseline's."""
        return self.app_median / self.baseline_median


def paired_ratios(
    app_action: Callable[[], Any], baseline_action: Callable[[], Any], runs: int
) -> Timings:
    """Times of both, run back to back ``runs`` times after one warm-up run of each.

    The warm-up fills imports and caches (the SQLite page cache, fonts). Which side
    goes first alternates from pair to pair, and each pair runs within a few
    seconds, so that load from other processes on the machine, or a change of it
    during the run, weighs on both sides alike.
    """
    app_action(), baseline_action()
    app_times: list[float] = []
    baseline_times: list[float] = []
    for run in range(runs):
        if run % 2 == 0:
            app_times.append(seconds(app_action))
            baseline_times.append(seconds(baseline_action))
        else:
            baseline_times.append(seconds(baseline_action))
            app_times.append(seconds(app_action))
    ratios = [ours / bare for ours, bare in zip(app_times, baseline_times, strict=True)]
    return Timings(app_times, baseline_times, ratios)


def report(lines: Iterable[str], label: str, ratio: float, target: float, *, strict: bool) -> int:
    """Prints ``lines`` then ``<label>: <ratio> (target <= <target>) PASS|FAIL``.

    Returns the exit code: 1 when ``strict`` and the ratio is over the target, else 0.
    """
    verdict = "PASS" if ratio <= target else "FAIL"
    for line in lines:
        print(line)
    print(f"{label}: {ratio:.2f} (target <= {target}) {verdict}")
    return 1 if strict and verdict == "FAIL" else 0


def analyze() -> None:
    """On PostgreSQL, planner statistics for every table (a bulk load leaves none)."""
    refresh_statistics()
    db.session.commit()


def statements_of(client: FlaskClient, path: str) -> tuple[int, int]:
    """The status of one GET of ``path`` by ``client`` and how many SQL statements it ran
    (counted as the driver gets them: a ``before_cursor_execute`` event)."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        status = client.get(path).status_code
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return status, len(statements)


# --- Pages served by gunicorn, under load ----------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"  # loopback only: nothing here ever sends a request elsewhere
READY_WITHIN = 30.0  # seconds for gunicorn to load the app and answer


def free_port() -> int:
    """A port of the loopback address that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def fetch(port: int, path: str, headers: Mapping[str, str] | None = None) -> tuple[int, bytes]:
    """One GET of ``path`` on the local server at ``port``: its status and body."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("GET", path, headers=dict(headers or {}))
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _wait_until_answering(server: subprocess.Popen[bytes], port: int, path: str) -> None:
    deadline = time.monotonic() + READY_WITHIN
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped with status {server.returncode}")
        try:
            fetch(port, path)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {READY_WITHIN:.0f} s")


@contextmanager
def served(
    wsgi: str, environment: Mapping[str, str], *, workers: int = 2, ready: str = "/"
) -> Iterator[int]:
    """``wsgi`` (gunicorn's ``module:name`` or ``module:factory()``) served from the
    repository's root by gunicorn with the production configuration
    (``pmg/gunicorn_config.py``: sync workers forked from a master that loaded the app and
    WeasyPrint first, a line of access log per request) but ``workers`` of them, on
    127.0.0.1 at a free port. Yields the port once ``ready`` answers; stops the server
    (TERM, then KILL) on the way out and prints its log if it failed to start."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-c", "python:pmg.gunicorn_config", wsgi]
    environment = {
        **NO_WORKER,
        **environment,
        "PMG_WORKERS": str(workers),
        "PMG_BIND": f"{HOST}:{port}",
    }
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(  # noqa: S603  (this interpreter and gunicorn; no shell)
            command, cwd=ROOT, env={**os.environ, **environment}, stdout=log, stderr=log
        )
        try:
            _wait_until_answering(server, port, ready)
        except RuntimeError:
            log.seek(0)
            print(log.read().decode(errors="replace"), file=sys.stderr)
            raise
        try:
            yield port
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


@dataclass(frozen=True)
class Load:
    """What a load run measured: the requests answered 200, their latencies, the failures."""

    latencies: list[float]
    failures: int
    elapsed: float

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.elapsed

    def percentile(self, share: int) -> float:
        """The latency under which ``share`` % of the requests finished, in seconds."""
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[share - 1]


Request = tuple[str, Mapping[str, str]]  # a path and the headers it is asked with


def _client(
    port: int,
    requests: Sequence[Request],
    deadline: float,
    latencies: list[float],
    failures: list[object],
) -> None:
    """GETs ``requests`` in turn, one after another on one connection (opened again whenever
    the server closes it, as gunicorn's sync workers do after each response) until
    ``deadline``."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    turn = itertools.cycle(requests)
    try:
        while (began := time.perf_counter()) < deadline:
            path, headers = next(turn)
            try:
                connection.request("GET", path, headers=dict(headers))
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as problem:
                connection.close()
                failures.append(problem)
                continue
            if response.status == 200:
                latencies.append(time.perf_counter() - began)
            else:
                failures.append(response.status)
    finally:
        connection.close()


def load(
    port: int,
    path: str,
    *,
    seconds: float,
    connections: int,
    headers: Mapping[str, str] | None = None,
) -> Load:
    """``connections`` clients (threads) GET ``path`` on the local server at ``port`` back to
    back for ``seconds``, then stop by themselves: a bounded, closed-loop load."""
    return load_mix(port, [(path, headers or {})], seconds=seconds, connections=connections)


def load_mix(port: int, requests: Sequence[Request], *, seconds: float, connections: int) -> Load:
    """:func:`load` of a mix: each client asks for ``requests`` in turn, each starting at
    another of them."""
    latencies: list[float] = []
    failures: list[object] = []
    start = time.perf_counter()
    clients = [
        threading.Thread(
            target=_client,
            args=(port, [*requests[i:], *requests[:i]], start + seconds, latencies, failures),
        )
        for i in (number % len(requests) for number in range(connections))
    ]
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    return Load(latencies, len(failures), time.perf_counter() - start)


# The baseline of served pages: a Jinja template of a 170-row table, no database, no login.
BARE_ROWS = 170
BARE_TEMPLATE = """<!doctype html>
<html lang="es"><head><meta charset="utf-8"><title>Instituciones</title>
<link rel="stylesheet" href="/static/app.css"></head>
<body><main><h1>Instituciones</h1>
<table class="table"><caption>Instituciones ({{ rows | length }})</caption>
<thead><tr><th scope="col">Código</th><th scope="col">Institución</th>
<th scope="col">Ministerio</th><th scope="col">Etapa</th><th scope="col">Categoría</th>
<th scope="col">Diagnóstico</th><th scope="col">Plan</th><th scope="col">Enviado</th></tr></thead>
<tbody>{% for row in rows %}
<tr><td>{{ row.code }}</td><td><a href="/instituciones/{{ row.code }}">{{ row.name }}</a></td>
<td>{{ row.ministry }}</td><td>{{ row.stage }}</td><td>{{ row.category }}</td>
<td>{{ row.state }}</td><td>{{ row.plan }}</td>
<td><time datetime="{{ row.sent.isoformat() }}">{{ row.sent.strftime("%d-%m-%Y") }}</time></td>
</tr>{% endfor %}</tbody></table></main></body></html>
"""


def bare_table_app() -> Flask:
    """A Flask app whose one page (``/``) renders :data:`BARE_TEMPLATE` from rows held in
    memory: what a page costs with no query, no session and no layout."""
    app = Flask(__name__, static_folder=str(ROOT / "static"))  # the server warms up its PDF
    app.jinja_env.loader = DictLoader({"table.html": BARE_TEMPLATE})
    states = ("Sin iniciar", "Borrador", "Enviado", "En revisión", "Con observaciones")
    rows = [
        {
            "code": str(1000 + number),
            "name": f"SERVICIO NACIONAL DE PRUEBA Y ATENCIÓN CIUDADANA DE LA REGIÓN {number}",
            "ministry": f"MINISTERIO DE DESARROLLO SOCIAL Y FAMILIA {number % 24}",
            "stage": f"Etapa {number % 3 + 1}",
            "category": "SERVICIOS PÚBLICOS GENERALES",
            "state": states[number % len(states)],
            "plan": states[(number + 2) % len(states)],
            "sent": date(2026, 3, 1 + number % 28),
        }
        for number in range(BARE_ROWS)
    ]

    @app.route("/")
    def table() -> str:
        return render_template("table.html", rows=rows)

    return app
