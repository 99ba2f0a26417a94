"""Each active institution's value of every measure (:mod:`pmg.indicators.measures`) in a
cycle's reference year, kept between requests: what the dashboard's indicator panel
(:mod:`pmg.dashboard.indicators`) shows.

**Values.** Per section (complaints, SAIP), as the consolidated workbook takes them: from the
section of the institution's latest version of the cycle's diagnostic when that version has
it, otherwise from the history row of the reference year.

**Kept, not read per request.** Reading 1,700 versions' JSON (and deriving 10,000
percentages) is too slow for every request, so the values stay in the application
(``app.extensions``) under a fingerprint that one query reads per request: the last id of
the submission versions, of the complaint and SAIP history and of the institutions (all
only ever added to, but in place), and the last audit entry of the operations that change
history or institutions in place (an institution edited, a catalog or indicators imported).
Each part is rebuilt only when its own ids moved: the institutions (one query), the history
of the reference year (two), the latest diagnostic versions (one, and one more reading the
versions never read before, known by their SHA-256). A request whose fingerprint did not
change runs that one query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

from flask import current_app
from sqlalchemy import and_, func, select

from pmg.audit.actions import AuditAction
from pmg.audit.models import AuditEntry
from pmg.core.spreadsheets import comparable
from pmg.cycles.models import Cycle
from pmg.extensions import db
from pmg.indicators.measures import COMPLAINTS, MEASURES, SAIP
from pmg.indicators.models import ComplaintFigures, SaipFigures
from pmg.indicators.peers import values_of, year_values
from pmg.institutions.models import Institution, Ministry, Stage
from pmg.submissions.models import (
    Submission,
    SubmissionKind,
    SubmissionVersion,
    version_document,
)
from pmg.submissions.queries import joined_to_latest_version

EXTENSION = "pmg.dashboard.indicator_values"
SECTIONS = (COMPLAINTS, SAIP)
# As long as an institution's name: longer text is cut before it is looked up.
MAX_TYPED = 300
# The operations that change institutions or the history in place, each with its audit entry.
IN_PLACE_CHANGES = (
    AuditAction.INSTITUTION_UPDATE.value,
    AuditAction.CATALOG_IMPORT.value,
    AuditAction.INDICATORS_IMPORT.value,
)

# {section: {measure key: value}} of one diagnostic version.
SectionValues = dict[str, dict[str, float]]
Kept = TypeVar("Kept")


@dataclass(frozen=True)
class InstitutionEntry:
    id: int
    code: str
    name: str
    ministry_id: int
    ministry: str
    stage: Stage


@dataclass
class Roster:
    """The active institutions, their groups of peers, and how a person names one."""

    institutions: dict[int, InstitutionEntry]
    by_ministry: dict[int, list[int]] = field(init=False)
    by_stage: dict[Stage, list[int]] = field(init=False)
    # By code, and by name where no other institution has it, folded (comparable()).
    lookup: dict[str, InstitutionEntry] = field(init=False)

    def __post_init__(self) -> None:
        named: dict[str, list[InstitutionEntry]] = defaultdict(list)
        by_ministry: dict[int, list[int]] = defaultdict(list)
        by_stage: dict[Stage, list[int]] = defaultdict(list)
        for entry in self.institutions.values():
            named[comparable(entry.name)].append(entry)
            by_ministry[entry.ministry_id].append(entry.id)
            by_stage[entry.stage].append(entry.id)
        self.by_ministry, self.by_stage = dict(by_ministry), dict(by_stage)
        self.lookup = {name: same[0] for name, same in named.items() if len(same) == 1}
        self.lookup.update({comparable(e.code): e for e in self.institutions.values()})

    def find(self, typed: str) -> InstitutionEntry | None:
        """The institution whose code, or name if no other has it, is ``typed`` (despite
        case, accents and spaces)."""
        return self.lookup.get(comparable(typed[:MAX_TYPED]))


@dataclass(frozen=True)
class Diagnostics:
    """The values of each institution's latest diagnostic version in a cycle."""

    of: dict[int, SectionValues]
    # Every version read, by content hash: the next rebuild reads only the new ones.
    by_hash: dict[str, SectionValues]


@dataclass
class CycleValues:
    """What the panel shows of one cycle, as of one fingerprint."""

    reference_year: int
    roster: Roster
    # {measure key: {institution id: value}}, active institutions with a value only.
    values: dict[str, dict[int, float]]
    # The sections each institution's diagnostic supplied (the rest came from the history).
    diagnosed: dict[int, frozenset[str]]
    # What the panel built from these values, for the next request (pmg.dashboard.indicators).
    views: dict[Hashable, Any] = field(default_factory=dict)


