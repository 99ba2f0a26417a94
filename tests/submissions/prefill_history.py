"""Indicator history as the import of the official consolidated files stores it.

The SAIP and procedure figures are those that :func:`tests.factories.diagnostic_draft` types.
"""

from __future__ import annotations

from typing import Any

from pmg.cycles.models import Cycle
from pmg.extensions import db
from pmg.indicators.models import (
    ComplaintFigures,
    CycleTargets,
    Justification,
    Procedure,
    ProcedureFigures,
    SaipFigures,
    TimeUnit,
)
from pmg.institutions.models import Institution

COMPLAINTS = {
    "received": 1250,
    "answered": 1200,
    "mean_days": 7.5,
    "median_days": 7.0,
    "min_days": 0.25,
    "max_days": 1250.0,
    "answered_over_20": None,
}
SAIP = {
    "received": 16,
    "answered": 16,
    "mean_days": 12.4,
    "median_days": 11.0,
    "min_days": 2.0,
    "max_days": 25.0,
    "answered_within_10": 5,
    "answered_within_15": 9,
    "answered_within_20": 14,
    "answered_over_20": 2,
}
PROCEDURE_FIGURES = {
    "mean": 9.2,
    "median": 8.0,
    "minimum": 1.0,
    "maximum": 30.0,
    "handled_late": 120,
    "handled": 4500,
}


def add_figures(institution: Institution, year: int, **changes: Any) -> None:
    """Complaints and SAIP figures of ``year`` (``COMPLAINTS`` and ``SAIP`` with ``changes``)."""
    for model, figures in ((ComplaintFigures, COMPLAINTS), (SaipFigures, SAIP)):
        values = figures | {name: value for name, value in changes.items() if name in figures}
        db.session.add(model(institution=institution, year=year, **values))
    db.session.commit()


def add_procedure(
    institution: Institution, name: str, years: dict[int, dict[str, Any]], **texts: Any
) -> Procedure:
    """A procedure with a figures row for each of ``years``."""
    procedure = Procedure(
        institution=institution,
        name=name,
        justification=texts.pop("justification", Justification.VOLUME),
        other_reason=texts.pop("other_reason", ""),
        start_milestone=texts.pop("start_milestone", "Ingreso de la solicitud"),
        end_milestone=texts.pop("end_milestone", "Notificación de la resolución"),
        expected_time=texts.pop("expected_time", 10.0),
        time_unit=texts.pop("time_unit", TimeUnit.BUSINESS_DAYS),
        figures=[ProcedureFigures(year=year, **values) for year, values in years.items()],
        **texts,
    )
    db.session.add(procedure)
    db.session.commit()
    return procedure


def add_targets(institution: Institution, cycle: Cycle, **values: Any) -> CycleTargets:
    targets = CycleTargets(institution=institution, cycle=cycle, **values)
    db.session.add(targets)
    db.session.commit()
    return targets
