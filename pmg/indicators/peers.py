"""API: year_values(year) -> {key: {id: value}}; place_among(measure, value, peers) -> Placement;
PeerValues.of({id: value}), place_in_order(measure, value, values in order): a group placed often.

Where an institution stands among its peers (its ministry, its stage, every institution) on
one measure of :mod:`pmg.indicators.measures` in one year. The rules are plain functions;
only :func:`year_values` reads the database; :func:`values_of` gives the measures of one
section's figures (a history row, a diagnostic's section).

**Quartiles.** With at least :data:`MIN_PEERS` values, the three cuts are the quartiles of
the peers' values (``statistics.quantiles``, its default ``exclusive`` method: interpolated,
the middle one is the median), taken from the best: for a measure where higher is better the
first cut is the upper quartile. The quartile of a value is 1 plus the number of cuts it is
strictly worse than, so a value on a cut belongs to the better side, and peers that all
report the same value are all in the first quartile. The *worst quarter* is the fourth
quartile: strictly worse than the last cut (:attr:`Placement.worst_cut`). It holds at most a
quarter of the peers: of ``n`` different values, the ``n // 4`` worst (1 of 4 to 7, 2 of 8,
3 of 12); tied values can only make it fewer.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import median, quantiles
from typing import Any

from sqlalchemy import select

from pmg.extensions import db
from pmg.indicators.measures import COMPLAINTS, MEASURES, SAIP, Better, Measure, derived_of
from pmg.indicators.models import ComplaintFigures, SaipFigures, YearlyResponseFigures

# Fewer values than this give a rank and a median, but no quartile.
MIN_PEERS = 4

# The figures each section's measures read (reported ones; percentages are derived).
SECTION_FIGURES: dict[str, tuple[str, ...]] = {
    COMPLAINTS: ("received", "answered", "mean_days", "answered_over_20"),
    SAIP: (
        "received",
        "answered",
        "mean_days",
        "answered_within_10",
        "answered_within_15",
        "answered_within_20",
        "answered_over_20",
    ),
}
_HISTORY: dict[str, type[YearlyResponseFigures]] = {
    COMPLAINTS: ComplaintFigures,
    SAIP: SaipFigures,
}


@dataclass(frozen=True)
class Placement:
    """One institution's place among its peers on one measure (module docstring: quartiles).

    ``count`` is the number of peers with a value, the institution among them; ``rank`` is 1
    for the best, and tied values share the better rank (10, 12, 12, 15 rank 1, 2, 2, 4).
    ``quartile`` (1 = best … 4), ``worst_cut`` and ``worst_quarter`` need
    :data:`MIN_PEERS` values: with fewer, ``None``, ``None`` and ``False``.
    """

    value: float
    rank: int
    count: int
    median: float
    quartile: int | None
    worst_cut: float | None
    worst_quarter: bool


def place_among(measure: Measure, value: float, peers: Sequence[float | None]) -> Placement:
    """Where ``value`` stands among ``peers``: the values of the whole group, the
    institution's own among them (``None``: a peer that reported nothing, left out).

    Raises ``ValueError`` if ``value`` is not among ``peers``.
    """
    return place_in_order(measure, value, sorted(peer for peer in peers if peer is not None))


def place_in_order(measure: Measure, value: float, present: Sequence[float]) -> Placement:
    """:func:`place_among` for the group's values already sorted, none missing: no step
    goes through them one by one in Python (:class:`PeerValues` keeps them so)."""
    at = bisect_left(present, value)
    if at == len(present) or present[at] != value:
        raise ValueError(f"{value} is not among the peers' values")
    # The peers strictly better: below the value where lower is better, above it otherwise.
    better = len(present) - bisect_right(present, value) if measure.better is Better.HIGHER else at
    quartile = worst_cut = None
    if len(present) >= MIN_PEERS:
        cuts = quantiles(present, n=4)
        from_best = cuts[::-1] if measure.better is Better.HIGHER else cuts
        quartile = 1 + sum(1 for cut in from_best if measure.worse(value, cut))
        worst_cut = from_best[-1]
    return Placement(
        value=value,
        rank=1 + better,
        count=len(present),
        median=median(present),
        quartile=quartile,
        worst_cut=worst_cut,
        worst_quarter=quartile == 4,
    )


@dataclass(frozen=True)
class PeerValues:
    """A group's values on one measure in one year: each institution's, and all of them
    sorted, once, for :func:`place_in_order`."""

    by_institution: Mapping[int, float]
    in_order: tuple[float, ...]

    @classmethod
    def of(cls, by_institution: Mapping[int, float]) -> PeerValues:
        return cls(by_institution, tuple(sorted(by_institution.values())))

    def with_value(self, institution_id: int, value: float) -> list[float]:
        """The values in order with the institution's own as ``value``: in place of the
        one it has, or added."""
        values = list(self.in_order)
        own = self.by_institution.get(institution_id)
        if own is not None:
            del values[bisect_left(values, own)]
        insort(values, value)
        return values


def values_of(section: str, figures: Any) -> dict[str, float]:
    """The value of each measure of ``section`` in ``figures`` (a history row, or a mapping
    such as a diagnostic's section), leaving out those not reported or not computable."""
    derived = derived_of(section, figures)
    found = {}
    for measure in MEASURES:
        if measure.section == section:
            value = measure.of(figures, derived)
            if value is not None:
                found[measure.key] = value
    return found


def year_values(year: int) -> dict[str, dict[int, float]]:
    """``{measure key: {institution id: value}}`` of every measure in ``year``'s history,
    leaving out values not reported (two queries: complaints and SAIP)."""
    found: dict[str, dict[int, float]] = {measure.key: {} for measure in MEASURES}
    for section, model in _HISTORY.items():
        names = SECTION_FIGURES[section]
        query = select(model.institution_id, *(getattr(model, name) for name in names)).where(
            model.year == year
        )
        for institution_id, *row in db.session.execute(query):
            figures = dict(zip(names, row, strict=True))
            for key, value in values_of(section, figures).items():
                found[key][institution_id] = value
    return found
