"""Serve every page under gunicorn at 166 and 1,660 institutions beside a bare Jinja page.

For each size (the real catalog once, then ten times: :mod:`benchmarks.cycle_data` makes a
cycle in flight through the application's own imports and operations) on a new SQLite
database, or on PostgreSQL when ``DATABASE_URL`` is set (**its public schema is dropped
and rebuilt**; ``ANALYZE`` runs after loading):

- counts the SQL statements of a GET of each page of :data:`PAGES` in a test client, as
  the page's reader (its role; a coordinator, of the institution its story made): one that
  computes the page (what :mod:`pmg.core.caching` kept cleared first) and the next, which
  reads what it kept;
- serves the app (``app:app``, as in production) under gunicorn, 2 sync workers, preloaded,
  on 127.0.0.1, with the session cookie of the page's reader, twice: as configured (pages
  keep what they computed until the data changes) and with ``PMG_CACHE=off`` (every request
  computes its page: what the first request after a write costs; measured only for the
  pages that keep something, the others compute anyway); beside them, also under
  gunicorn, a bare Flask app whose one page is a Jinja template of a 170-row table
  (``harness.bare_table_app``), started once for the whole run;
- loads each page for ``--seconds`` with ``--connections`` clients (threads, loopback
  only), between two loads of the bare page: bare, page 1 kept, bare, page 1 computed,
  bare, page 2 kept, … bare; each load's ratio is its requests/s ÷ the mean of the two
  bare runs around it. ``--runs`` rounds; the median of each figure is printed.

Prints requests/s, p50 and p99 of every page (kept, and computed) and of the bare page,
each page's ratio (target ≥ 0.5, ≥ 0.25 for a form of more than 50 fields, for the page as
served), its slowdown at 1,660 institutions (ten times the real 166: ratio at 166 ÷ ratio
at 1,660, each against the bare page of its own size's run, so that a machine busier in
one half does not count; target ≤ 1.2; the raw p50 at 1,660 ÷ p50 at 166 beside it) and
its statements at 166 and at 1,660 (target: the same, computed and kept). The computed
figures are printed beside for what they say, without a target. A page that answers 404
is reported as not built yet. Exits 1 with ``--strict`` when a page that exists misses a
target. On 2 cores with the defaults: about 13 minutes on SQLite, 15 on PostgreSQL
(``--only`` a page for less).

    .venv/bin/python benchmarks/pages.py [--seconds 4] [--runs 2] [--connections 4]
        [--only "review queue"] [--strict]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import Flask

from benchmarks.cycle_data import CycleData, build_cycle
from benchmarks.harness import (
    Load,
    analyze,
    environment_database,
    fetch,
    load,
    migrated_app,
    parser,
    served,
    statements_of,
)
from pmg.auth.models import User
from pmg.core.permissions import Role
from pmg.cycles.queries import chile_today
from pmg.extensions import cache
from tests.conftest import BrowserLikeClient, login


@dataclass(frozen=True)
class Page:
    name: str
    path: str  # ``{code}``: the institution of ``story``; ``{year}``: the cycle's
    role: Role  # a coordinator: of the institution of ``story``
    story: str = "approved_plan_sent"  # a story of benchmarks.cycle_data.STORIES
    keeps: bool = False  # keeps what it computed (pmg.core.caching): measured both ways
    min_ratio: float = 0.5  # a form of more than 50 fields: 0.25

    @property
    def person(self) -> tuple[Role, str]:
        """Who reads it: the role, and for a coordinator the story of their institution."""
        return (self.role, self.story if self.role is Role.COORDINATOR else "")


DIAGNOSTIC_FORM = "/instituciones/{code}/diagnostico"
VERSION_PAGE = "/instituciones/{code}/{year}/diagnostico/v1"
# One line per page: the benchmark measures each, in this order.
PAGES = (
    Page("home (coordinator)", "/", Role.COORDINATOR, "drafted"),
    Page("dashboard", "/", Role.DIPRES, keeps=True),
    Page("institution list", "/instituciones/", Role.DIPRES, keeps=True),
    Page("institution page", "/instituciones/{code}", Role.DIPRES, keeps=True),
    Page("diagnostic (empty)", DIAGNOSTIC_FORM, Role.COORDINATOR, "not_started", min_ratio=0.25),
    Page("diagnostic (full)", DIAGNOSTIC_FORM, Role.COORDINATOR, "drafted", min_ratio=0.25),
    Page("plan (empty)", "/instituciones/{code}/plan", Role.COORDINATOR, "approved_only"),
    Page("plan (full)", "/instituciones/{code}/plan", Role.COORDINATOR, "approved_plan_begun"),
    Page("check page", DIAGNOSTIC_FORM + "/revisar", Role.COORDINATOR, "drafted"),
    Page("version page", VERSION_PAGE, Role.DIPRES, "sent", keeps=True),
    Page("review queue", "/revision/", Role.REVIEWER, keeps=True),
    Page("review page", "/revision/{code}/{year}/diagnostico", Role.REVIEWER, "in_review_met"),
    Page("audit", "/admin/auditoria", Role.ADMIN, keeps=True),
    Page("reports", "/reportes/", Role.DIPRES),
)
SIZES = (1, 10)  # copies of the real catalog (166 institutions)
MAX_SLOWDOWN = 1.2
SECRET_KEY = "benchmark"  # noqa: S105  (signs the throwaway sessions of a throwaway database)
SESSION_COOKIE = "pmg_session"
WARM_UP_SECONDS = 1.0
BARE = "bare 170-row table"


@dataclass
class Served:
    """One way of serving a page (kept, or computed): each round's load and ratio."""

    loads: list[Load] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios) if self.ratios else float("nan")

    @property
    def p50(self) -> float:
        return statistics.median(run.percentile(50) for run in self.loads)


