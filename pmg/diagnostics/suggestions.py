"""Gaps a diagnostic suggests from the indicator history: where the institution falls short
of its own plan target, of the year before, of its stage's peers, of the legal deadline for
transparency requests (Ley 20.285), or of a procedure's expected time.

Plain functions over loaded figures (:class:`Basis`, which :mod:`pmg.diagnostics.queries`
loads). Nothing here adds a gap: the coordinator accepts a suggestion into the gaps, where it
is a gap like any other, or dismisses it (:mod:`pmg.diagnostics.page`).

**Which year.** Each measure is read in the latest year that reports it: the reference year
as typed in the draft (valid numbers only), else the latest year of the history.

**One suggestion per measure.** When several rules find a measure short, they make one
suggestion: its description states the figure once, then every reason (``«En 2024 respondió
el 82,5 % de los reclamos; su meta del ciclo 2025 era 95,0 %; el año anterior (2023) fue
90,1 %.»``), and its expected value is the most demanding of the reasons' (the legal
deadline's 0 %, the target, last year's value, the edge of the peers' worst quarter). Its key
names the measure, never the rules (``sugerida-reclamos_respondidos``; for a procedure's
time, ``sugerida-tramite-<id of its row>``), so a suggestion stays the same one when another
rule starts or stops finding it (peers imported later, a target changed).

**Comparing what is shown.** Values are compared as the description shows them, rounded
half up to one decimal: a value equal to its target on the page is not short of it. Peers are
placed by :func:`pmg.indicators.peers.place_in_order`, on the values themselves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pmg.core.filters import format_number
from pmg.core.models import LabelledEnum
from pmg.core.numbers import round_half_up
from pmg.diagnostics.schema import COMPLAINTS, SAIP, GapDimension
from pmg.indicators.measures import MEASURES, SAIP_LEGAL_DAYS, Better, Measure
from pmg.indicators.peers import PeerValues, place_in_order

KEY_PREFIX = "sugerida-"
LEGAL_MEASURE = "saip_fuera_de_plazo"
DIMENSIONS = {COMPLAINTS.key: GapDimension.COMPLAINTS, SAIP.key: GapDimension.SAIP}
# What the institution did, by measure: «En 2024 <phrase>».
PHRASES = {
    "reclamos_respondidos": "respondió el {} de los reclamos",
    "reclamos_fuera_de_plazo": "respondió el {} de los reclamos en más de 20 días hábiles",
    "reclamos_tiempo_promedio": "respondió los reclamos en {} en promedio",
    "saip_respondidas": (
        "respondió el {} de las solicitudes de acceso a información pública (SAIP)"
    ),
    "saip_en_10_dias": "respondió el {} de las SAIP en 10 días hábiles o menos",
    "saip_en_15_dias": "respondió el {} de las SAIP en 15 días hábiles o menos",
    "saip_en_20_dias": "respondió el {} de las SAIP en 20 días hábiles o menos",
    "saip_fuera_de_plazo": "respondió el {} de las SAIP en más de 20 días hábiles",
    "saip_tiempo_promedio": "respondió las SAIP en {} en promedio",
}


class Rule(LabelledEnum):
    """Why a gap is suggested."""

    TARGET = ("meta", "Bajo su meta")
    PREVIOUS_YEAR = ("anio_anterior", "Peor que el año anterior")
    PEERS = ("pares", "Entre los peores resultados de su etapa")
    LEGAL_DEADLINE = ("plazo_legal", "Fuera del plazo legal")
    EXPECTED_TIME = ("tiempo_esperado", "Sobre el tiempo esperado")


@dataclass(frozen=True)
class Target:
    """A plan target and the cycle whose plan set it."""

    cycle_year: int
    value: float


@dataclass(frozen=True)
class ProcedureTimes:
    """A procedure of the draft: its expected time and its mean time in each year."""

    # What identifies its row: the row's stable key, or its name for a row without one.
    row: str
    name: str
    expected_time: float | None
    unit: str  # the time unit's label ('' when not chosen)
    means: Mapping[int, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Basis:
    """What the rules look at, loaded for one institution."""

    institution_id: int
    # The peers' group as the description names it: «su etapa (Etapa 2)».
    peer_group: str
    # The figures of each indicator section the institution reports, by year: history rows
    # and, for the reference year, the draft's typed values.
    figures: Mapping[str, Mapping[int, Any]]
    # By CycleTargets attribute: the latest plan target set for it.
    targets: Mapping[str, Target] = field(default_factory=dict)
    # By year and measure key: the values of the institution's peers.
    peers: Mapping[int, Mapping[str, PeerValues]] = field(default_factory=dict)
    procedures: tuple[ProcedureTimes, ...] = ()


@dataclass(frozen=True)
class Seen:
    """A measure's value in the latest year that reports it."""

    measure: Measure
    year: int
    value: float
    figures: Any


