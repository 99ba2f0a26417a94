"""Derived percentages of the indicators, computed one way for forms, PDFs and exports.

Each function takes the reported figures (a mapping or an object with the field
names of :mod:`pmg.indicators.models`) and returns ``{name: Decimal | None}``;
``None`` is what the official files write as ``-``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pmg.core.numbers import percent

Derived = dict[str, Decimal | None]


def _get(figures: Any, name: str) -> Any:
    if isinstance(figures, Mapping):
        return figures.get(name)
    return getattr(figures, name, None)


def complaint_percentages(figures: Any) -> Derived:
    answered = _get(figures, "answered")
    return {
        "answered_pct": percent(answered, _get(figures, "received")),
        "answered_over_20_pct": percent(_get(figures, "answered_over_20"), answered),
    }


SAIP_BANDS = ("answered_within_10", "answered_within_15", "answered_within_20", "answered_over_20")


def saip_percentages(figures: Any) -> Derived:
    answered = _get(figures, "answered")
    derived: Derived = {"answered_pct": percent(answered, _get(figures, "received"))}
    for band in SAIP_BANDS:
        derived[f"{band}_pct"] = percent(_get(figures, band), answered)
    return derived


def procedure_percentages(figures: Any) -> Derived:
    """Share of transactions handled within the expected time."""
    handled, late = _get(figures, "handled"), _get(figures, "handled_late")
    on_time = handled - late if handled is not None and late is not None else None
    return {"on_time_pct": percent(on_time, handled)}


DERIVED_LABELS: dict[str, dict[str, str]] = {
    "complaints": {
        "answered_pct": "% respondidos",
        "answered_over_20_pct": "% respondidos en más de 20 días hábiles",
    },
    "saip": {
        "answered_pct": "% respondidas",
        "answered_within_10_pct": "% respondidas en 10 días hábiles o menos",
        "answered_within_15_pct": "% respondidas en 15 días hábiles o menos",
        "answered_within_20_pct": "% respondidas en 20 días hábiles o menos",
        "answered_over_20_pct": "% respondidas en más de 20 días hábiles",
    },
    "procedures": {"on_time_pct": "% gestionadas dentro del plazo esperado"},
}


def derived_label(section: str, name: str) -> str:
    """The Spanish label of derived figure ``name`` of ``section`` (the noun's gender varies)."""
    return DERIVED_LABELS.get(section, {}).get(name, name)
