"""Loading what the consolidated workbook needs, in a constant number of queries.

Twelve queries whatever the number of institutions, procedures or years: one per
table (institutions with their ministry, complaints, SAIP, procedures, procedure
figures, targets), one per kind of submission (diagnostics, plans) with their
latest versions, and four for the ``revision`` sheet (submissions with their
versions and latest review, its verdicts, observation counts: see
:mod:`pmg.exports.workbook.review_queries`; the cycle's requirement codes); one more
finds the span of years with data when none is given (:func:`year_span`). Only columns
are selected (of a version, its number, date, hash and content as text, decoded here),
and become the plain records of :mod:`pmg.exports.workbook.records` here, so nothing
downstream can trigger a lazy load. The history's figures, by far the most rows, are read
as plain rows (no ORM work per row), with how the file wrote what it did not report as
JSON text decoded only where there is any (:func:`_named`); a procedure's year without
any is kept as its values.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Text, and_, exists, func, select
from sqlalchemy.orm import aliased

from pmg.cycles.models import Cycle
from pmg.exports.workbook.records import (
    ConsolidatedData,
    Figures,
    FigureValues,
    InstitutionRecord,
    ProcedureRecord,
    SubmissionRecord,
    member,
)
from pmg.exports.workbook.review_queries import load_reviews
from pmg.extensions import db
from pmg.indicators.layouts import COMPLAINTS, PROCEDURES, SAIP, Layout
from pmg.indicators.models import (
    UNREPORTED,
    ComplaintFigures,
    CycleTargets,
    Justification,
    Procedure,
    ProcedureFigures,
    SaipFigures,
    TimeUnit,
)
from pmg.institutions.models import Institution, Ministry
from pmg.requirements.models import Requirement, RequirementCatalog
from pmg.submissions.models import (
    Submission,
    SubmissionKind,
    SubmissionState,
    SubmissionVersion,
    version_document,
)
from pmg.submissions.queries import joined_to_latest_version

# A procedure's columns, in the order of its record's fields (it is made from them as read):
# its own columns of the trámites layout (name, justification, milestones…), the file's
# wording of its choices and how it wrote what it did not report.
PROCEDURE_FIELDS = tuple(field.name for field in fields(ProcedureRecord) if field.name != "figures")
# The parts of a version's document the workbook reads (SubmissionRecord.section, .evidence).
READ_PARTS = ("content", "evidence")
TARGET_ATTRIBUTES = (
    *(column.attribute for layout in (COMPLAINTS, SAIP) for column in layout.targets),
    UNREPORTED,
)


def _columns(model: Any, names: tuple[str, ...]) -> list[Any]:
    """The columns ``names`` of ``model``; ``unreported_as`` as its JSON text, ``NULL`` for
    JSON ``null`` (what nearly every row holds): :func:`_described` decodes the others, far
    faster than the driver decodes a JSON column row by row."""
    return [
        func.nullif(getattr(model, name).cast(Text), "null")
        if name == UNREPORTED
        else getattr(model, name)
        for name in names
    ]


def _plain_rows(query: Select[Any]) -> Sequence[tuple[Any, ...]]:
    """The rows of ``query`` as the driver gives them, fetched at once from the result's
    DBAPI cursor: plain tuples, without a Row or a result processor per value (a third
    faster to slice than a Row, too). The procedures' figures (13,280 rows at 166
    institutions) take 22 ms this way, 33 ms as Rows.

    Only for columns the driver already reads as the workbook needs them: numbers, text,
    and a boolean as its truth (SQLite gives 0 or 1). A choice comes as its stored value
    (:func:`_procedures` makes it the enum member).
    """
    result = db.session.connection().execute(query)
    try:
        return result.cursor.fetchall()  # tuples: the connection has no row factory
    finally:
        result.close()


def _described(
    query: Select[Any], keys: int, names: tuple[str, ...]
) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Each row of ``query`` (``keys`` columns, then the :func:`_columns` ``names``) whole,
    and a dict of ``names`` (:func:`_named`)."""
    for row in _plain_rows(query):
        yield row, _named(names, row[keys:])


