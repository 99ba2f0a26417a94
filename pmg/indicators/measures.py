"""The indicators that the charts, the peer comparisons and the suggested gaps follow over
the years: one definition each, with its label, its unit, which way is better, and the plan
target (:class:`pmg.indicators.models.CycleTargets`) that applies to it.

A measure reads its value from a row of the history (or anything with the same field
names: a diagnostic's section, see :mod:`pmg.indicators.figures`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

from pmg.indicators.figures import Derived, complaint_percentages, saip_percentages

PERCENT = "%"
BUSINESS_DAYS = "días hábiles"
COMPLAINTS, SAIP = "complaints", "saip"
# Ley 20.285: a transparency request is answered within 20 business days.
SAIP_LEGAL_DAYS = 20


class Better(Enum):
    HIGHER = "higher"
    LOWER = "lower"


@dataclass(frozen=True)
class Measure:
    key: str
    # The diagnostic section (and history table) it comes from.
    section: str
    # The figure's field name, or the derived percentage's name.
    name: str
    label: str
    unit: str
    better: Better
    # The attribute of CycleTargets that holds its plan target, if the plan sets one.
    target: str | None = None

    def of(self, figures: Any, derived: Derived | None = None) -> float | None:
        """Its value in ``figures`` (a history row or a section's mapping); ``None`` where
        not reported or not computable. ``derived``: the section's percentages of
        ``figures`` (:func:`derived_of`), for a caller reading several measures of one row."""
        if derived is None:
            derived = derived_of(self.section, figures)
        value: Any
        if self.name in derived:
            value = derived[self.name]
        elif isinstance(figures, dict):
            value = figures.get(self.name)
        else:
            value = getattr(figures, self.name, None)
        return float(value) if isinstance(value, int | float | Decimal) else None

    def worse(self, value: float, than: float) -> bool:
        """Whether ``value`` is strictly worse than ``than`` for this measure."""
        return value < than if self.better is Better.HIGHER else value > than


_DERIVED: dict[str, Callable[[Any], Derived]] = {
    COMPLAINTS: complaint_percentages,
    SAIP: saip_percentages,
}


def derived_of(section: str, figures: Any) -> Derived:
    """The derived percentages of ``section`` (complaints or SAIP) in ``figures``."""
    return _DERIVED[section](figures)

MEASURES: tuple[Measure, ...] = (
    Measure(
        "reclamos_respondidos",
        COMPLAINTS,
        "answered_pct",
        "Reclamos respondidos",
        PERCENT,
        Better.HIGHER,
        "complaints_answered_pct",
    ),
    Measure(
        "reclamos_fuera_de_plazo",
        COMPLAINTS,
        "answered_over_20_pct",
        "Reclamos respondidos en más de 20 días hábiles",
        PERCENT,
        Better.LOWER,
        "complaints_late_pct",
    ),
    Measure(
        "reclamos_tiempo_promedio",
        COMPLAINTS,
        "mean_days",
        "Tiempo promedio de respuesta de reclamos",
        BUSINESS_DAYS,
        Better.LOWER,
        "complaints_mean_days",
    ),
    Measure(
        "saip_respondidas",
        SAIP,
        "answered_pct",
        "SAIP respondidas",
        PERCENT,
        Better.HIGHER,
        "saip_answered_pct",
    ),
    Measure(
        "saip_en_10_dias",
        SAIP,
        "answered_within_10_pct",
        "SAIP respondidas en 10 días hábiles o menos",
        PERCENT,
        Better.HIGHER,
    ),
    Measure(
        "saip_en_15_dias",
        SAIP,
        "answered_within_15_pct",
        "SAIP respondidas en 15 días hábiles o menos",
        PERCENT,
        Better.HIGHER,
    ),
    Measure(
        "saip_en_20_dias",
        SAIP,
        "answered_within_20_pct",
        "SAIP respondidas en 20 días hábiles o menos",
        PERCENT,
        Better.HIGHER,
    ),
    Measure(
        "saip_fuera_de_plazo",
        SAIP,
        "answered_over_20_pct",
        "SAIP respondidas en más de 20 días hábiles",
        PERCENT,
        Better.LOWER,
        "saip_late_pct",
    ),
    Measure(
        "saip_tiempo_promedio",
        SAIP,
        "mean_days",
        "Tiempo promedio de respuesta de SAIP",
        BUSINESS_DAYS,
        Better.LOWER,
        "saip_mean_days",
    ),
)

BY_KEY: dict[str, Measure] = {measure.key: measure for measure in MEASURES}
