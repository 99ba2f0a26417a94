"""Reading the indicator history of one institution: the years before a reference year
(for the diagnostic form), and the whole of it as stored (its trends, the API)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, TypeVar

from sqlalchemy import inspect, select
from sqlalchemy.orm import QueryableAttribute, contains_eager, selectinload

from pmg.core.caching import cached, watch_writes
from pmg.core.spreadsheets import comparable
from pmg.cycles.models import Cycle
from pmg.extensions import Model, db
from pmg.indicators.models import (
    ComplaintFigures,
    CycleTargets,
    Procedure,
    ProcedureFigures,
    SaipFigures,
)

# One year's imported figures as plain data (kept between requests): the row's column
# values under the model's attribute names.
Figures = SimpleNamespace


@dataclass
class History:
    """Figures of the years before the reference year, oldest first, by section."""

    years: list[int]
    complaints: dict[int, Figures] = field(default_factory=dict)
    saip: dict[int, Figures] = field(default_factory=dict)
    procedures: dict[str, dict[int, Figures]] = field(default_factory=dict)

    def procedure(self, name: str | None) -> dict[int, Figures]:
        """The figures of the procedure named ``name``, despite case, accents and spaces."""
        return self.procedures.get(comparable(name or ""), {})


# What the history is read from: kept under these tables' stamps, which only imports
# change (pmg.core.caching), not the drafts saved meanwhile.
HISTORY_TABLES = (
    ComplaintFigures.__tablename__,
    SaipFigures.__tablename__,
    Procedure.__tablename__,
    ProcedureFigures.__tablename__,
)
watch_writes(*HISTORY_TABLES)
# What a cycle's targets are read from (with the cycles' years): only imports and the
# cycles' page change them.
TARGET_TABLES = (CycleTargets.__tablename__, Cycle.__tablename__)
watch_writes(*TARGET_TABLES)


def history_before(institution_id: int, reference_year: int, span: int = 3) -> History:
    """The ``span`` years before ``reference_year``: read once (four queries, whatever the
    data), then kept until an import changes the history."""

    def read() -> History:
        return _read_history(institution_id, list(range(reference_year - span, reference_year)))

    vary = (institution_id, reference_year, span)
    return cached("indicators.history", vary, read, tables=HISTORY_TABLES)


def _read_history(institution_id: int, years: list[int]) -> History:
    result = History(
        years=years,
        complaints=_by_year(ComplaintFigures, institution_id, years),
        saip=_by_year(SaipFigures, institution_id, years),
    )
    procedures = db.session.scalars(
        select(Procedure)
        .where(Procedure.institution_id == institution_id)
        .options(selectinload(Procedure.figures))
    )
    for procedure in procedures:
        result.procedures[comparable(procedure.name)] = {
            figures.year: _plain(figures) for figures in procedure.figures if figures.year in years
        }
    return result


def _plain(row: Model) -> Figures:
    return Figures(
        **{column.key: getattr(row, column.key) for column in inspect(row).mapper.column_attrs}
    )


YearlyFigures = TypeVar("YearlyFigures", ComplaintFigures, SaipFigures)


def _by_year(
    model: type[YearlyFigures], institution_id: int, years: list[int]
) -> dict[int, Figures]:
    rows = db.session.scalars(
        select(model).where(model.institution_id == institution_id, model.year.in_(years))
    )
    return {row.year: _plain(row) for row in rows}


@dataclass(frozen=True)
class StoredHistory:
    """An institution's indicator rows as the imports stored them: complaints and SAIP by
    year, its procedures in the order they were imported (each with its figures by year),
    and the targets of each cycle by the cycle's year (with it)."""

    complaints: Sequence[ComplaintFigures] = ()
    saip: Sequence[SaipFigures] = ()
    procedures: Sequence[Procedure] = ()
    targets: Sequence[CycleTargets] = ()


def stored_history(
    institution_id: int, year: int | None = None, *, saip_only: bool = False
) -> StoredHistory:
    """The history of the institution ``institution_id``; with ``year``, only that year's
    figures (every procedure, with that year's figures; the targets of every cycle). With
    ``saip_only``, only SAIP figures and targets. Five queries (two with ``saip_only``),
    whatever the number of years, procedures or cycles."""
    targets = db.session.scalars(
        select(CycleTargets)
        .join(CycleTargets.cycle)
        .where(CycleTargets.institution_id == institution_id)
        .order_by(Cycle.year)
        .options(contains_eager(CycleTargets.cycle))
    ).all()
    saip = _yearly_rows(SaipFigures, institution_id, year)
    if saip_only:
        return StoredHistory(saip=saip, targets=targets)
    figures: QueryableAttribute[Any] = Procedure.figures
    if year is not None:
        figures = figures.and_(ProcedureFigures.year == year)
    procedures = db.session.scalars(
        select(Procedure)
        .where(Procedure.institution_id == institution_id)
        .order_by(Procedure.id)
        .options(selectinload(figures))
        # A filtered collection replaces one this session may hold whole, and back.
        .execution_options(populate_existing=True)
    ).all()
    complaints = _yearly_rows(ComplaintFigures, institution_id, year)
    return StoredHistory(complaints, saip, procedures, targets)


def _yearly_rows(
    model: type[YearlyFigures], institution_id: int, year: int | None
) -> Sequence[YearlyFigures]:
    query = select(model).where(model.institution_id == institution_id).order_by(model.year)
    if year is not None:
        query = query.where(model.year == year)
    return db.session.scalars(query).all()
