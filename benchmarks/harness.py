"""What the benchmarks share: an app on a temporary database, paired timings, the verdict.

A benchmark builds its data inside ``migrated_app()``, times its action against a
baseline with ``paired_ratios``, prints its own figures and ends with ``report``,
whose return value is the exit code (1 only with ``--strict`` and over the target)::

    options = arguments(__doc__.splitlines()[0])
    with migrated_app() as app:
        ...  # build the data
        timings = paired_ratios(app_action, baseline_action, options.runs)
    return report([...], "ratio", timings.median_ratio, TARGET, strict=options.strict)
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from flask import Flask
from flask_migrate import upgrade

from pmg import create_app
from pmg.extensions import db


def arguments(description: str) -> argparse.Namespace:
    """``--runs`` (timed pairs, 5 by default) and ``--strict`` (exit 1 when over the target)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--strict", action="store_true", help="exit 1 when over the target")
    return parser.parse_args()


@contextmanager
def migrated_app(config: Mapping[str, Any] | None = None) -> Iterator[Flask]:
    """An app on a new SQLite database in a temporary folder, migrated to head.

    Yields inside the app's context; ``config``, if any, is added to the app's
    (over the database and the secret key). On the way out the session and the
    engine are let go before the folder is removed.
    """
    with tempfile.TemporaryDirectory() as folder:
        uri = f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "benchmark", **(config or {})}
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
