"""The dashboard's figures, as plain functions over what :mod:`pmg.dashboard.queries` reads
(the reviewers' part: :mod:`pmg.dashboard.workload`).

- The cycle shown (:func:`choose_cycle`).
- How many institutions are in each standing (:mod:`pmg.dashboard.standing`) for each kind,
  overall, by ministry and by stage (:func:`kind_figures`, :func:`by_ministry`,
  :func:`by_stage`), each count linking to the institution list filtered to it. *Enviados*
  are those sent at least once (any state but «Sin iniciar» and «Borrador»); *aprobados*,
  those approved; both in percent of the institutions taking part.
- The institutions most overdue with each kind (:class:`OverdueList`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from pmg.core.filters import format_date
from pmg.core.links import Link
from pmg.core.numbers import percent
from pmg.cycles.models import Cycle
from pmg.cycles.queries import default_cycle
from pmg.dashboard.standing import BY_VALUE, SENT, STANDINGS, Standing
from pmg.institutions.models import Stage
from pmg.submissions.kinds import KINDS, KindSpec
from pmg.submissions.models import SubmissionKind, SubmissionState

LIST = "dashboard.institutions"
S = SubmissionState
UNKNOWN_CYCLE = "El ciclo pedido no existe; elija uno de la lista."
OVERDUE_SHOWN = 10


@dataclass(frozen=True)
class Count:
    # What it counts, in words: a screen reader says it with the number.
    label: str
    number: int
    # Where the list of what it counts is; ``None`` where there is no such list.
    link: Link | None


# --- The cycle shown -----------------------------------------------------------------------


@dataclass(frozen=True)
class CycleChoice:
    # Every cycle, newest first, as the select offers them.
    cycles: tuple[Cycle, ...]
    cycle: Cycle | None
    error: str = ""


def choose_cycle(asked: str | None, cycles: Sequence[Cycle]) -> CycleChoice:
    """The cycle the query string asks for by its year (``ciclo``); the
    :func:`default_cycle` when it asks for none, and also when it asks for one that does
    not exist, saying so."""
    ordered = tuple(sorted(cycles, key=lambda cycle: cycle.year, reverse=True))
    default = default_cycle(ordered)
    if not asked:
        return CycleChoice(ordered, default)
    for cycle in ordered:
        if str(cycle.year) == asked.strip():
            return CycleChoice(ordered, cycle)
    return CycleChoice(ordered, default, UNKNOWN_CYCLE)


def cycle_args(cycle: Cycle) -> dict[str, str]:
    return {"ciclo": str(cycle.year)}


# --- Standings: overall, by ministry, by stage ---------------------------------------------


@dataclass(frozen=True)
class Tally:
    """How many institutions of one ministry and stage are in one standing for a kind, and
    whether they are late."""

    ministry_id: int
    ministry: str
    stage: Stage
    standing: str
    late: bool
    number: int


@dataclass(frozen=True)
class KindFigures:
    spec: KindSpec
    # One per :data:`STANDINGS`, in its order.
    standings: tuple[Count, ...]
    late: Count
    total: int
    sent: int
    approved: int

    @property
    def sent_pct(self) -> Decimal | None:
        return percent(self.sent, self.total)

    @property
    def approved_pct(self) -> Decimal | None:
        return percent(self.approved, self.total)


def kind_figures(
    spec: KindSpec, tallies: Iterable[Tally], args: Mapping[str, str], place: str = ""
) -> KindFigures:
    """``spec``'s figures over ``tallies``; each count links to the institution list with
    ``args`` (the cycle, and the ministry or stage of ``place``) and its own filter."""
    numbers: Counter[str] = Counter()
    late = 0
    for tally in tallies:
        numbers[tally.standing] += tally.number
        late += tally.number if tally.late else 0
    named = f"{spec.kind.label}{f' · {place}' if place else ''}"

    def count(standing: Standing) -> Count:
        label = f"{named}: {standing.label}"
        number = numbers[standing.value]
        return Count(label, number, Link(label, LIST, {**args, spec.slug: standing.value}))

    late_label = f"{named}: atrasadas"
    return KindFigures(
        spec,
        tuple(count(standing) for standing in STANDINGS),
        Count(late_label, late, Link(late_label, LIST, {**args, "atrasadas": spec.slug})),
        total=sum(numbers.values()),
        sent=sum(numbers[state.value] for state in SENT),
        approved=numbers[S.APPROVED.value],
    )


Tallies = Mapping[SubmissionKind, Sequence[Tally]]


def overall(tallies: Tallies, cycle: Cycle) -> tuple[KindFigures, ...]:
    """Each kind's figures over every institution taking part."""
    return tuple(
        kind_figures(spec, tallies.get(spec.kind, ()), cycle_args(cycle)) for spec in KINDS.values()
    )


