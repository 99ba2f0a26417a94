"""Loading a cycle's requirement catalog: a new version, or a fix to one not yet used.

Operations flush but never commit: the route or CLI command owns the transaction.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError

from pmg.audit.actions import AuditAction
from pmg.audit.operations import record
from pmg.core.errors import Conflict
from pmg.core.models import LabelledEnum, utcnow
from pmg.extensions import db
from pmg.requirements.catalog import CatalogSpec, normalise_text, parse_catalog
from pmg.requirements.models import Requirement, RequirementCatalog
from pmg.requirements.queries import current_catalog, get_catalog, is_answered
from pmg.submissions.models import Submission
from pmg.submissions.signals import freezing

if TYPE_CHECKING:
    from pmg.auth.models import User
    from pmg.cycles.models import Cycle


class LoadOutcome(LabelledEnum):
    CREATED = ("created", "creado")
    REPLACED = ("replaced", "reemplazado")
    UNCHANGED = ("unchanged", "sin cambios")


@dataclass(frozen=True)
class LoadResult:
    catalog: RequirementCatalog
    outcome: LoadOutcome

    @property
    def summary(self) -> str:
        """``Catálogo 2026 versión 1: creado (10 requisitos).``"""
        catalog = self.catalog
        count = len(catalog.requirements)
        noun = "requisito" if count == 1 else "requisitos"
        return (
            f"Catálogo {catalog.cycle.year} versión {catalog.version}: "
            f"{self.outcome.label} ({count} {noun})."
        )


def describe(catalog: RequirementCatalog) -> dict[str, Any]:
    """What the audit trail keeps about a catalog: its version, codes and the text's hash."""
    return {
        "cycle": catalog.cycle.year,
        "version": catalog.version,
        "requirements": [requirement.code for requirement in catalog.requirements],
        "source_sha256": hashlib.sha256(catalog.source.encode()).hexdigest(),
    }


def _rows(spec: CatalogSpec) -> list[Requirement]:
    return [
        Requirement(
            position=position,
            code=requirement.code,
            title=requirement.title,
            description=requirement.description,
            kind=requirement.kind,
            stages=[stage.value for stage in requirement.stages],
            mesu_only=requirement.mesu_only,
            sections=list(requirement.sections),
        )
        for position, requirement in enumerate(spec.requirements, start=1)
    ]


def _flush(cycle: Cycle, version: str) -> None:
    """Flush, turning a clash on (cycle, version) — someone loaded it meanwhile — into a
    message."""
    try:
        db.session.flush()
    except IntegrityError as clash:
        raise Conflict(
            f"Otra persona cargó la versión «{version}» del catálogo del ciclo {cycle.year} "
            "al mismo tiempo. Recargue la página y revise el catálogo vigente."
        ) from clash


def load_catalog(cycle: Cycle, text: str, actor: User | None) -> LoadResult:
    """Load the catalog ``text`` describes into ``cycle``.

    A new version becomes the current catalog. The same version with the same text
    changes nothing. The same version with another text replaces its requirements,
    unless a submission or a review already used it (:class:`Conflict`): what was
    answered against a catalog must keep meaning the same thing.
    Raises :class:`~pmg.requirements.catalog.CatalogProblems` when the text is invalid.
    """
    source = normalise_text(text)
    spec = parse_catalog(source)
    catalog = get_catalog(cycle, spec.version)
    if catalog is None:
        catalog = RequirementCatalog(
            cycle=cycle,
            version=spec.version,
            source=source,
            loaded_at=utcnow(),
            loaded_by=actor,
            requirements=_rows(spec),
        )
        db.session.add(catalog)
        _flush(cycle, spec.version)
        record(AuditAction.REQUIREMENTS_LOAD, catalog, actor=actor, after=describe(catalog))
        return LoadResult(catalog, LoadOutcome.CREATED)
    if catalog.source == source:
        return LoadResult(catalog, LoadOutcome.UNCHANGED)
    if is_answered(catalog):
        raise Conflict(
            f"La versión «{catalog.version}» del catálogo del ciclo {cycle.year} ya se usó "
            "en envíos o revisiones y no se puede modificar. Cambie «version» para cargar "
            "una versión nueva."
        )
    before = describe(catalog)
    catalog.requirements.clear()
    db.session.flush()
    catalog.requirements.extend(_rows(spec))
    catalog.source = source
    catalog.loaded_at = utcnow()
    catalog.loaded_by = actor
    _flush(cycle, spec.version)
    record(
        AuditAction.REQUIREMENTS_REPLACE,
        catalog,
        actor=actor,
        before=before,
        after=describe(catalog),
    )
    return LoadResult(catalog, LoadOutcome.REPLACED)


def _pinned_catalog(submission: Submission) -> dict[str, str | None]:
    """A new version is reviewed against the cycle's catalog in force when it is sent."""
    catalog = current_catalog(submission.cycle)
    return {"requirements_version": catalog.version if catalog else None}


def subscribe() -> None:
    """Pin the catalog on every new version (the application does it once)."""
    freezing.connect(_pinned_catalog)
