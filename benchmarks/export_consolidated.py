"""Time the consolidated Excel export against bare openpyxl writing the same cells.

For each size (the real catalog of 166 institutions once, then ten times: 1,660) on a
new SQLite database, or on PostgreSQL when ``DATABASE_URL`` is set (**its public schema
is dropped and rebuilt**; ``ANALYZE`` runs after loading), builds a cycle through the
application's own imports and operations (:mod:`benchmarks.cycle_data`'s catalog and
history, by the account whose job each step is):

- the catalog, and four years of indicator history of every institution with the cycle's
  targets and :data:`PROCEDURES` procedures each (the indicator import);
- the starting requirement catalog (R01–R10);
- for every institution, one story of :data:`STORIES` in turn: a diagnostic of
  :data:`PROCEDURES` procedures and :data:`GAPS` gaps submitted and reviewed requirement
  by requirement (approved; observed, answered, corrected, sent again and approved;
  rejected; or in review), and in five stories of seven a plan of :data:`ACTIONS` actions
  submitted after it (approved, observed, in review or waiting).

Then, with what the process holds frozen as in a server's worker (``gc.freeze``: see
:mod:`pmg.gunicorn_config`), times in the same run:

- the export: ``export_consolidated`` (queries, tables, writer);
- the baseline: the same cells appended to a bare write-only openpyxl workbook;

back to back, ``--runs`` times after a warm-up, alternating which goes first (see
``harness.paired_ratios``). Prints, for each size, the rows and cells, the median time
of each side, the median of the paired ratios (export ÷ baseline of the same pair: load
from other processes hits both alike) and PASS/FAIL against the target (≤ 1.2). Exits 1
with ``--strict`` when the ratio at any size is over it. On 2 cores with the defaults:
about 5 minutes on SQLite, 6 on PostgreSQL, half of it building the larger cycle.

    .venv/bin/python benchmarks/export_consolidated.py [--runs 5] [--strict]
"""

from __future__ import annotations

import gc
import random
import sys
import time
from collections.abc import Callable
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import current_app
from openpyxl import Workbook

from benchmarks.cycle_data import (
    HISTORY_YEARS,
    PROCEDURE_NAMES,
    procedure_row,
    reviewed,
    start_cycle,
)
from benchmarks.harness import (
    Timings,
    analyze,
    arguments,
    environment_database,
    migrated_app,
    paired_ratios,
    report,
)
from pmg.auth import operations as auth
from pmg.auth.models import User
from pmg.core.permissions import Role
from pmg.core.xlsx import Table, write_xlsx
from pmg.cycles.models import Cycle
from pmg.cycles.queries import chile_today
from pmg.exports.workbook import choose_years, export_consolidated
from pmg.exports.workbook.queries import load_consolidated
from pmg.exports.workbook.tables import consolidated_tables
from pmg.extensions import db
from pmg.indicators.importer import import_indicators
from pmg.indicators.layouts import PROCEDURES as PROCEDURES_LAYOUT
from pmg.indicators.layouts import SHEET
from pmg.institutions.models import Institution
from pmg.review.models import Decision
from pmg.review.observations import answer_observation
from pmg.review.queries import observations_of
from pmg.submissions.models import Submission, SubmissionKind
from pmg.submissions.operations import open_submission, save_draft, submit
from tests.factories import diagnostic_draft, plan_draft, with_value

SIZES = (1, 10)  # copies of the real catalog (166 institutions)
PROCEDURES = 20  # the most a diagnostic takes
GAPS = 6
ACTIONS = 12
TARGET_RATIO = 1.2
COMMIT_EVERY = 50
NOT_APPLICABLE = "R04"  # a diagnostic requirement every review marks as not applying
DIAGNOSTIC, PLAN = SubmissionKind.DIAGNOSTIC, SubmissionKind.PLAN
# The procedures of the history beyond cycle_data's, named as diagnostic_draft names them.
MORE_PROCEDURES = tuple(
    f"Trámite de prueba {number}" for number in range(len(PROCEDURE_NAMES) + 1, PROCEDURES + 1)
)


# --- The data ---------------------------------------------------------------------------