class Fingerprint(NamedTuple):
    """The last ids of what the values are made of (module docstring)."""

    versions: int | None
    complaints: int | None
    saip: int | None
    institutions: int | None
    changes: int | None


# One query, whose every part an index answers: no table is scanned. Built once: the query
# runs on every request.
FINGERPRINT = select(
    *(
        select(func.max(model.id)).scalar_subquery()
        for model in (SubmissionVersion, ComplaintFigures, SaipFigures, Institution)
    ),
    select(func.max(AuditEntry.id))
    .where(AuditEntry.action.in_(IN_PLACE_CHANGES))
    .scalar_subquery(),
)


def cycle_values(cycle: Cycle) -> CycleValues:
    """The values of ``cycle``'s reference year, rebuilt only in the parts that changed."""
    store: dict[Hashable, tuple[Hashable, Any]] = current_app.extensions.setdefault(EXTENSION, {})
    mark = _fingerprint()
    year = cycle.reference_year

    def kept(slot: Hashable, key: Hashable, build: Callable[[], Kept]) -> Kept:
        found = store.get(slot)
        if found is None or found[0] != key:
            found = store[slot] = (key, build())
        value: Kept = found[1]
        return value

    def merged() -> CycleValues:
        roster = kept("roster", (mark.institutions, mark.changes), _roster)
        history = kept(
            ("history", year), (mark.complaints, mark.saip, mark.changes), lambda: year_values(year)
        )
        previous = store.get(("diagnostics", cycle.id))
        diagnostics = kept(
            ("diagnostics", cycle.id),
            mark.versions,
            lambda: _diagnostics(cycle, previous[1].by_hash if previous else {}),
        )
        return _merge(year, roster, history, diagnostics)

    return kept(("values", cycle.id), (year, mark), merged)


def _fingerprint() -> Fingerprint:
    return Fingerprint._make(db.session.connection().execute(FINGERPRINT).one())


def _merge(
    year: int, roster: Roster, history: dict[str, dict[int, float]], diagnostics: Diagnostics
) -> CycleValues:
    active = roster.institutions
    values = {
        measure.key: {iid: v for iid, v in history[measure.key].items() if iid in active}
        for measure in MEASURES
    }
    diagnosed: dict[int, frozenset[str]] = {}
    for institution_id, sections in diagnostics.of.items():
        if institution_id not in active:
            continue
        diagnosed[institution_id] = frozenset(sections)
        for measure in MEASURES:
            if measure.section not in sections:
                continue
            value = sections[measure.section].get(measure.key)
            if value is None:
                values[measure.key].pop(institution_id, None)
            else:
                values[measure.key][institution_id] = value
    return CycleValues(year, roster, values, diagnosed)


def _roster() -> Roster:
    query = (
        select(
            Institution.id,
            Institution.code,
            Institution.name,
            Institution.ministry_id,
            Ministry.name,
            Institution.stage,
        )
        .join(Institution.ministry)
        .where(Institution.active.is_(True))
    )
    return Roster({row[0]: InstitutionEntry(*row) for row in db.session.execute(query)})


def _diagnostics(cycle: Cycle, known: dict[str, SectionValues]) -> Diagnostics:
    """The latest diagnostic versions of ``cycle``: one query, and one more reading those
    not in ``known`` (none if every one is)."""
    in_cycle = and_(Submission.cycle_id == cycle.id, Submission.kind == SubmissionKind.DIAGNOSTIC)
    query = joined_to_latest_version(
        select(Submission.institution_id, SubmissionVersion.id, SubmissionVersion.content_hash),
        in_cycle,
    ).where(in_cycle)
    rows = db.session.execute(query).all()
    by_hash = {digest: known[digest] for _, _, digest in rows if digest in known}
    missing = [version_id for _, version_id, digest in rows if digest not in by_hash]
    if missing:
        read = select(SubmissionVersion.content_hash, SubmissionVersion.content_json).where(
            SubmissionVersion.id.in_(missing)
        )
        for digest, text in db.session.execute(read):
            by_hash[digest] = _section_values(version_document(text))
    return Diagnostics({iid: by_hash[digest] for iid, _, digest in rows}, by_hash)


def _section_values(document: dict[str, Any]) -> SectionValues:
    """The values of the sections a version's document holds (``content``)."""
    content = document.get("content") or {}
    return {
        section: values_of(section, content[section])
        for section in SECTIONS
        if isinstance(content.get(section), dict)
    }
