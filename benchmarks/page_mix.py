"""Fifty connections on the mix of every page, against the bare page under the same load.

Builds the cycle of the real catalog (:mod:`benchmarks.cycle_data`, SQLite or the
PostgreSQL of ``DATABASE_URL``, whose public schema is dropped and rebuilt), serves the app
with the production configuration (``pmg/gunicorn_config.py``: its workers, by default two
per core plus one, or ``--workers``; ``--worker-class gthread --threads N`` to compare) and
the bare 170-row Jinja page with the same configuration, then for ``--seconds`` (60) runs
``--connections`` (50) clients on each: on the app, each client asks for every page of
:data:`benchmarks.pages.PAGES` in turn, as the page's reader (each client starting at
another page); on the bare page, its one page. Loopback only, closed loop, bounded in time.

Prints requests/s, p50, p99 and failures of both, and the verdict: no failure, throughput
at least half the bare page's and p99 at most twice the bare page's (``--strict``: exit 1
otherwise).

    .venv/bin/python benchmarks/page_mix.py [--seconds 60] [--connections 50]
        [--workers N] [--worker-class sync|gthread] [--threads N] [--strict]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.cycle_data import build_cycle
from benchmarks.harness import (
    Load,
    analyze,
    environment_database,
    load_mix,
    migrated_app,
    parser,
    served,
)
from benchmarks.pages import PAGES, SECRET_KEY, page_path, reader, session_cookie
from pmg.cycles.queries import chile_today

MIN_THROUGHPUT, MAX_P99 = 0.5, 2.0


def _figures(name: str, run: Load) -> str:
    return (
        f"{name:<16} {run.per_second:8.1f} {run.percentile(50) * 1000:8.1f} "
        f"{run.percentile(99) * 1000:8.1f} {run.failures:8d}"
    )


def main() -> int:
    options = parser(__doc__.splitlines()[0])
    options.add_argument("--seconds", type=float, default=60.0)
    options.add_argument("--connections", type=int, default=50)
    options.add_argument("--workers", type=int, default=0, help="0: the configuration's")
    options.add_argument("--worker-class", default="sync", choices=("sync", "gthread"))
    options.add_argument("--threads", type=int, default=1)
    chosen = options.parse_args()
    server = {"PMG_WORKER_CLASS": chosen.worker_class, "PMG_THREADS": str(chosen.threads)}
    workers = chosen.workers or 2 * (os.cpu_count() or 1) + 1
    print(
        f"{chosen.connections} connections, {chosen.seconds:g} s; gunicorn {workers} "
        f"{chosen.worker_class} workers × {chosen.threads} thread(s)"
    )
    config = {"PMG_PASSWORD_METHOD": "pbkdf2:sha256:1000", "SECRET_KEY": SECRET_KEY}
    with migrated_app(config, database=environment_database()) as app:
        data = build_cycle(1, chile_today(), lambda text: print(f"  {text}", flush=True))
        analyze()
        cookies = {page.person: session_cookie(app, reader(data, page)) for page in PAGES}
        mix = [(page_path(data, page), {"Cookie": cookies[page.person]}) for page in PAGES]
        environment = {
            **server,
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": SECRET_KEY,
            "PMG_ENV": "production",
            "PMG_PUBLIC_BASE_URL": "https://pmg.benchmark.invalid",
        }
        with (
            served("app:app", environment, workers=workers, ready="/ingresar") as port,
            served("benchmarks.harness:bare_table_app()", server, workers=workers) as bare_port,
        ):
            load_mix(port, mix, seconds=2, connections=chosen.connections)  # warm-up
            load_mix(bare_port, [("/", {})], seconds=2, connections=chosen.connections)
            pages = load_mix(port, mix, seconds=chosen.seconds, connections=chosen.connections)
            bare = load_mix(
                bare_port, [("/", {})], seconds=chosen.seconds, connections=chosen.connections
            )
    print(f"{'':<16} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'failed':>8}")
    print(_figures("bare page", bare))
    print(_figures("page mix", pages))
    throughput = pages.per_second / bare.per_second
    p99 = pages.percentile(99) / bare.percentile(99)
    met = pages.failures == 0 and throughput >= MIN_THROUGHPUT and p99 <= MAX_P99
    print(
        f"throughput {throughput:.2f} of the bare page (≥ {MIN_THROUGHPUT}), p99 {p99:.2f}× "
        f"(≤ {MAX_P99}), {pages.failures} failed  {'PASS' if met else 'FAIL'}"
    )
    return 1 if chosen.strict and not met else 0


if __name__ == "__main__":
    sys.exit(main())