def import_more_procedures(
    cycle: Cycle, institutions: list[Institution], rng: random.Random
) -> None:
    """:data:`MORE_PROCEDURES` for every institution, with figures in the history's years,
    through the indicator import (it adds them to those :func:`import_history` made), in
    files as large as an import takes."""
    years = list(range(cycle.reference_year - HISTORY_YEARS + 1, cycle.reference_year + 1))
    per_file = current_app.config["PMG_IMPORT_MAX_ROWS"] // len(MORE_PROCEDURES)
    for first in range(0, len(institutions), per_file):
        rows = [
            procedure_row((number, institution.code, institution.name), name, rng)
            for number, institution in enumerate(
                institutions[first : first + per_file], start=first + 1
            )
            for name in MORE_PROCEDURES
        ]
        buffer = BytesIO()
        write_xlsx([Table(SHEET, tuple(PROCEDURES_LAYOUT.headers(years)), rows)], buffer)
        import_indicators(buffer.getvalue(), cycle_year=cycle.year)


def _sent(
    institution: Institution, cycle: Cycle, kind: SubmissionKind, by: User, today: date
) -> Submission:
    submission = open_submission(institution, cycle, kind)
    if kind is DIAGNOSTIC:
        typed = diagnostic_draft(procedures=PROCEDURES, gaps=GAPS)
    else:
        typed = plan_draft(actions=ACTIONS, year=cycle.year)
    save_draft(submission, {**submission.draft, **typed}, by, submission.lock_version)
    submit(submission, by, today, submission.lock_version)
    return submission


def _reviewed(
    submission: Submission,
    reviewer: User,
    today: date,
    decision: Decision | None,
    failing: str | None = None,
) -> None:
    """:func:`benchmarks.cycle_data.reviewed`, :data:`NOT_APPLICABLE` marked so."""
    failed = (failing,) if failing else ()
    reviewed(submission, reviewer, today, decision, failed, not_applicable=(NOT_APPLICABLE,))


def _corrected(submission: Submission, by: User, reviewer: User, today: date) -> None:
    """Observed on R01, answered, corrected and sent again, then approved."""
    _reviewed(submission, reviewer, today, Decision.OBSERVE, failing="R01")
    for observation in observations_of(submission):
        answer_observation(observation, "Se completó el equipo de trabajo.", by)
    draft = with_value(submission.draft, "responsible.team", "Equipo completo")
    save_draft(submission, draft, by, submission.lock_version)
    submit(submission, by, today, submission.lock_version)
    _reviewed(submission, reviewer, today, Decision.APPROVE)


Story = Callable[[Institution, Cycle, User, User, date], None]


def both_approved(
    institution: Institution, cycle: Cycle, by: User, reviewer: User, today: date
) -> None:
    for kind in (DIAGNOSTIC, PLAN):
        _reviewed(_sent(institution, cycle, kind, by, today), reviewer, today, Decision.APPROVE)


def plan_waiting(
    institution: Institution, cycle: Cycle, by: User, reviewer: User, today: date
) -> None:
    diagnostic = _sent(institution, cycle, DIAGNOSTIC, by, today)
    _reviewed(diagnostic, reviewer, today, Decision.APPROVE)
    _sent(institution, cycle, PLAN, by, today)


def corrected_plan_in_review(
    institution: Institution, cycle: Cycle, by: User, reviewer: User, today: date
) -> None:
    _corrected(_sent(institution, cycle, DIAGNOSTIC, by, today), by, reviewer, today)
    _reviewed(_sent(institution, cycle, PLAN, by, today), reviewer, today, None, failing="R09")


def plan_observed(
    institution: Institution, cycle: Cycle, by: User, reviewer: User, today: date
) -> None:
    diagnostic = _sent(institution, cycle, DIAGNOSTIC, by, today)
    _reviewed(diagnostic, reviewer, today, Decision.APPROVE)
    plan = _sent(institution, cycle, PLAN, by, today)
    _reviewed(plan, reviewer, today, Decision.OBSERVE, failing="R08")


def rejected(institution: Institution, cycle: Cycle, by: User, reviewer: User, today: date) -> None:
    diagnostic = _sent(institution, cycle, DIAGNOSTIC, by, today)
    _reviewed(diagnostic, reviewer, today, Decision.REJECT, failing="R03")


