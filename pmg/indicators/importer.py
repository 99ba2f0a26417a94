"""The import of the official consolidated indicators (reclamos, SAIP or trámites).

All or nothing: the whole file is read and checked (:mod:`pmg.indicators.reading`)
before the database is touched; then every usable row is saved and flushed, never
committed — the route or CLI command commits, or rolls back on any error.

Rows are keyed, so importing the same file twice changes nothing: figures by
(institution, year) or (procedure, year), procedures by (institution, name) and
targets by (institution, cycle). Every year of every row is stored, reported or
not, with its texts and how it wrote what it did not report, so the consolidated
export gives the file back; derived percentages in the file are not stored. A
row's ``codigo_reporte`` becomes its institution's report code (a blank one leaves
it as it was). Each row counts once: created if anything new was created for it,
else updated if anything changed, else unchanged.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from pmg.audit.actions import AuditAction
from pmg.audit.operations import record
from pmg.core.errors import Conflict, DomainError
from pmg.core.imports import ImportResult
from pmg.core.models import changed_fields
from pmg.core.permissions import Actor
from pmg.core.spreadsheets import comparable
from pmg.core.statistics import refresh_statistics
from pmg.cycles.models import Cycle, WindowKind
from pmg.cycles.operations import MAX_YEAR, MIN_YEAR, Windows, create_cycle
from pmg.extensions import db
from pmg.indicators.layouts import Layout
from pmg.indicators.models import (
    UNREPORTED,
    ComplaintFigures,
    CycleTargets,
    Procedure,
    ProcedureFigures,
    SaipFigures,
)
from pmg.indicators.reading import IndicatorRow, read_indicators
from pmg.institutions.models import Institution


@dataclass
class IndicatorImportResult(ImportResult):
    layout: Layout | None = None
    years: list[int] = field(default_factory=list)
    cycle_year: int | None = None  # the cycle that holds the targets, when there is one
    cycle_created: bool = False

    @property
    def description(self) -> str:
        """What was read, in a sentence: layout, years and the targets' cycle."""
        if self.layout is None:
            return ""
        years = ", ".join(str(year) for year in self.years)
        text = f"Consolidado de {self.layout.label}, años {years}."
        if self.cycle_year is not None:
            text += f" Metas del ciclo {self.cycle_year}"
            text += " (ciclo creado con plazos por omisión)." if self.cycle_created else "."
        return text


