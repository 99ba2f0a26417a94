from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.institutions.models import FunctionalCategory, MesuCommitment, Stage
from tests.factories import create_institution, create_ministry, create_sample_catalog, create_user


def _codes(body: str) -> list[str]:
    """Codes listed in the institutions table, in order."""
    return re.findall(r"<tr>\s*<td>([^<]+)</td>", body)


@pytest.fixture
def catalog() -> dict[str, Any]:
    return create_sample_catalog()


# --- Search after an edit (the list itself: tests/dashboard/test_listing.py) ------------


def test_the_search_finds_a_renamed_institution_by_its_new_name(
    client: FlaskClient, login_as: Any
) -> None:
    ministry = create_ministry("MINISTERIO DE EDUCACIÓN")
    institution = create_institution("2502", "SUPERINTENDENCIA DE EDUCACION", ministry=ministry)
    login_as(create_user(Role.ADMIN))
    renamed = _edit_data(institution, name="SUPERINTENDENCIA DE EDUCACIÓN SUPERIOR")
    assert client.post("/instituciones/2502/editar", data=renamed).status_code == 302
    assert _codes(client.get("/instituciones/?q=educacion+superior").get_data(as_text=True)) == [
        "2502"
    ]


# --- Detail ---------------------------------------------------------------------------


def test_detail_shows_the_institution(
    client: FlaskClient, login_as: Any, catalog: dict[str, Any]
) -> None:
    login_as(create_user(Role.REVIEWER))
    response = client.get("/instituciones/3101_61")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    facts = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", body))
    assert facts == {
        "Código": "3101_61",
        "Código de reporte": "Sin código de reporte",
        "Nombre": "FONDO NACIONAL DE SALUD",
        "Ministerio": "MINISTERIO DE SALUD",
        "Etapa": "SAIP",
        "Compromete el sistema": "Sí",
        "Compromete la encuesta de satisfacción (MESU)": "Sí (voluntaria)",
        "Categoría funcional": "EDUCACIÓN Y SALUD",
        "Estado": "Activa",
    }
    assert "/instituciones/3101_61/editar" not in body


def test_detail_offers_editing_to_admin(
    client: FlaskClient, login_as: Any, catalog: dict[str, Any]
) -> None:
    login_as(create_user(Role.ADMIN))
    body = client.get("/instituciones/1306").get_data(as_text=True)
    assert 'href="/instituciones/1306/editar"' in body


def test_detail_coordinator_gets_their_own_institution(
    client: FlaskClient, login_as: Any, catalog: dict[str, Any]
) -> None:
    login_as(create_user(Role.COORDINATOR, institutions=[catalog["riego"]]))
    assert client.get("/instituciones/1306").status_code == 200


def test_detail_coordinator_gets_404_for_another_institution(
    client: FlaskClient, login_as: Any, catalog: dict[str, Any]
) -> None:
    login_as(create_user(Role.COORDINATOR, institutions=[catalog["riego"]]))
    assert client.get("/instituciones/1303").status_code == 404


def test_detail_unknown_code_gives_404(client: FlaskClient, login_as: Any) -> None:
    login_as(create_user(Role.ADMIN))
    assert client.get("/instituciones/no-existe").status_code == 404


# --- Edit -----------------------------------------------------------------------------


