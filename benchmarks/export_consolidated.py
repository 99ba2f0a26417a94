"""Time the consolidated Excel export against bare openpyxl writing the same cells.

Builds 170 institutions × 4 years × 3 procedures (plus targets and a submitted
diagnostic per institution) in a temporary SQLite database migrated to head,
then times, in the same run:

- the export: ``export_consolidated`` (queries, tables, writer);
- the baseline: the same cells appended to a bare write-only openpyxl workbook;

back to back, 5 times after a warm-up, alternating which goes first (see
``harness.paired_ratios``). Prints the median time of each, the median of the
5 paired ratios (export ÷ baseline of the same pair: load from other processes
hits both alike) and PASS/FAIL against the target (≤ 1.5). Exits 0 unless
``--strict`` is given and the ratio is over the target.

    .venv/bin/python benchmarks/export_consolidated.py [--runs 5] [--strict]
"""

from __future__ import annotations

import random
import secrets
import sys
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openpyxl import Workbook

from benchmarks.harness import arguments, migrated_app, paired_ratios, report
from pmg.audit.operations import canonical_json
from pmg.auth.models import User
from pmg.core.permissions import Role
from pmg.cycles.models import Cycle
from pmg.cycles.operations import default_execution
from pmg.exports.workbook import choose_years, export_consolidated
from pmg.exports.workbook.queries import load_consolidated
from pmg.exports.workbook.tables import consolidated_tables
from pmg.extensions import db
from pmg.indicators.models import (
    ComplaintFigures,
    CycleTargets,
    Procedure,
    ProcedureFigures,
    SaipFigures,
    TimeUnit,
)
from pmg.institutions.models import (
    FunctionalCategory,
    Institution,
    MesuCommitment,
    Ministry,
    Stage,
)
from pmg.submissions.models import (
    Submission,
    SubmissionKind,
    SubmissionState,
    SubmissionVersion,
)
from pmg.submissions.operations import content_hash

INSTITUTIONS = 170
YEARS = (2022, 2023, 2024, 2025)
CYCLE_YEAR = 2026
PROCEDURES = 3
TARGET_RATIO = 1.5


def build(rng: random.Random) -> None:
    """The data set, inserted directly (no validation: the figures only need to be plausible)."""
    ministries = [Ministry(name=f"MINISTERIO {number}") for number in range(23)]
    # Nobody signs in: a random string that no password hashes to.
    user = User(
        email="bench@pmg.cl", name="Bench", role=Role.ADMIN, password_hash=secrets.token_hex(16)
    )
    cycle = _cycle()
    db.session.add_all([*ministries, user, cycle])
    for number in range(INSTITUTIONS):
        institution = Institution(
            code=str(1000 + number) if number % 5 else f"{3100 + number}_61",
            name=f"SERVICIO DE PRUEBA {number}",
            ministry=ministries[number % len(ministries)],
            stage=Stage.SAIP if number % 8 == 0 else Stage.STAGE_2,
            mesu=MesuCommitment.NO,
            category=FunctionalCategory.GENERAL_SERVICES,
        )
        db.session.add(institution)
        _history(institution, rng)
        db.session.add(
            CycleTargets(
                institution=institution,
                cycle=cycle,
                complaints_answered_pct=95.0,
                complaints_late_pct=10.0,
                complaints_mean_days=12.5,
                saip_answered_pct=98.0,
                saip_late_pct=5.0,
                saip_mean_days=10.0,
            )
        )
        _diagnostic(institution, cycle, user, rng)
    db.session.commit()


def _cycle() -> Cycle:
    windows = {
        f"{kind}_{edge}": date(CYCLE_YEAR, 3, 1)
        for kind in ("diagnostic", "plan", "review", "correction", "close")
        for edge in ("start", "end")
    }
    execution = default_execution(CYCLE_YEAR)
    return Cycle(
        year=CYCLE_YEAR,
        reference_year=CYCLE_YEAR - 1,
        is_current=True,
        execution_start=execution[0],
        execution_end=execution[1],
        **windows,
    )


def _counts(rng: random.Random) -> dict[str, Any]:
    received = rng.randrange(1, 5000)
    answered = rng.randrange(0, received + 1)
    within_10 = rng.randrange(0, answered + 1)
    return {
        "received": received,
        "answered": answered,
        "mean_days": round(rng.uniform(1, 30), 1),
        "median_days": round(rng.uniform(1, 30), 1),
        "min_days": 1.0,
        "max_days": 60.0,
        "answered_over_20": rng.randrange(0, answered + 1),
        "answered_within_10": within_10,
        "answered_within_15": within_10,
        "answered_within_20": answered,
    }