def _named(names: tuple[str, ...], values: Sequence[Any]) -> dict[str, Any]:
    """``values`` by their ``names``, ``unreported_as`` decoded."""
    described = dict(zip(names, values, strict=True))
    if described[UNREPORTED] is not None:
        described[UNREPORTED] = json.loads(described[UNREPORTED])
    return described


def load_consolidated(cycle: Cycle, years: Iterable[int]) -> ConsolidatedData:
    chosen = tuple(sorted(set(years)))
    return ConsolidatedData(
        cycle_year=cycle.year,
        reference_year=cycle.reference_year,
        years=chosen,
        institutions=_institutions(),
        complaints=_figures_by_institution(COMPLAINTS, chosen),
        saip=_figures_by_institution(SAIP, chosen),
        procedures=_procedures(chosen),
        targets=_targets(cycle),
        diagnostics=_latest_versions(cycle, SubmissionKind.DIAGNOSTIC),
        plans=_latest_versions(cycle, SubmissionKind.PLAN),
        reviews=load_reviews(cycle),
        requirement_codes=requirement_codes(cycle),
    )


def year_span(cycle: Cycle) -> tuple[int, int] | None:
    """The first and last year up to the cycle's reference year with history, or with a
    submitted diagnostic (the reference year); ``None`` when there is none.

    One statement of a smallest and a largest year per history table, each an index lookup
    (the tables' ``year`` index): it reads no rows, whatever the size of the history.
    """
    # From the cycle's diagnostics (its index), each looked up in the versions (theirs).
    submitted = select(Submission.id).where(
        Submission.cycle_id == cycle.id,
        Submission.kind == SubmissionKind.DIAGNOSTIC,
        Submission.versions.any(),
    )
    # Scalar subqueries of one aggregate each: SQLite takes a min() or max() from an index
    # only when it is the query's one aggregate.
    found = (
        select(aggregate(model.year)).where(model.year <= cycle.reference_year).scalar_subquery()
        for aggregate in (func.min, func.max)
        for model in (ComplaintFigures, SaipFigures, ProcedureFigures)
    )
    *bounds, diagnostic = db.session.execute(select(*found, exists(submitted))).one()
    years: list[int] = [year for year in bounds if year is not None]
    if diagnostic:
        years.append(cycle.reference_year)
    return (min(years), max(years)) if years else None


def code_order(code: str) -> tuple[Any, ...]:
    """Codes in natural order: ``201`` < ``1306`` < ``3101_61`` < ``3101_62``."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.findall(r"\d+|\D+", code)
    )


def _institutions() -> list[InstitutionRecord]:
    query = select(
        Institution.id,
        Institution.code,
        Institution.report_code,
        Institution.name,
        Ministry.name.label("ministry"),
        Institution.stage,
        Institution.mesu,
        Institution.category,
        Institution.commits_system,
        Institution.active,
    ).join(Institution.ministry)
    records = [InstitutionRecord(**row._asdict()) for row in db.session.execute(query)]
    return sorted(records, key=lambda record: code_order(record.code))


def _attributes(layout: Layout) -> tuple[str, ...]:
    """The figures of ``layout``'s rows, with how the file wrote those it did not report."""
    return (*(column.attribute for column in layout.figures), UNREPORTED)


def _figures_by_institution(
    layout: Layout, years: tuple[int, ...]
) -> dict[int, dict[int, Figures]]:
    model, names = layout.figures_model, _attributes(layout)
    query = select(model.institution_id, model.year, *_columns(model, names)).where(
        model.year.in_(years)
    )
    found: dict[int, dict[int, Figures]] = defaultdict(dict)
    for (institution_id, year, *_), figures in _described(query, 2, names):
        found[institution_id][year] = figures
    return dict(found)


