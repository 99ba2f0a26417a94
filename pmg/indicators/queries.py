"""Reading the indicator history of one institution (for the diagnostic form)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from pmg.core.spreadsheets import comparable
from pmg.extensions import db
from pmg.indicators.models import ComplaintFigures, Procedure, ProcedureFigures, SaipFigures


@dataclass
class History:
    """Figures of the years before the reference year, oldest first, by section."""

    years: list[int]
    complaints: dict[int, ComplaintFigures] = field(default_factory=dict)
    saip: dict[int, SaipFigures] = field(default_factory=dict)
    procedures: dict[str, dict[int, ProcedureFigures]] = field(default_factory=dict)

    def procedure(self, name: str | None) -> dict[int, ProcedureFigures]:
        """The figures of the procedure named ``name``, despite case, accents and spaces."""
        return self.procedures.get(comparable(name or ""), {})


def history_before(institution_id: int, reference_year: int, span: int = 3) -> History:
    """The ``span`` years before ``reference_year`` (three queries, whatever the data)."""
    years = list(range(reference_year - span, reference_year))
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
            figures.year: figures for figures in procedure.figures if figures.year in years
        }
    return result


YearlyFigures = TypeVar("YearlyFigures", ComplaintFigures, SaipFigures)


def _by_year(
    model: type[YearlyFigures], institution_id: int, years: list[int]
) -> dict[int, YearlyFigures]:
    rows = db.session.scalars(
        select(model).where(model.institution_id == institution_id, model.year.in_(years))
    )
    return {row.year: row for row in rows}
