"""Loading a catalog: a new version, the same one again, a fix, and a refused change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from pmg.audit.actions import AuditAction
from pmg.core.errors import Conflict
from pmg.core.models import utcnow
from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.requirements.catalog import CatalogProblems, starting_catalog_text
from pmg.requirements.models import Requirement, RequirementCatalog
from pmg.requirements.operations import LoadOutcome, load_catalog
from pmg.requirements.queries import (
    catalogs_by_cycle,
    catalogs_of,
    current_catalog,
    get_catalog,
    is_answered,
)
from pmg.review.models import Review
from tests.audit.trail import actor_of, entries, only
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
    load_starting_catalog,
)

ONE = """\
version: "{version}"
requisitos:
  - codigo: R01
    titulo: {title}
    aplica_a: diagnostico
    secciones: [responsible]
"""


def one_requirement(version: str = "2", title: str = "Responsable del sistema") -> str:
    return ONE.format(version=version, title=title)


def requirement_count() -> int:
    return db.session.scalar(select(func.count(Requirement.id)))


# --- Outcomes ------------------------------------------------------------------------------


def test_a_new_version_is_created_and_becomes_current(app: Flask) -> None:
    cycle = create_cycle(2026)
    admin = create_user(Role.ADMIN, email="admin@modernizacion.gob.cl")
    first = load_starting_catalog(cycle)
    result = load_catalog(cycle, one_requirement("2"), admin)
    db.session.commit()
    assert result.outcome is LoadOutcome.CREATED
    assert result.summary == "Catálogo 2026 versión 2: creado (1 requisito)."
    assert current_catalog(cycle) is result.catalog
    assert catalogs_of(cycle) == [result.catalog, first]
    assert (result.catalog.loaded_by, result.catalog.source) == (admin, one_requirement("2"))
    entry = entries(AuditAction.REQUIREMENTS_LOAD)[-1]
    assert actor_of(entry) == (admin.id, "admin@modernizacion.gob.cl", "admin")
    assert (entry.object_type, entry.object_id) == ("RequirementCatalog", str(result.catalog.id))
    assert entry.before is None
    assert entry.after["cycle"] == 2026
    assert entry.after["version"] == "2"
    assert entry.after["requirements"] == ["R01"]


def test_starting_catalog_rows_keep_the_file_order(app: Flask) -> None:
    catalog = load_starting_catalog(create_cycle(2026))
    assert [(r.position, r.code) for r in catalog.requirements] == [
        (number, f"R{number:02d}") for number in range(1, 11)
    ]
    r09 = catalog.requirements[8]
    assert (r09.stages, r09.mesu_only) == (["etapa_2", "etapa_3"], False)
    assert r09.sections == ["complaint_targets", "saip_targets", "procedure_targets"]


def test_the_same_text_again_changes_nothing(app: Flask) -> None:
    cycle = create_cycle(2026)
    catalog = load_starting_catalog(cycle)
    loaded_at, trail = catalog.loaded_at, len(entries())
    crlf = starting_catalog_text().replace("\n", "\r\n")
    result = load_catalog(cycle, crlf, create_user(Role.ADMIN))
    assert (result.outcome, result.catalog) == (LoadOutcome.UNCHANGED, catalog)
    assert result.summary == "Catálogo 2026 versión 1: sin cambios (10 requisitos)."
    assert catalog.loaded_at == loaded_at
    assert len(entries()) == trail + 1  # only the user's creation


def test_an_unused_version_is_replaced_in_place(app: Flask) -> None:
    cycle = create_cycle(2026)
    admin = create_user(Role.ADMIN)
    earlier = load_catalog(cycle, one_requirement("2", "Antes"), None).catalog
    later = load_catalog(cycle, one_requirement("3"), None).catalog
    earlier.loaded_at = utcnow() - timedelta(minutes=2)
    later.loaded_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert current_catalog(cycle) is later

    result = load_catalog(cycle, one_requirement("2", "Después"), admin)
    db.session.commit()
    assert (result.outcome, result.catalog) == (LoadOutcome.REPLACED, earlier)
    assert [r.title for r in earlier.requirements] == ["Después"]
    assert requirement_count() == 2
    assert earlier.loaded_by == admin
    assert current_catalog(cycle) is earlier
    entry = only(AuditAction.REQUIREMENTS_REPLACE)
    assert entry.before["source_sha256"] != entry.after["source_sha256"]
    assert entry.before["requirements"] == entry.after["requirements"] == ["R01"]


def test_a_version_used_by_a_submission_cannot_change(app: Flask) -> None:
    cycle = create_cycle(2026)
    catalog = load_starting_catalog(cycle)
    version = create_submitted_diagnostic(create_institution(), cycle)
    assert version.requirements_version == "1"
    changed = starting_catalog_text().replace("Brechas identificadas", "Brechas halladas")
    with pytest.raises(Conflict) as refused:
        load_catalog(cycle, changed, None)
    assert refused.value.message == (
        "La versión «1» del catálogo del ciclo 2026 ya se usó en envíos o revisiones y no "
        "se puede modificar. Cambie «version» para cargar una versión nueva."
    )
    db.session.rollback()
    assert catalog.requirements[5].title == "Brechas identificadas con causas y prioridad"
    assert load_catalog(cycle, changed.replace('version: "1"', 'version: "2"'), None).outcome == (
        LoadOutcome.CREATED
    )


def test_invalid_text_stores_nothing(app: Flask) -> None:
    cycle = create_cycle(2026)
    with pytest.raises(CatalogProblems):
        load_catalog(cycle, "version: '1'\nrequisitos: []\n", None)
    assert db.session.scalar(select(func.count(RequirementCatalog.id))) == 0
    assert entries(AuditAction.REQUIREMENTS_LOAD) == []


# --- Queries -------------------------------------------------------------------------------


def test_is_answered_by_a_review(app: Flask) -> None:
    cycle = create_cycle(2026)
    catalog = load_starting_catalog(cycle)
    reviewer = create_user(Role.REVIEWER)
    version = create_submitted_diagnostic(create_institution(), cycle)
    other = load_catalog(cycle, one_requirement("2"), None).catalog
    assert not is_answered(other)
    db.session.add(
        Review(submission=version.submission, version=version, catalog=other, reviewer=reviewer)
    )
    db.session.flush()
    assert is_answered(other)
    assert is_answered(catalog)  # the version was submitted under it


def test_is_answered_looks_only_at_the_catalogs_cycle(app: Flask) -> None:
    this_year, next_year = create_cycle(2026), create_cycle(2027, current=False)
    load_starting_catalog(this_year)
    create_submitted_diagnostic(create_institution(), this_year)
    same_version = load_starting_catalog(next_year)
    assert not is_answered(same_version)


def test_catalog_queries_per_cycle(app: Flask) -> None:
    this_year, next_year = create_cycle(2026), create_cycle(2027, current=False)
    first = load_starting_catalog(this_year)
    assert current_catalog(next_year) is None
    assert get_catalog(this_year, "1") is first
    assert get_catalog(next_year, "1") is None
    rows = [(row.cycle.year, row.current, row.versions) for row in catalogs_by_cycle()]
    assert rows == [(2027, None, 0), (2026, first, 1)]


def test_same_load_time_the_later_row_is_current(app: Flask) -> None:
    cycle = create_cycle(2026)
    first = load_catalog(cycle, one_requirement("2"), None).catalog
    second = load_catalog(cycle, one_requirement("3"), None).catalog
    first.loaded_at = second.loaded_at
    db.session.commit()
    assert current_catalog(cycle) is second