def _procedures(years: tuple[int, ...]) -> dict[int, list[ProcedureRecord]]:
    """Every procedure; figures of ``years`` only, or none if it has figures in no year.

    A year the file wrote nothing of in its own way is kept as its values (in the
    order of the layout's figures: :data:`FigureValues`), as read: a procedure has a
    row per year, by far the most rows an export reads.
    """
    names = _attributes(PROCEDURES)
    figures_query = select(
        ProcedureFigures.procedure_id, ProcedureFigures.year, *_columns(ProcedureFigures, names)
    ).where(ProcedureFigures.year.in_(years))
    by_procedure: dict[int, dict[int, Figures | FigureValues]] = defaultdict(dict)
    for row in _plain_rows(figures_query):
        procedure_id, year, values = row[0], row[1], row[2:]
        by_procedure[procedure_id][year] = (
            values[:-1] if values[-1] is None else _named(names, values)
        )
    other = aliased(ProcedureFigures)
    has_figures = exists(select(other.id).where(other.procedure_id == Procedure.id))
    query = select(
        Procedure.id,
        Procedure.institution_id,
        has_figures,
        *_columns(Procedure, PROCEDURE_FIELDS),
    ).order_by(Procedure.institution_id, Procedure.name)
    found: dict[int, list[ProcedureRecord]] = defaultdict(list)
    for row in _plain_rows(query):
        procedure_id, institution_id, any_figures = row[:3]
        in_years = by_procedure.get(procedure_id, {})
        if any_figures and not in_years:
            continue  # figures only in other years
        own = row[3:] if row[-1] is None else (*row[3:-1], json.loads(row[-1]))
        record = ProcedureRecord(*own, figures=in_years)  # type: ignore[misc]  # PROCEDURE_FIELDS
        # Its choices come as their stored values (_plain_rows).
        record.justification = member(Justification, record.justification)
        record.time_unit = member(TimeUnit, record.time_unit)
        found[institution_id].append(record)
    return dict(found)


def _targets(cycle: Cycle) -> dict[int, Figures]:
    columns = _columns(CycleTargets, TARGET_ATTRIBUTES)
    query = select(CycleTargets.institution_id, *columns).where(CycleTargets.cycle_id == cycle.id)
    return {
        institution_id: targets
        for (institution_id, *_), targets in _described(query, 1, TARGET_ATTRIBUTES)
    }


def _latest_versions(cycle: Cycle, kind: SubmissionKind) -> dict[int, SubmissionRecord]:
    """Each institution's submission of ``kind`` in ``cycle`` with its latest version."""
    in_cycle = and_(Submission.cycle_id == cycle.id, Submission.kind == kind)
    columns = select(
        Submission.institution_id,
        Submission.state,
        SubmissionVersion.number,
        SubmissionVersion.submitted_at,
        SubmissionVersion.content_hash,
        SubmissionVersion.content_json,
    )
    query = joined_to_latest_version(columns, in_cycle, outer=True).where(in_cycle)
    found: dict[int, SubmissionRecord] = {}
    rows = cast(  # the version is outer-joined: its columns are None when there is none
        "Iterable[tuple[int, SubmissionState, int | None, datetime, str, str]]",
        db.session.execute(query),
    )
    for institution_id, state, number, submitted_at, digest, text in rows:
        if number is None:
            found[institution_id] = SubmissionRecord(state=state)
            continue
        found[institution_id] = SubmissionRecord(
            state=state,
            number=number,
            submitted_at=submitted_at,
            content_hash=digest,
            document=_read_parts(version_document(text)),
        )
    return found


def _read_parts(document: dict[str, Any]) -> dict[str, Any]:
    """What of a version's document the workbook reads (:data:`READ_PARTS`); the rest, such
    as what the form was pre-filled with (as long as the content again), is let go as it
    is read, and its memory serves the next version's."""
    return {part: document[part] for part in READ_PARTS if part in document}


def requirement_codes(cycle: Cycle) -> tuple[str, ...]:
    """Every requirement code of the cycle's catalogs, in natural order."""
    query = (
        select(Requirement.code)
        .join(Requirement.catalog)
        .where(RequirementCatalog.cycle_id == cycle.id)
        .distinct()
    )
    return tuple(sorted(db.session.scalars(query), key=code_order))