@dataclass(frozen=True)
class Reason:
    rule: Rule
    text: str  # what follows the figure: «su meta del ciclo 2025 era 95,0 %»
    expected: float  # the value that would close the gap for this reason


@dataclass(frozen=True)
class Suggestion:
    key: str
    dimension: GapDimension
    label: str  # what it is about, as the list names it
    procedure: str  # the procedure's name; '' for another dimension
    description: str
    current_value: str
    expected_value: str
    rules: tuple[Rule, ...]

    def gap_row(self) -> dict[str, str]:
        """The gap it becomes when accepted: causes and priority are the coordinator's."""
        return {
            "key": self.key,
            "dimension": self.dimension.value,
            "procedure": self.procedure,
            "description": self.description,
            "current_value": self.current_value,
            "expected_value": self.expected_value,
            "causes": "",
            "priority": "",
        }


# --- Numbers as shown ----------------------------------------------------------------------


def _rounded(value: float) -> Decimal:
    return round_half_up(value)


def shown(value: float, unit: str) -> str:
    """``82,5 %``, ``1.234,5 días hábiles``: one decimal, rounded half up, es-CL."""
    number = format_number(_rounded(value))
    return f"{number} {unit}" if unit else number


def _worse(measure: Measure, value: float, than: float) -> bool:
    return measure.worse(float(_rounded(value)), float(_rounded(than)))


def _most_demanding(measure: Measure, values: Iterable[float]) -> float:
    return max(values) if measure.better is Better.HIGHER else min(values)


# --- The rules -----------------------------------------------------------------------------


def latest(measure: Measure, by_year: Mapping[int, Any]) -> Seen | None:
    """``measure`` in the latest year of ``by_year`` that reports it."""
    for year in sorted(by_year, reverse=True):
        value = measure.of(by_year[year])
        if value is not None:
            return Seen(measure, year, value, by_year[year])
    return None


def below_target(seen: Seen, basis: Basis) -> Reason | None:
    """Short of the latest plan target set for the measure."""
    target = basis.targets.get(seen.measure.target) if seen.measure.target else None
    if target is None or not _worse(seen.measure, seen.value, target.value):
        return None
    text = f"su meta del ciclo {target.cycle_year} era {shown(target.value, seen.measure.unit)}"
    return Reason(Rule.TARGET, text, target.value)


def worse_than_previous_year(seen: Seen, basis: Basis) -> Reason | None:
    """Worse than in the year before."""
    before = basis.figures.get(seen.measure.section, {}).get(seen.year - 1)
    previous = seen.measure.of(before) if before is not None else None
    if previous is None or not _worse(seen.measure, seen.value, previous):
        return None
    text = f"el año anterior ({seen.year - 1}) fue {shown(previous, seen.measure.unit)}"
    return Reason(Rule.PREVIOUS_YEAR, text, previous)


def worst_quarter_of_peers(seen: Seen, basis: Basis) -> Reason | None:
    """In the worst quarter of its peers in the same year (its own value among them)."""
    group = basis.peers.get(seen.year, {}).get(seen.measure.key)
    if group is None or not group.by_institution:
        return None
    values = group.with_value(basis.institution_id, seen.value)
    placement = place_in_order(seen.measure, seen.value, values)
    if not placement.worst_quarter or placement.worst_cut is None:
        return None
    text = (
        f"entre las {placement.count} instituciones de {basis.peer_group}, está en el cuarto "
        f"con peores resultados (peor que {shown(placement.worst_cut, seen.measure.unit)})"
    )
    return Reason(Rule.PEERS, text, placement.worst_cut)