def _procedure_figures(rng: random.Random) -> dict[str, Any]:
    handled = rng.randrange(1, 50_000)
    return {
        "mean": round(rng.uniform(1, 20), 1),
        "median": round(rng.uniform(1, 20), 1),
        "minimum": 1.0,
        "maximum": 45.0,
        "handled_late": rng.randrange(0, handled + 1),
        "handled": handled,
    }


SAIP_ONLY = ("answered_within_10", "answered_within_15", "answered_within_20")


def _history(institution: Institution, rng: random.Random) -> None:
    procedures = [
        Procedure(
            institution=institution,
            name=f"Trámite {number + 1}",
            start_milestone="Ingreso de la solicitud",
            end_milestone="Notificación de la resolución",
            expected_time=10.0,
            time_unit=TimeUnit.BUSINESS_DAYS,
        )
        for number in range(PROCEDURES)
    ]
    db.session.add_all(procedures)
    for year in YEARS[:-1]:
        figures = _counts(rng)
        complaints = {k: v for k, v in figures.items() if k not in SAIP_ONLY}
        db.session.add(ComplaintFigures(institution=institution, year=year, **complaints))
        db.session.add(SaipFigures(institution=institution, year=year, **figures))
        for procedure in procedures:
            db.session.add(
                ProcedureFigures(procedure=procedure, year=year, **_procedure_figures(rng))
            )


def _diagnostic(institution: Institution, cycle: Cycle, user: User, rng: random.Random) -> None:
    """A submitted version carrying the reference year (the last of ``YEARS``)."""
    figures = _counts(rng)
    content = {
        "complaints": {k: v for k, v in figures.items() if k not in SAIP_ONLY},
        "saip": figures,
        "procedures": [
            {
                "name": f"trámite {number + 1}",  # matched to the history ignoring case
                "justification": "masividad",
                "other_reason": None,
                "start_milestone": "Ingreso de la solicitud",
                "end_milestone": "Notificación de la resolución",
                "expected_time": 10,
                "time_unit": "dias_habiles",
                **_procedure_figures(rng),
            }
            for number in range(PROCEDURES)
        ],
        "gaps": [
            {
                "dimension": "reclamos",
                "procedure": None,
                "description": "=Brecha en tiempos de respuesta",
                "current_value": "12,4 días",
                "expected_value": "10 días",
                "causes": "Falta de personal en temporada alta.",
                "priority": "alta",
            }
        ],
    }
    document = {
        "kind": "diagnostic",
        "institution": {"code": institution.code, "name": institution.name},
        "cycle": cycle.year,
        "reference_year": cycle.reference_year,
        "content": content,
    }
    text = canonical_json(document)
    submission = Submission(
        institution=institution,
        cycle=cycle,
        kind=SubmissionKind.DIAGNOSTIC,
        state=SubmissionState.SUBMITTED,
        draft={},
    )
    version = SubmissionVersion(
        submission=submission,
        number=1,
        content_json=text,
        content_hash=content_hash(text),
        warnings=[],
        submitted_at=datetime.now(UTC),
        submitted_by=user,
    )
    db.session.add_all([submission, version])


def bare_openpyxl(tables: list[Any]) -> None:
    """The same cells, appended as they are to a bare write-only workbook."""
    workbook = Workbook(write_only=True)
    for table in tables:
        sheet = workbook.create_sheet(table.title)
        sheet.append(list(table.headers))
        for row in table.rows:
            sheet.append(list(row))
    workbook.save(BytesIO())


def main() -> int:
    options = arguments(__doc__.splitlines()[0])
    with migrated_app():
        build(random.Random(2026))
        cycle = db.session.get(Cycle, 1)
        assert cycle is not None
        years = choose_years(cycle)
        tables = consolidated_tables(load_consolidated(cycle, years))
        cells = sum(len(t.headers) * (len(t.rows) + 1) for t in tables)
        timings = paired_ratios(
            lambda: export_consolidated(cycle, BytesIO()),
            lambda: bare_openpyxl(tables),
            options.runs,
        )
    rows = ", ".join(f"{t.title} {len(t.rows)}" for t in tables)
    runs = options.runs
    return report(
        [
            f"data: {INSTITUTIONS} institutions, years {years[0]}-{years[-1]}; rows: {rows}",
            f"cells: {cells}",
            "consolidated export (queries + tables + writer), median of "
            f"{runs}: {timings.app_median * 1000:.0f} ms",
            "bare openpyxl write-only, same cells, median of "
            f"{runs}: {timings.baseline_median * 1000:.0f} ms",
        ],
        f"ratio (median of the {runs} paired ratios)",
        timings.median_ratio,
        TARGET_RATIO,
        strict=options.strict,
    )


if __name__ == "__main__":
    sys.exit(main())
