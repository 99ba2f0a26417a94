"""The consolidated export's queries at 1,700 institutions, as the database plans them: the
submission versions are never scanned once per row (no sequential scan of them inside a
nested loop on PostgreSQL, once an import's statistics are in; only through an index on
SQLite), and the span of years with history is found in the indexes of the years, without
reading the history's rows."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from sqlalchemy import event, insert, select

from pmg.core.permissions import Role
from pmg.core.statistics import refresh_statistics
from pmg.cycles.models import Cycle
from pmg.exports.workbook.queries import load_consolidated, year_span
from pmg.extensions import db
from pmg.indicators.models import ComplaintFigures, Procedure, ProcedureFigures, SaipFigures
from pmg.institutions.models import FunctionalCategory, Institution, MesuCommitment, Stage
from pmg.submissions.models import (
    Submission,
    SubmissionKind,
    SubmissionState,
    SubmissionVersion,
)
from tests.factories import create_cycle, create_ministry, create_user

INSTITUTIONS = 1700
VERSIONS = "submission_versions"


def _bulk_cycle() -> Cycle:
    """1,700 institutions, each with a diagnostic sent once or twice, written in bulk."""
    cycle = create_cycle(2026)
    ministry = create_ministry()
    author = create_user(Role.COORDINATOR, institutions=[])
    db.session.execute(
        insert(Institution),
        [
            {
                "code": f"{number:05d}",
                "report_code": "",
                "name": f"SERVICIO {number}",
                "search_text": f"servicio {number}",
                "ministry_id": ministry.id,
                "stage": Stage.STAGE_3,
                "mesu": MesuCommitment.NO,
                "category": FunctionalCategory.GENERAL_SERVICES,
                "commits_system": True,
                "active": True,
            }
            for number in range(INSTITUTIONS)
        ],
    )
    ids = db.session.scalars(select(Institution.id).order_by(Institution.id)).all()
    db.session.execute(
        insert(Submission),
        [
            {
                "institution_id": institution_id,
                "cycle_id": cycle.id,
                "kind": SubmissionKind.DIAGNOSTIC,
                "state": SubmissionState.SUBMITTED,
                "draft": {},
                "prefilled": {},
            }
            for institution_id in ids
        ],
    )
    sent = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    submissions = db.session.scalars(select(Submission.id).order_by(Submission.id)).all()
    db.session.execute(
        insert(SubmissionVersion),
        [
            {
                "submission_id": submission_id,
                "number": number,
                "content_json": json.dumps({"kind": "diagnostico", "content": {}}),
                "content_hash": f"{submission_id:064d}",
                "warnings": [],
                "submitted_at": sent,
                "submitted_by_id": author.id,
            }
            for index, submission_id in enumerate(submissions)
            for number in range(1, 2 + (index % 3 == 0))
        ],
    )
    refresh_statistics()  # as an import leaves them
    db.session.commit()
    return cycle


def _statements(run: Callable[[], object], table: str = VERSIONS) -> list[tuple[str, Any]]:
    """The statements that ``run`` runs that read ``table``."""
    seen: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if table in statement:
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    return seen


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _looped_version_scans(plan: dict[str, Any]) -> list[str]:
    """The sequential scans of the versions inside a nested loop of ``plan``."""
    return [
        f"{loop['Node Type']} › {node['Node Type']} on {node['Relation Name']}"
        for loop in _nodes(plan)
        if loop["Node Type"] == "Nested Loop"
        for node in _nodes(loop)
        if node["Node Type"] == "Seq Scan" and node.get("Relation Name") == VERSIONS
    ]


def test_the_export_never_scans_the_versions_once_per_row(app: Flask) -> None:
    cycle = _bulk_cycle()
    statements = _statements(lambda: (load_consolidated(cycle, [2025]), year_span(cycle)))
    assert statements, "the export read no versions"
    connection = db.session.connection()
    for statement, parameters in statements:
        if db.engine.dialect.name == "postgresql":
            explained = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters)
            plan = explained.scalar_one()[0]["Plan"]
            assert _looped_version_scans(plan) == [], statement
        else:
            explained = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            lines = [row[-1] for row in explained]
            scans = [line for line in lines if VERSIONS in line and "USING" not in line]
            assert scans == [], lines


HISTORIES = (ComplaintFigures, SaipFigures)  # by institution; procedures' apart


def test_the_years_with_history_are_found_without_reading_the_history(app: Flask) -> None:
    """Four years of history of 1,700 institutions and of a procedure of each: the smallest
    and largest year of each table come from its index of years (no sequential scan on
    PostgreSQL; a search of the index on SQLite)."""
    cycle = _bulk_cycle()
    ids = db.session.scalars(select(Institution.id)).all()
    years = range(2022, 2026)
    for model in HISTORIES:
        rows = [{"institution_id": id_, "year": year} for id_ in ids for year in years]
        db.session.execute(insert(model), rows)
    db.session.execute(insert(Procedure), [{"institution_id": id_, "name": "T"} for id_ in ids])
    procedures = db.session.scalars(select(Procedure.id)).all()
    db.session.execute(
        insert(ProcedureFigures),
        [{"procedure_id": id_, "year": year} for id_ in procedures for year in years],
    )
    refresh_statistics()
    db.session.commit()
    assert year_span(cycle) == (2022, 2025)
    connection = db.session.connection()
    for table in (model.__tablename__ for model in (*HISTORIES, ProcedureFigures)):
        [(statement, parameters)] = _statements(lambda: year_span(cycle), table)
        if db.engine.dialect.name == "postgresql":
            explained = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters)
            nodes = list(_nodes(explained.scalar_one()[0]["Plan"]))
            read = [node["Index Name"] for node in nodes if node.get("Relation Name") == table]
            assert read == [f"ix_{table}_year"] * 2, nodes
        else:
            explained = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            lines = [row[-1] for row in explained if f" {table} " in f"{row[-1]} "]
            assert lines and all(f"INDEX ix_{table}_year" in line for line in lines), lines