@dataclass(frozen=True)
class GroupFigures:
    """The figures of each kind for a group of institutions (a ministry, a stage)."""

    label: str
    kinds: tuple[KindFigures, ...]


def _grouped(
    tallies: Tallies,
    cycle: Cycle,
    key: Callable[[Tally], Hashable],
    describe: Callable[[Tally], tuple[str, dict[str, str]]],
    order: Callable[[Tally], Any],
) -> list[GroupFigures]:
    """Figures per group of ``key``, named and filtered by ``describe`` (its label and its
    list's query-string filter), in ``order``."""
    groups: defaultdict[Hashable, defaultdict[SubmissionKind, list[Tally]]] = defaultdict(
        lambda: defaultdict(list)
    )
    first: dict[Hashable, Tally] = {}
    for kind, rows in tallies.items():
        for tally in rows:
            groups[key(tally)][kind].append(tally)
            first.setdefault(key(tally), tally)
    result = []
    for group in sorted(first, key=lambda group: order(first[group])):
        label, filters = describe(first[group])
        args = {**cycle_args(cycle), **filters}
        kinds = tuple(
            kind_figures(spec, groups[group][spec.kind], args, label) for spec in KINDS.values()
        )
        result.append(GroupFigures(label, kinds))
    return result


def by_ministry(tallies: Tallies, cycle: Cycle) -> list[GroupFigures]:
    """A row per ministry with institutions taking part, by name."""
    return _grouped(
        tallies,
        cycle,
        key=lambda t: t.ministry_id,
        describe=lambda t: (t.ministry, {"ministerio": str(t.ministry_id)}),
        order=lambda t: (t.ministry, t.ministry_id),
    )


def by_stage(tallies: Tallies, cycle: Cycle) -> list[GroupFigures]:
    """A row per stage with institutions taking part, in the stages' order."""
    stages = list(Stage)
    return _grouped(
        tallies,
        cycle,
        key=lambda t: t.stage,
        describe=lambda t: (t.stage.label, {"etapa": t.stage.value}),
        order=lambda t: stages.index(t.stage),
    )


# --- Overdue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverdueRow:
    code: str
    name: str
    ministry: str
    standing: Standing
    # The deadline that passed: the kind's window end, or the correction deadline.
    due: date
    today: date

    @property
    def days(self) -> int:
        return (self.today - self.due).days

    @property
    def phrase(self) -> str:
        """«Sin iniciar: el plazo de envío venció el 12 de enero de 2027, hace 3 días»."""
        which = "de corrección" if self.standing.state is S.OBSERVED else "de envío"
        ago = "hace 1 día" if self.days == 1 else f"hace {self.days} días"
        return f"{self.standing.label}: el plazo {which} venció el {format_date(self.due)}, {ago}"


def overdue_row(
    code: str, name: str, ministry: str, standing: str, due: date, today: date
) -> OverdueRow:
    return OverdueRow(code, name, ministry, BY_VALUE[standing], due, today)


@dataclass(frozen=True)
class OverdueList:
    spec: KindSpec
    # How many are late, linking to all of them.
    count: Count
    # The most overdue first, at most :data:`OVERDUE_SHOWN`.
    rows: tuple[OverdueRow, ...]

    @property
    def more(self) -> bool:
        return self.count.number > len(self.rows)
