"""Reading back what an import stored."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from pmg.extensions import db
from pmg.indicators.models import ComplaintFigures
from pmg.institutions.models import Institution

FIGURES = ("received", "answered", "mean_days", "median_days", "min_days", "max_days")


def count(model: type[Any]) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def complaint_figures(code: str, year: int) -> ComplaintFigures:
    figures = db.session.scalar(
        select(ComplaintFigures)
        .join(ComplaintFigures.institution)
        .where(Institution.code == code, ComplaintFigures.year == year)
    )
    assert figures is not None
    return figures


def values(obj: Any, names: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(getattr(obj, name) for name in names)