@dataclass
class Measured:
    """One page at one size: its status and size, its statements when it computes and when it
    reads what it kept, and how it served as configured (kept) and with ``PMG_CACHE=off``."""

    status: int
    kilobytes: float
    statements: tuple[int, int]  # computed, kept
    kept: Served = field(default_factory=Served)
    computed: Served = field(default_factory=Served)

    @property
    def exists(self) -> bool:
        return self.status != 404


def _median_figures(loads: list[Load]) -> str:
    per_second = statistics.median(run.per_second for run in loads)
    p50 = statistics.median(run.percentile(50) for run in loads) * 1000
    p99 = statistics.median(run.percentile(99) for run in loads) * 1000
    failures = sum(run.failures for run in loads)
    failed = f"  {failures} failed" if failures else ""
    return f"{per_second:8.1f} {p50:8.1f} {p99:8.1f}{failed}"


def session_cookie(app: Flask, user: User) -> str:
    """``Cookie`` header of a session of ``user``, signed in through the login page."""
    client = BrowserLikeClient(app)
    assert login(client, user.email).status_code == 302, f"{user.email} could not sign in"
    cookie = client.get_cookie(SESSION_COOKIE)
    assert cookie is not None
    return f"{SESSION_COOKIE}={cookie.value}"


def reader(data: CycleData, page: Page) -> User:
    staff = {
        Role.DIPRES: data.people.dipres,
        Role.REVIEWER: data.people.reviewer,
        Role.ADMIN: data.people.admin,
    }
    if page.role is Role.COORDINATOR:
        return data.people.coordinators[data.codes[page.story]]
    return staff[page.role]


def page_path(data: CycleData, page: Page) -> str:
    return page.path.format(code=data.codes[page.story], year=data.cycle.year)


