"""The admin pages of requirement catalogs: list, detail with versions, and the YAML form."""

from __future__ import annotations

import html
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from pmg.audit.actions import AuditAction
from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.requirements.catalog import starting_catalog_text
from pmg.requirements.models import RequirementCatalog
from pmg.requirements.queries import current_catalog
from tests.audit.trail import actor_of, only
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
    load_starting_catalog,
)

EDIT = "/admin/requisitos/2026/editar"


@pytest.fixture
def admin(login_as: Any) -> Any:
    return login_as(create_user(Role.ADMIN, email="admin@modernizacion.gob.cl"))


def page(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def catalog_count() -> int:
    return db.session.scalar(select(func.count(RequirementCatalog.id)))


@pytest.mark.parametrize("path", ["/admin/requisitos/", "/admin/requisitos/2026", EDIT])
@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.REVIEWER, Role.DIPRES])
def test_only_admins_may_enter(client: FlaskClient, login_as: Any, path: str, role: Role) -> None:
    create_cycle(2026)
    login_as(create_user(role))
    assert client.get(path).status_code == 403


def test_unknown_cycle_is_404(client: FlaskClient, admin: Any) -> None:
    assert client.get("/admin/requisitos/2030").status_code == 404
    assert client.get("/admin/requisitos/2030/editar").status_code == 404


def test_index_lists_cycles_with_their_current_version(client: FlaskClient, admin: Any) -> None:
    load_starting_catalog(create_cycle(2026))
    create_cycle(2027, current=False)
    text = page(client.get("/admin/requisitos/"))
    assert '<td>1 <span class="muted">(10 requisitos)</span></td>' in text
    assert "Sin catálogo" in text
    assert 'href="/admin/requisitos/2027/editar">Cargar catálogo' in text


def test_detail_shows_requirements_and_versions(client: FlaskClient, admin: Any) -> None:
    cycle = create_cycle(2026)
    load_starting_catalog(cycle)
    create_submitted_diagnostic(create_institution(), cycle)
    text = page(client.get("/admin/requisitos/2026"))
    assert "Resultados de satisfacción usuaria analizados" in text
    assert "<td>Etapa 2, Etapa 3</td>" in text
    assert "<td>Diagnóstico de brechas</td>" in text
    assert "<code>complaint_targets</code>" in text
    assert "desde la línea de comandos" in text
    assert "Usada en envíos o revisiones" in text
    assert f'href="{EDIT}"' in text


def test_detail_without_catalog_offers_to_load_one(client: FlaskClient, admin: Any) -> None:
    create_cycle(2026)
    response = client.get("/admin/requisitos/2026")
    assert response.status_code == 200
    assert "aún no tiene catálogo de requisitos" in page(response)


def test_form_starts_from_the_starting_catalog_or_the_current_one(
    client: FlaskClient, admin: Any
) -> None:
    cycle = create_cycle(2026)
    assert starting_catalog_text() in page(client.get(EDIT))
    catalog = load_starting_catalog(cycle)
    catalog.source = catalog.source.replace("# Catálogo", "# Mi catálogo")
    db.session.commit()
    assert "# Mi catálogo" in page(client.get(EDIT))


def test_valid_text_is_stored_and_recorded(client: FlaskClient, admin: Any) -> None:
    cycle = create_cycle(2026)
    text = starting_catalog_text().replace("\n", "\r\n")
    response = client.post(EDIT, data={"source": text})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/requisitos/2026"
    catalog = current_catalog(cycle)
    assert (catalog.version, len(catalog.requirements)) == ("1", 10)
    assert catalog.source == starting_catalog_text()
    assert catalog.loaded_by.email == "admin@modernizacion.gob.cl"
    assert actor_of(only(AuditAction.REQUIREMENTS_LOAD)) == (
        catalog.loaded_by.id,
        "admin@modernizacion.gob.cl",
        "admin",
    )
    followed = page(client.get("/admin/requisitos/2026"))
    assert "Catálogo 2026 versión 1: creado (10 requisitos)." in followed


def test_invalid_text_is_shown_again_with_its_problems(client: FlaskClient, admin: Any) -> None:
    create_cycle(2026)
    text = "version: '1'\nrequisitos:\n  - codigo: R01\n    titulo: [sin cerrar\n"
    response = client.post(EDIT, data={"source": text})
    assert response.status_code == 422
    body = page(response)
    assert "El texto no es YAML válido: hay un error en la línea 5, columna 1." in body
    assert 'id="source-error"' in body
    assert 'aria-invalid="true"' in body
    assert text in body
    assert catalog_count() == 0


def test_empty_text_is_required(client: FlaskClient, admin: Any) -> None:
    create_cycle(2026)
    response = client.post(EDIT, data={"source": ""})
    assert response.status_code == 422
    assert "Complete este campo." in page(response)


def test_changing_a_used_version_is_refused_at_the_field(client: FlaskClient, admin: Any) -> None:
    cycle = create_cycle(2026)
    load_starting_catalog(cycle)
    create_submitted_diagnostic(create_institution(), cycle)
    changed = starting_catalog_text().replace("R10", "R11")
    response = client.post(EDIT, data={"source": changed})
    assert response.status_code == 422
    body = page(response)
    assert "Cambie «version» para cargar una versión nueva." in body
    assert "codigo: R11" in body
    db.session.expire_all()
    assert current_catalog(cycle).requirements[-1].code == "R10"