def over_legal_deadline(seen: Seen, basis: Basis) -> Reason | None:
    """Transparency requests answered after the 20 business days of Ley 20.285."""
    if seen.measure.key != LEGAL_MEASURE:
        return None
    late = _count(seen.figures, "answered_over_20")
    if not late:
        return None
    requests = "1 solicitud superó" if late == 1 else f"{format_number(late)} solicitudes superaron"
    text = f"{requests} el plazo legal de {SAIP_LEGAL_DAYS} días hábiles (Ley 20.285)"
    return Reason(Rule.LEGAL_DEADLINE, text, 0.0)


MEASURE_RULES: tuple[Callable[[Seen, Basis], Reason | None], ...] = (
    over_legal_deadline,
    below_target,
    worse_than_previous_year,
    worst_quarter_of_peers,
)


def _count(figures: Any, name: str) -> int:
    value = figures.get(name) if isinstance(figures, Mapping) else getattr(figures, name, None)
    return int(value) if isinstance(value, int | float | Decimal) and value > 0 else 0


def _description(fact: str, reasons: Iterable[Reason]) -> str:
    return "; ".join([fact, *(reason.text for reason in reasons)]) + "."


def measure_suggestion(measure: Measure, basis: Basis) -> Suggestion | None:
    """The suggestion on ``measure``, with every reason found; ``None`` when none is."""
    seen = latest(measure, basis.figures.get(measure.section, {}))
    if seen is None:
        return None
    reasons = [reason for rule in MEASURE_RULES if (reason := rule(seen, basis)) is not None]
    if not reasons:
        return None
    value = shown(seen.value, measure.unit)
    phrase = PHRASES.get(measure.key, f"el indicador «{measure.label}» fue {{}}")
    expected = _most_demanding(measure, (reason.expected for reason in reasons))
    return Suggestion(
        key=f"{KEY_PREFIX}{measure.key}",
        dimension=DIMENSIONS[measure.section],
        label=measure.label,
        procedure="",
        description=_description(f"En {seen.year} {phrase.format(value)}", reasons),
        current_value=value,
        expected_value=shown(expected, measure.unit),
        rules=tuple(reason.rule for reason in reasons),
    )


def procedure_key(row: str) -> str:
    """A procedure suggestion's key: short and of fixed length whatever its row's id."""
    return f"{KEY_PREFIX}tramite-{hashlib.sha256(row.encode()).hexdigest()[:12]}"


def over_expected_time(times: ProcedureTimes) -> Suggestion | None:
    """A procedure whose mean time, in the latest year that reports it, is above its
    expected time (both in the procedure's time unit)."""
    if times.expected_time is None or not times.means or not times.name:
        return None
    year = max(times.means)
    mean = times.means[year]
    if _rounded(mean) <= _rounded(times.expected_time):
        return None
    value, expected = shown(mean, times.unit), shown(times.expected_time, times.unit)
    reason = f"su tiempo esperado es {expected}"
    return Suggestion(
        key=procedure_key(times.row),
        dimension=GapDimension.PROCEDURE,
        label=f"Tiempo promedio de «{times.name}»",
        procedure=times.name,
        description=(
            f"En {year} el trámite «{times.name}» tomó en promedio {value}; {reason}."
        ),
        current_value=value,
        expected_value=expected,
        rules=(Rule.EXPECTED_TIME,),
    )


def suggest(basis: Basis) -> list[Suggestion]:
    """Every gap the figures suggest: the measures in their order, then the procedures in
    the draft's; one per key."""
    found = [measure_suggestion(measure, basis) for measure in MEASURES]
    found += [over_expected_time(times) for times in basis.procedures]
    unique: dict[str, Suggestion] = {}
    for suggestion in found:
        if suggestion is not None:
            unique.setdefault(suggestion.key, suggestion)
    return list(unique.values())


def pending(
    suggestions: Iterable[Suggestion],
    gaps: Iterable[Mapping[str, Any]],
    dismissed: Collection[str],
) -> list[Suggestion]:
    """Those neither among the gaps (by key: accepted, and not removed since) nor dismissed."""
    taken = {gap.get("key") for gap in gaps} | set(dismissed)
    return [suggestion for suggestion in suggestions if suggestion.key not in taken]