def _edit_data(institution: Any, **changes: Any) -> dict[str, Any]:
    data = {
        "name": institution.name,
        "report_code": institution.report_code,
        "ministry_id": str(institution.ministry_id),
        "stage": institution.stage.value,
        "mesu": institution.mesu.value,
        "category": institution.category.value,
        "commits_system": "y",
        "active": "y",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_edit_form_shows_the_current_values(
    client: FlaskClient, login_as: Any, catalog: dict[str, Any]
) -> None:
    login_as(create_user(Role.ADMIN))
    response = client.get("/instituciones/3101_61/editar")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<label for="name">Nombre</label>' in body
    assert 'value="FONDO NACIONAL DE SALUD"' in body
    assert '<option selected value="saip">SAIP</option>' in body
    assert '<option selected value="voluntaria">Sí (voluntaria)</option>' in body
    ministry_id = catalog["fonasa"].ministry_id
    assert f'<option selected value="{ministry_id}">MINISTERIO DE SALUD</option>' in body
    assert 'name="code"' not in body


def test_edit_saves_the_changes_and_redirects_to_the_detail(
    client: FlaskClient, login_as: Any, catalog: dict[str, Any]
) -> None:
    login_as(create_user(Role.ADMIN))
    riego = catalog["riego"]
    health_id = catalog["fonasa"].ministry_id
    data = _edit_data(
        riego,
        name="  COMISIÓN  NACIONAL DE RIEGO ",
        report_code=" 0042 ",
        ministry_id=str(health_id),
        stage="etapa_2",
        mesu="si",
        category="regulacion",
        commits_system=None,
        active=None,
        code="9999",
    )
    response = client.post("/instituciones/1306/editar", data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/instituciones/1306"
    db.session.refresh(riego)
    assert (
        riego.code,
        riego.report_code,
        riego.name,
        riego.ministry_id,
        riego.stage,
        riego.mesu,
        riego.category,
        riego.commits_system,
        riego.active,
    ) == (
        "1306",
        "0042",
        "COMISIÓN NACIONAL DE RIEGO",
        health_id,
        Stage.STAGE_2,
        MesuCommitment.YES,
        FunctionalCategory.REGULATION,
        False,
        False,
    )
    page = client.get("/instituciones/1306").get_data(as_text=True)
    assert "Se guardaron los cambios de COMISIÓN NACIONAL DE RIEGO." in page
    assert "<dt>Código de reporte</dt><dd>0042</dd>" in page


def test_edit_refuses_a_report_code_too_long_and_keeps_what_was_typed(
    client: FlaskClient, login_as: Any, catalog: dict[str, Any]
) -> None:
    login_as(create_user(Role.ADMIN))
    typed = "R" * 65
    response = client.post(
        "/instituciones/1306/editar", data=_edit_data(catalog["riego"], report_code=typed)
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Escriba como máximo 64 caracteres." in body
    assert f'value="{typed}"' in body
    db.session.refresh(catalog["riego"])
    assert catalog["riego"].report_code == ""


def test_edit_without_changes_says_so(
    client: FlaskClient, login_as: Any, catalog: dict[str, Any]
) -> None:
    login_as(create_user(Role.ADMIN))
    client.post("/instituciones/1306/editar", data=_edit_data(catalog["riego"]))
    assert "No hubo cambios que guardar." in client.get("/instituciones/1306").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "   "}, "name", "Complete este campo."),
        ({"name": "X" * 301}, "name", "Escriba como máximo 300 caracteres."),
        ({"stage": "etapa_9"}, "stage", "Seleccione una opción de la lista."),
        ({"ministry_id": "abc"}, "ministry_id", "Seleccione una opción de la lista."),
        ({"ministry_id": "999999"}, "ministry_id", "Seleccione una opción de la lista."),
    ],
)
def test_edit_invalid_values_show_the_error_at_the_field(
    client: FlaskClient,
    login_as: Any,
    catalog: dict[str, Any],
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    login_as(create_user(Role.ADMIN))
    riego = catalog["riego"]
    response = client.post("/instituciones/1306/editar", data=_edit_data(riego, **changes))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(
        rf'<p class="field-error" id="{field}-error">\s*'
        rf'<span class="visually-hidden">Error:</span> {re.escape(message)}\s*</p>',
        body,
    )
    db.session.refresh(riego)
    assert (riego.name, riego.stage) == ("COMISION NACIONAL DE RIEGO", Stage.STAGE_3)


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.REVIEWER, Role.DIPRES])
def test_edit_is_forbidden_to_other_roles(
    client: FlaskClient, login_as: Any, catalog: dict[str, Any], role: Role
) -> None:
    riego = catalog["riego"]
    login_as(create_user(role, institutions=[riego] if role is Role.COORDINATOR else None))
    assert client.get("/instituciones/1306/editar").status_code == 403
    response = client.post("/instituciones/1306/editar", data=_edit_data(riego, name="OTRO"))
    assert response.status_code == 403
    db.session.refresh(riego)
    assert riego.name == "COMISION NACIONAL DE RIEGO"


def test_edit_unknown_code_gives_404(client: FlaskClient, login_as: Any) -> None:
    login_as(create_user(Role.ADMIN))
    assert client.get("/instituciones/no-existe/editar").status_code == 404
