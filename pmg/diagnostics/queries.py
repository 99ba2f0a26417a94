"""Loading what the suggested gaps look at (:mod:`pmg.diagnostics.suggestions`), with a fixed
number of queries: the plan targets, the stage's institutions, two per year its peers are
compared in (at most the reference year and the one before), the dismissed suggestions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from pmg.core.caching import cached, watch_writes
from pmg.cycles.models import Cycle
from pmg.diagnostics.models import DismissedSuggestion
from pmg.diagnostics.schema import COMPLAINTS, PROCEDURES, SAIP, sections_for
from pmg.diagnostics.suggestions import Basis, ProcedureTimes, Target, latest
from pmg.extensions import db
from pmg.indicators.measures import MEASURES
from pmg.indicators.models import ComplaintFigures, CycleTargets, SaipFigures, TimeUnit
from pmg.indicators.peers import PeerValues, year_values
from pmg.indicators.queries import TARGET_TABLES, History
from pmg.institutions.models import Institution, Stage
from pmg.submissions.models import Submission, SubmissionKind

TARGET_NAMES = frozenset(measure.target for measure in MEASURES if measure.target)


def load_basis(
    institution: Institution, cycle: Cycle, content: Mapping[str, Any], history: History
) -> Basis:
    """What the rules look at for ``institution``'s diagnostic of ``cycle``: ``history`` (the
    years before the reference year) and ``content``, the draft's typed values."""
    applying = {section.key for section in sections_for(institution)}
    figures: dict[str, dict[int, Any]] = {}
    for section, past in ((COMPLAINTS.key, history.complaints), (SAIP.key, history.saip)):
        if section in applying:
            figures[section] = {**past, cycle.reference_year: content.get(section) or {}}
    years = {
        seen.year
        for measure in MEASURES
        if (seen := latest(measure, figures.get(measure.section, {}))) is not None
    }
    return Basis(
        institution_id=institution.id,
        peer_group=f"su etapa ({institution.stage.label})",
        figures=figures,
        targets=latest_targets(institution, cycle),
        peers=_peers(institution, years),
        procedures=_procedures(content, history, cycle.reference_year)
        if PROCEDURES.key in applying
        else (),
    )


def latest_targets(institution: Institution, cycle: Cycle) -> dict[str, Target]:
    """For each target a plan sets, the one of the latest cycle up to ``cycle`` that sets it
    (as the charts of the institution's page show it); kept until an import or a cycle
    changes them."""
    institution_id, up_to = institution.id, cycle.year

    def read() -> dict[str, Target]:
        rows = db.session.execute(
            select(CycleTargets, Cycle.year)
            .join(Cycle, CycleTargets.cycle_id == Cycle.id)
            .where(CycleTargets.institution_id == institution_id, Cycle.year <= up_to)
            .order_by(Cycle.year.desc())
        )
        targets: dict[str, Target] = {}
        for row, year in rows:
            for name in TARGET_NAMES - targets.keys():
                value = getattr(row, name)
                if value is not None:
                    targets[name] = Target(year, float(value))
        return targets

    return cached("diagnostics.targets", (institution_id, up_to), read, tables=TARGET_TABLES)


Peers = dict[int, dict[str, PeerValues]]
# What the peers' values are read from: kept under these tables' stamps, which only imports
# and catalog edits change (pmg.core.caching), not the drafts saved meanwhile.
PEER_TABLES = (ComplaintFigures.__tablename__, SaipFigures.__tablename__, Institution.__tablename__)
watch_writes(*PEER_TABLES)


def _peers(institution: Institution, years: set[int]) -> Peers:
    """The values of the institutions of ``institution``'s stage, by year and measure: read
    once per stage and years until the history or the institutions change."""
    if not years:
        return {}
    stage, chosen = institution.stage, tuple(sorted(years))

    def values() -> Peers:
        return _stage_values(stage, chosen)

    return cached("diagnostics.peers", (stage, chosen), values, tables=PEER_TABLES)


def _stage_values(stage: Stage, years: tuple[int, ...]) -> Peers:
    members = set(db.session.scalars(select(Institution.id).where(Institution.stage == stage)))
    return {
        year: {
            key: PeerValues.of({peer: value for peer, value in values.items() if peer in members})
            for key, values in year_values(year).items()
        }
        for year in years
    }


def _procedures(
    content: Mapping[str, Any], history: History, reference_year: int
) -> tuple[ProcedureTimes, ...]:
    """The draft's procedures: their expected time as typed, their mean time as typed for
    the reference year and as imported for the years before."""
    found = []
    for row in content.get(PROCEDURES.key) or []:
        name = row.get("name")
        if not name:
            continue
        means = {
            year: float(figures.mean)
            for year, figures in history.procedure(name).items()
            if figures.mean is not None
        }
        if row.get("mean") is not None:
            means[reference_year] = float(row["mean"])
        expected = row.get("expected_time")
        unit = row.get("time_unit")
        found.append(
            ProcedureTimes(
                row=row.get("key") or name,
                name=name,
                expected_time=float(expected) if expected is not None else None,
                unit=TimeUnit(unit).label if unit in TimeUnit._value2member_map_ else "",
                means=means,
            )
        )
    return tuple(found)


def dismissed_keys(institution: Institution, cycle: Cycle) -> set[str]:
    """The keys of the suggestions dismissed in ``institution``'s diagnostic of ``cycle``."""
    return set(
        db.session.scalars(
            select(DismissedSuggestion.key)
            .join(Submission, DismissedSuggestion.submission_id == Submission.id)
            .where(
                Submission.institution_id == institution.id,
                Submission.cycle_id == cycle.id,
                Submission.kind == SubmissionKind.DIAGNOSTIC,
            )
        )
    )