def in_review(
    institution: Institution, cycle: Cycle, by: User, reviewer: User, today: date
) -> None:
    diagnostic = _sent(institution, cycle, DIAGNOSTIC, by, today)
    _reviewed(diagnostic, reviewer, today, None)


STORIES: tuple[Story, ...] = (
    both_approved,
    plan_waiting,
    corrected_plan_in_review,
    both_approved,
    plan_observed,
    rejected,
    in_review,
)


def build(copies: int, today: date) -> Cycle:
    """The cycle of ``copies`` × the real catalog, every institution's story told; committed."""
    rng = random.Random(2026)
    cycle, institutions = start_cycle(copies, today, rng)
    import_more_procedures(cycle, institutions, rng)
    reviewer = auth.create_user(
        email="revisora@servicio.gob.cl", name="Rosa Revisora", role=Role.REVIEWER, password=None
    )
    db.session.commit()
    for number, institution in enumerate(institutions):
        coordinator = auth.create_user(
            email=f"coordinacion-{institution.id}@servicio.gob.cl",
            name=f"Coordinación {institution.code}",
            role=Role.COORDINATOR,
            password=None,
            institutions=[institution],
        )
        STORIES[number % len(STORIES)](institution, cycle, coordinator, reviewer, today)
        if number % COMMIT_EVERY == COMMIT_EVERY - 1:
            db.session.commit()
    db.session.commit()
    analyze()
    return cycle


# --- The timing -------------------------------------------------------------------------


def bare_openpyxl(tables: list[Any]) -> None:
    """The same cells, appended as they are to a bare write-only workbook."""
    workbook = Workbook(write_only=True)
    for table in tables:
        sheet = workbook.create_sheet(table.title)
        sheet.append(list(table.headers))
        for row in table.rows:
            sheet.append(list(row))
    workbook.save(BytesIO())


def measure(copies: int, runs: int, database: str | None) -> tuple[int, list[str], Timings]:
    """Build the cycle of ``copies`` and time the export against the baseline: how many
    institutions, what to print, and the timings."""
    with migrated_app(database=database):
        began = time.perf_counter()
        cycle_id = build(copies, chile_today()).id
        built = time.perf_counter() - began
        # The export starts from a new session, as a request or a job does, not from the one
        # that built the cycle and still holds what it made.
        db.session.remove()
        cycle = db.session.get_one(Cycle, cycle_id)
        years = choose_years(cycle)
        tables = consolidated_tables(load_consolidated(cycle, years))
        # What the process holds now is frozen, as a server's worker finds it (its master
        # freezes the application before forking: pmg.gunicorn_config).
        gc.freeze()
        try:
            timings = paired_ratios(
                lambda: export_consolidated(cycle, BytesIO()),
                lambda: bare_openpyxl(tables),
                runs,
            )
        finally:
            gc.unfreeze()
        institutions = db.session.scalar(db.select(db.func.count(Institution.id))) or 0
    cells = sum(len(t.headers) * (len(t.rows) + 1) for t in tables)
    rows = ", ".join(f"{t.title} {len(t.rows)}" for t in tables)
    return (
        institutions,
        [
            f"data: {institutions} institutions, years {years[0]}-{years[-1]} "
            f"(built in {built:.0f} s); rows: {rows}",
            f"cells: {cells}",
            "consolidated export (queries + tables + writer), median of "
            f"{runs}: {timings.app_median * 1000:.0f} ms",
            "bare openpyxl write-only, same cells, median of "
            f"{runs}: {timings.baseline_median * 1000:.0f} ms",
        ],
        timings,
    )


def main() -> int:
    options = arguments(__doc__.splitlines()[0])
    database = environment_database()
    print(f"database: {'PostgreSQL' if database else 'SQLite'}")
    status = 0
    for copies in SIZES:
        institutions, lines, timings = measure(copies, options.runs, database)
        label = f"ratio at {institutions} institutions (median of the {options.runs} paired ratios)"
        status |= report(lines, label, timings.median_ratio, TARGET_RATIO, strict=options.strict)
    return status


if __name__ == "__main__":
    sys.exit(main())