def _count_statements(app: Flask, pages: tuple[Page, ...], data: CycleData) -> dict[Page, Measured]:
    measured: dict[Page, Measured] = {}
    clients: dict[tuple[Role, str], BrowserLikeClient] = {}
    for page in pages:
        if page.person not in clients:
            clients[page.person] = BrowserLikeClient(app)
            signed_in = login(clients[page.person], reader(data, page).email)
            assert signed_in.status_code == 302
        client, path = clients[page.person], page_path(data, page)
        client.get(path)  # what other caches fill once
        cache.clear()
        status, computing = statements_of(client, path)
        _, keeping = statements_of(client, path)
        measured[page] = Measured(status, 0.0, (computing, keeping))
    return measured


def _loads(
    ports: dict[str, int],
    bare_port: int,
    measured: dict[Page, Measured],
    paths: dict[Page, str],
    cookies: dict[tuple[Role, str], str],
    options: argparse.Namespace,
) -> list[Load]:
    """Every round: the bare page, then each page that exists, kept and computed, each
    followed by the bare page."""
    seconds, connections, runs = options.seconds, options.connections, options.runs
    pages = [page for page, shown in measured.items() if shown.status == 200]
    bare_loads: list[Load] = []
    for page in pages:  # warm-up: both workers, every cache
        for port in ports.values():
            load(port, paths[page], seconds=WARM_UP_SECONDS, connections=connections,
                 headers={"Cookie": cookies[page.person]})  # fmt: skip
    for _ in range(runs):
        before = load(bare_port, "/", seconds=seconds, connections=connections)
        bare_loads.append(before)
        for page in pages:
            headers = {"Cookie": cookies[page.person]}
            for way, port in ports.items():
                if way == "computed" and not page.keeps:
                    continue  # computes on every request anyway: the same figures
                run = load(port, paths[page], seconds=seconds, connections=connections,
                           headers=headers)  # fmt: skip
                after = load(bare_port, "/", seconds=seconds, connections=connections)
                bare_loads.append(after)
                served_as: Served = getattr(measured[page], way)
                served_as.loads.append(run)
                bare = (before.per_second + after.per_second) / 2
                served_as.ratios.append(run.per_second / bare)
                before = after
    return bare_loads


def measure_size(
    copies: int,
    pages: tuple[Page, ...],
    bare_port: int,
    options: argparse.Namespace,
    database: str | None,
) -> dict[Page, Measured]:
    """Build the cycle at ``copies`` × the catalog, count, serve, load; print the table."""
    started = time.perf_counter()

    def progress(text: str) -> None:
        print(f"  [{time.perf_counter() - started:5.1f} s] {text}", flush=True)

    config = {"PMG_PASSWORD_METHOD": "pbkdf2:sha256:1000", "SECRET_KEY": SECRET_KEY}
    with migrated_app(config, database=database) as app:
        data = build_cycle(copies, chile_today(), progress)
        analyze()
        measured = _count_statements(app, pages, data)
        cookies = {page.person: session_cookie(app, reader(data, page)) for page in pages}
        paths = {page: page_path(data, page) for page in pages}
        environment = {
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": SECRET_KEY,
            "PMG_ENV": "production",
            "PMG_PUBLIC_BASE_URL": "https://pmg.benchmark.invalid",
        }
        computing = {**environment, "PMG_CACHE": "off"}
        with (
            served("app:app", environment, ready="/ingresar") as port,
            served("app:app", computing, ready="/ingresar") as computing_port,
        ):
            for page in pages:
                status, body = fetch(port, paths[page], {"Cookie": cookies[page.person]})
                if status != measured[page].status:
                    print(f"  {page.name}: {status} served, {measured[page].status} in the test")
                measured[page].status, measured[page].kilobytes = status, len(body) / 1024
            progress("served; loading")
            ports = {"kept": port, "computed": computing_port}
            bare_loads = _loads(ports, bare_port, measured, paths, cookies, options)
    print(f"\n{data.institutions} institutions, {data.submissions} submissions")
    print(f"{'page':<31} {'KB':>6} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>6} stmts")
    print(f"{BARE:<31} {'':>6} {_median_figures(bare_loads)}")
    for page in pages:
        shown = measured[page]
        if not shown.exists:
            print(f"{page.name:<31} not built yet (404)")
        elif shown.status != 200:
            print(f"{page.name:<31} answered {shown.status}")
        else:
            computing, keeping = shown.statements
            ways = (("kept", keeping), ("computed", computing)) if page.keeps else ()
            for way, statements in ways or (("kept", keeping),):
                served_as: Served = getattr(shown, way)
                name = f"{page.name} ({way})" if ways else page.name
                print(
                    f"{name:<31} {shown.kilobytes:6.0f} {_median_figures(served_as.loads)} "
                    f"{served_as.ratio:6.2f} {statements:5d}"
                )
    print()
    return measured


