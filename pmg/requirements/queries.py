from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select

from pmg.cycles.models import Cycle
from pmg.cycles.queries import all_cycles
from pmg.extensions import db
from pmg.requirements import signals
from pmg.requirements.models import RequirementCatalog
from pmg.submissions.models import Submission, SubmissionVersion
from pmg.submissions.signals import announce

NEWEST_FIRST = (RequirementCatalog.loaded_at.desc(), RequirementCatalog.id.desc())


def current_catalog(cycle: Cycle) -> RequirementCatalog | None:
    """The catalog that applies to new reviews of ``cycle``: the one loaded last."""
    return db.session.scalar(
        select(RequirementCatalog)
        .where(RequirementCatalog.cycle_id == cycle.id)
        .order_by(*NEWEST_FIRST)
        .limit(1)
    )


def catalogs_of(cycle: Cycle) -> list[RequirementCatalog]:
    """Every version of ``cycle``'s catalog, the current one first."""
    return list(
        db.session.scalars(
            select(RequirementCatalog)
            .where(RequirementCatalog.cycle_id == cycle.id)
            .order_by(*NEWEST_FIRST)
        )
    )


def get_catalog(cycle: Cycle, version: str) -> RequirementCatalog | None:
    return db.session.scalar(
        select(RequirementCatalog).where(
            RequirementCatalog.cycle_id == cycle.id, RequirementCatalog.version == version
        )
    )


def is_answered(catalog: RequirementCatalog) -> bool:
    """Whether a submitted version, or anything that answers :data:`signals.used` (a
    review), already used this catalog: then it may not change any more, only be followed
    by a new version."""
    submitted = (
        exists()
        .where(SubmissionVersion.submission_id == Submission.id)
        .where(
            Submission.cycle_id == catalog.cycle_id,
            SubmissionVersion.requirements_version == catalog.version,
        )
    )
    if db.session.scalar(select(submitted)):
        return True
    return any(announce(signals.used, catalog))


@dataclass(frozen=True)
class CycleCatalogs:
    """A cycle with its current catalog (if any) and how many versions it has."""

    cycle: Cycle
    current: RequirementCatalog | None
    versions: int


def catalogs_by_cycle() -> list[CycleCatalogs]:
    """Every cycle, newest first, with its catalogs: for the admin index."""
    catalogs = db.session.scalars(select(RequirementCatalog).order_by(*NEWEST_FIRST))
    by_cycle: dict[int, list[RequirementCatalog]] = {}
    for catalog in catalogs:
        by_cycle.setdefault(catalog.cycle_id, []).append(catalog)
    rows = []
    for cycle in all_cycles():
        found = by_cycle.get(cycle.id, [])
        rows.append(CycleCatalogs(cycle, found[0] if found else None, len(found)))
    return rows
