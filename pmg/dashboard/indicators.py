"""How the institutions are distributed on the main indicators of a cycle's reference year,
and where one institution stands among its ministry's and its stage's peers: the dashboard
shows it (``templates/dashboard/_indicators.html``, given :func:`indicator_panel`'s result as
``indicators``) and the cycle report prints the same object.

The values come from :mod:`pmg.dashboard.indicator_values`, kept between requests; what a
panel builds from them (its chart, its placements) is kept with them, so a panel shown
before costs one query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pmg.core.charts import Histogram, Reference, decimal_text, histogram_edges, median_of
from pmg.cycles.models import Cycle
from pmg.dashboard.indicator_values import MAX_TYPED, CycleValues, InstitutionEntry, cycle_values
from pmg.indicators.measures import BY_KEY, Better, Measure
from pmg.indicators.peers import Placement, place_among

# The query-string arguments of the panel's form.
MEASURE_ARG, INSTITUTION_ARG = "indicador", "institucion"
# The measures with a plan target: what the plan commits and the reviewers follow.
PANEL_MEASURES: tuple[Measure, ...] = tuple(
    BY_KEY[key]
    for key in (
        "reclamos_respondidos",
        "reclamos_fuera_de_plazo",
        "reclamos_tiempo_promedio",
        "saip_respondidas",
        "saip_fuera_de_plazo",
        "saip_tiempo_promedio",
    )
)
# How much of an unknown institution's text its message repeats.
SHOWN_TYPED = 60
# Views kept per cycle's values (a measure × an institution); beyond it they start over.
MAX_VIEWS = 2048
QUARTILES = {1: "1.º (el mejor cuarto)", 2: "2.º", 3: "3.º", 4: "4.º (el peor cuarto)"}


@dataclass(frozen=True)
class PeerStanding:
    """The institution's placement in one group of peers (all, its ministry, its stage)."""

    group: str
    placement: Placement

    @property
    def quartile_label(self) -> str:
        quartile = self.placement.quartile
        return "—" if quartile is None else QUARTILES[quartile]

    @property
    def median_text(self) -> str:
        return decimal_text(self.placement.median)


@dataclass(frozen=True)
class View:
    """What a measure shows, with one institution or none: the part of a panel worth keeping."""

    chart: Histogram | None
    count: int
    median: float | None
    value: float | None = None
    standings: tuple[PeerStanding, ...] = ()

    @property
    def median_text(self) -> str:
        """As the chart's table writes it (one decimal, rounded half up)."""
        return decimal_text(self.median)

    @property
    def value_text(self) -> str:
        return decimal_text(self.value)


@dataclass(frozen=True)
class IndicatorPanel:
    """The panel as the template shows it; ``*_error`` is the message at that field."""

    cycle_year: int
    reference_year: int
    measures: tuple[Measure, ...]
    measure: Measure
    measure_error: str | None
    typed: str
    institution_error: str | None
    institution: InstitutionEntry | None
    # Whether the institution's value comes from its diagnostic (else: the history).
    from_diagnostic: bool
    view: View

    @property
    def better(self) -> str:
        return "más alto" if self.measure.better is Better.HIGHER else "más bajo"


def indicator_panel(cycle: Cycle, measure_key: str | None, typed: str | None) -> IndicatorPanel:
    """The panel of ``cycle`` for the measure keyed ``measure_key`` (the first by default) and
    the institution whose code or name is ``typed`` (none if empty); an unknown one gets a
    message for its field, and the panel shows the default instead."""
    values = cycle_values(cycle)
    measure_key = (measure_key or "").strip()
    measure = next((m for m in PANEL_MEASURES if m.key == measure_key), None)
    measure_error = None
    if measure is None:
        measure = PANEL_MEASURES[0]
        if measure_key:
            measure_error = (
                f"Ese indicador no está en la lista. Se muestra «{measure.label}»; "
                "elija otro de la lista."
            )
    typed = (typed or "").strip()[:MAX_TYPED]
    institution = values.roster.find(typed) if typed else None
    institution_error = None
    if typed and institution is None:
        shown = typed if len(typed) <= SHOWN_TYPED else f"{typed[:SHOWN_TYPED]}…"
        institution_error = (
            f"No hay una institución vigente con el código o nombre «{shown}». "
            "Escriba el código o elija una institución de la lista."
        )
    diagnosed = values.diagnosed.get(institution.id, frozenset()) if institution else frozenset()
    return IndicatorPanel(
        cycle_year=cycle.year,
        reference_year=cycle.reference_year,
        measures=PANEL_MEASURES,
        measure=measure,
        measure_error=measure_error,
        typed=typed,
        institution_error=institution_error,
        institution=institution,
        from_diagnostic=measure.section in diagnosed,
        view=_kept_view(values, measure, institution),
    )


def _kept_view(values: CycleValues, measure: Measure, institution: InstitutionEntry | None) -> View:
    key = (measure.key, institution.id if institution else None)
    view = values.views.get(key)
    if not isinstance(view, View):
        if len(values.views) >= MAX_VIEWS:
            values.views.clear()
        view = values.views[key] = _measure_view(values, measure, institution)
    return view


def _measure_view(
    values: CycleValues, measure: Measure, institution: InstitutionEntry | None
) -> View:
    """The distribution of ``measure`` with its median and, for ``institution`` if it has a
    value, that value marked and its placement among all, its ministry and its stage."""
    by_institution = values.values[measure.key]
    shown = tuple(sorted(by_institution.values()))
    median = median_of(shown)
    if median is None:
        return View(chart=None, count=0, median=None)
    references = [Reference("Mediana", median)]
    value = by_institution.get(institution.id) if institution else None
    if institution is None or value is None:
        return View(
            _histogram(measure, values.reference_year, shown, references), len(shown), median
        )
    references.append(Reference(f"{institution.name} ({institution.code})", value))
    roster = values.roster
    groups = (
        ("Todas las instituciones", list(roster.institutions)),
        (f"Ministerio: {institution.ministry}", roster.by_ministry[institution.ministry_id]),
        (f"Etapa: {institution.stage.label}", roster.by_stage[institution.stage]),
    )
    standings = tuple(
        PeerStanding(label, place_among(measure, value, [by_institution.get(i) for i in ids]))
        for label, ids in groups
    )
    chart = _histogram(measure, values.reference_year, shown, references)
    return View(chart, len(shown), median, value, standings)


def _histogram(
    measure: Measure, year: int, values: tuple[float, ...], references: Iterable[Reference]
) -> Histogram:
    return Histogram(
        title=f"{measure.label} en {year}: instituciones por tramo",
        unit=measure.unit,
        values=values,
        edges=histogram_edges(values),
        references=tuple(references),
    )