def verdicts(small: dict[Page, Measured], large: dict[Page, Measured]) -> bool:
    """Print each page's figures against the targets; whether every page that exists meets
    them."""
    header = (
        f"{'page':<22} {'ratio 166':>9} {'ratio 1,660':>11} {'slowdown':>8} {'p50 ×':>6} "
        f"{'stmts':>9}  {'computed: ratios':>16} {'slowdown':>8} {'stmts':>7}"
    )
    print(f"{header}  (targets: ratio ≥ its own, slowdown ≤ {MAX_SLOWDOWN}, same stmts)")
    passed = True
    for page, few in small.items():
        many = large[page]
        if not (few.exists and many.exists):
            print(f"{page.name:<22} not built yet (404)")
            continue
        if few.status != 200 or many.status != 200:
            print(f"{page.name:<22} answered {few.status} / {many.status}  FAIL")
            passed = False
            continue
        slowdown = few.kept.ratio / many.kept.ratio
        met = (
            min(few.kept.ratio, many.kept.ratio) >= page.min_ratio
            and slowdown <= MAX_SLOWDOWN
            and few.statements == many.statements
        )
        passed = passed and met
        statements = f"{few.statements[1]}/{many.statements[1]}"
        computed = ""
        if page.keeps:
            computed = (
                f"{few.computed.ratio:.2f}/{many.computed.ratio:.2f}".rjust(16)
                + f" {few.computed.ratio / many.computed.ratio:8.2f}"
                + f" {few.statements[0]}/{many.statements[0]}".rjust(8)
            )
        print(
            f"{page.name:<22} {few.kept.ratio:9.2f} {many.kept.ratio:11.2f} {slowdown:8.2f} "
            f"{many.kept.p50 / few.kept.p50:6.2f} {statements:>9}  {computed:<34}"
            f"{'PASS' if met else 'FAIL'} (≥ {page.min_ratio})"
        )
    return passed


def main() -> int:
    options = parser(__doc__.splitlines()[0])
    options.add_argument("--seconds", type=float, default=4.0, help="length of each load run")
    options.add_argument("--connections", type=int, default=4, help="concurrent clients")
    options.add_argument(
        "--only", action="append", metavar="PAGE", help="measure only this page (repeatable)"
    )
    options.set_defaults(runs=2)
    chosen = options.parse_args()
    pages = tuple(page for page in PAGES if not chosen.only or page.name in chosen.only)
    database = environment_database()
    where = "PostgreSQL" if database else "SQLite"
    print(
        f"{where}; gunicorn 2 sync workers, --preload; {chosen.connections} connections, "
        f"{chosen.seconds:g} s per run, {chosen.runs} rounds"
    )
    results = []
    with served("benchmarks.harness:bare_table_app()", {}) as bare_port:
        for copies in SIZES:
            print(f"building {copies} × the catalog")
            results.append(measure_size(copies, pages, bare_port, chosen, database))
    passed = verdicts(results[0], results[-1])
    return 1 if chosen.strict and not passed else 0


if __name__ == "__main__":
    sys.exit(main())