class Outcome(enum.Enum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


def import_indicators(
    data: bytes, *, cycle_year: int | None = None, actor: Actor | None = None
) -> IndicatorImportResult:
    """Create or update the figures (and targets) in the workbook ``data``; flush, no commit.

    Targets (``plan_*_meta``) go to the cycle ``cycle_year``, by default the year after
    the file's latest year; the cycle is created if it does not exist. The audit trail
    names the file by its SHA-256 and keeps what was read and the counts.
    """
    if cycle_year is not None and not MIN_YEAR <= cycle_year <= MAX_YEAR:
        raise DomainError(f"El año del ciclo debe estar entre {MIN_YEAR} y {MAX_YEAR}.")
    institutions = {i.code: i for i in db.session.scalars(select(Institution))}
    parsed = read_indicators(data, known_codes=institutions.keys())
    result = IndicatorImportResult(layout=parsed.layout, years=parsed.years, skipped=parsed.skipped)
    cycle = None
    if parsed.layout.targets:
        year = cycle_year if cycle_year is not None else max(parsed.years) + 1
        cycle, result.cycle_created = _targets_cycle(year, parsed.rows, actor)
        result.cycle_year = cycle.year if cycle else None
    saver = _Saver(parsed.layout, parsed.years, cycle)
    for row in parsed.rows:
        outcome = saver.save(row, institutions[row.code])
        setattr(result, outcome.value, getattr(result, outcome.value) + 1)
    try:
        db.session.flush()
    except IntegrityError as clash:
        raise Conflict(
            "Otra persona modificó estos indicadores mientras se importaban. Intente de nuevo."
        ) from clash
    refresh_statistics(ComplaintFigures, SaipFigures, Procedure, ProcedureFigures, CycleTargets)
    record(
        AuditAction.INDICATORS_IMPORT,
        object_type="ImportedFile",
        object_id=hashlib.sha256(data).hexdigest(),
        actor=actor,
        after={
            "layout": parsed.layout.name,
            "years": parsed.years,
            "cycle_year": result.cycle_year,
            "cycle_created": result.cycle_created,
            **result.counts(),
        },
    )
    return result


def default_windows(year: int) -> Windows:
    """Windows for a cycle created by an import, inside its year; an admin adjusts them."""
    return {
        WindowKind.DIAGNOSTIC: (date(year, 3, 1), date(year, 4, 30)),
        WindowKind.PLAN: (date(year, 5, 1), date(year, 6, 30)),
        WindowKind.REVIEW: (date(year, 7, 1), date(year, 9, 30)),
        WindowKind.CORRECTION: (date(year, 10, 1), date(year, 10, 31)),
        WindowKind.CLOSE: (date(year, 11, 1), date(year, 12, 31)),
    }


def _targets_cycle(
    year: int, rows: list[IndicatorRow], actor: Actor | None
) -> tuple[Cycle | None, bool]:
    """The cycle of ``year``, created only if it is missing and some row has targets."""
    cycle = db.session.scalar(select(Cycle).where(Cycle.year == year))
    if cycle is not None:
        return cycle, False
    if not any(_reported(row.targets) for row in rows):
        return None, False
    windows = default_windows(year)
    return create_cycle(year, reference_year=year - 1, windows=windows, actor=actor), True


def _reported(values: dict[str, Any]) -> bool:
    return any(value is not None for name, value in values.items() if name != UNREPORTED)


class _Saver:
    """Saves rows of one layout, with the existing objects loaded once."""

    def __init__(self, layout: Layout, years: list[int], cycle: Cycle | None) -> None:
        self.layout = layout
        self.cycle = cycle
        model = layout.figures_model
        found = db.session.scalars(select(model).where(model.year.in_(years)))
        owner = "procedure_id" if layout.per_procedure else "institution_id"
        self.figures: dict[tuple[int, int], Any] = {
            (getattr(figures, owner), figures.year): figures for figures in found
        }
        self.targets: dict[int, CycleTargets] = {}
        if cycle is not None:
            query = select(CycleTargets).where(CycleTargets.cycle_id == cycle.id)
            self.targets = {t.institution_id: t for t in db.session.scalars(query)}
        self.procedures = _procedures_by_name() if layout.per_procedure else {}

    def save(self, row: IndicatorRow, institution: Institution) -> Outcome:
        if self.layout.per_procedure:
            outcomes = self._save_procedure(row, institution)
        else:
            outcomes = [
                self._save_figures(institution.id, year, values, owner="institution_id")
                for year, values in row.years.items()
            ]
        if row.report_code:
            outcomes.append(_outcome_of_update(institution, {"report_code": row.report_code}))
        if self.cycle is not None:
            outcomes.append(self._save_targets(self.cycle, institution, row.targets))
        if Outcome.CREATED in outcomes:
            return Outcome.CREATED
        return Outcome.UPDATED if Outcome.UPDATED in outcomes else Outcome.UNCHANGED

    def _save_procedure(self, row: IndicatorRow, institution: Institution) -> list[Outcome]:
        name = row.procedure["name"]
        procedure = self.procedures.get((institution.id, name)) or self.procedures.get(
            (institution.id, comparable(name))
        )
        if procedure is None:
            procedure = Procedure(institution_id=institution.id, **row.procedure)
            db.session.add(procedure)
            for year, values in row.years.items():
                procedure.figures.append(ProcedureFigures(year=year, **values))
            return [Outcome.CREATED]
        outcomes = [_outcome_of_update(procedure, row.procedure)]
        for year, values in row.years.items():
            outcomes.append(self._save_figures(procedure.id, year, values, owner="procedure_id"))
        return outcomes

    def _save_figures(
        self, owner_id: int, year: int, values: dict[str, Any], *, owner: str
    ) -> Outcome:
        figures = self.figures.get((owner_id, year))
        if figures is not None:
            return _outcome_of_update(figures, values)
        db.session.add(self.layout.figures_model(**{owner: owner_id}, year=year, **values))
        return Outcome.CREATED

    def _save_targets(
        self, cycle: Cycle, institution: Institution, values: dict[str, Any]
    ) -> Outcome:
        targets = self.targets.get(institution.id)
        if targets is not None:
            return _outcome_of_update(targets, values)
        db.session.add(CycleTargets(institution_id=institution.id, cycle_id=cycle.id, **values))
        return Outcome.CREATED


def _procedures_by_name() -> dict[tuple[int, str], Procedure]:
    """Every procedure under (institution id, exact name) and (institution id, folded name).

    A file's name finds its procedure exactly, or else despite case, accents and spaces.
    """
    by_name: dict[tuple[int, str], Procedure] = {}
    for procedure in db.session.scalars(select(Procedure).order_by(Procedure.id)):
        by_name[(procedure.institution_id, procedure.name)] = procedure
        by_name.setdefault((procedure.institution_id, comparable(procedure.name)), procedure)
    return by_name


def _outcome_of_update(obj: Any, values: dict[str, Any]) -> Outcome:
    return Outcome.UPDATED if changed_fields(obj, values) else Outcome.UNCHANGED
