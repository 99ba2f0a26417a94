from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event

from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.institutions.models import FunctionalCategory, MesuCommitment, Stage
from tests.factories import create_institution, create_ministry, create_user


def _codes(body: str) -> list[str]:
    """Codes listed in the institutions table, in order."""
    return re.findall(r"<tr>\s*<td>([^<]+)</td>", body)


@contextmanager
def _count_queries() -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


@pytest.fixture
def catalog() -> dict[str, Any]:
    health = create_ministry("MINISTERIO DE SALUD")
    agriculture = create_ministry("MINISTERIO DE AGRICULTURA")
    return {
        "riego": create_institution(
            "1306",
            "COMISION NACIONAL DE RIEGO",
            ministry=agriculture,
            stage=Stage.STAGE_3,
            category=FunctionalCategory.GENERAL_SERVICES,
        ),
        "indap": create_institution(
            "1303",
            "INSTITUTO DE DESARROLLO AGROPECUARIO",
            ministry=agriculture,
            stage=Stage.STAGE_1,
            category=FunctionalCategory.PRODUCTIVE_PROMOTION,
        ),
        "fonasa": create_institution(
            "3101_61",
            "FONDO NACIONAL DE SALUD",
            ministry=health,
            stage=Stage.SAIP,
            mesu=MesuCommitment.VOLUNTARY,
            category=FunctionalCategory.EDUCATION_HEALTH,
        ),
    }


# --- List -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADMIN, Role.REVIEWER, Role.DIPRES])
def test_index_lists_every_institution_by_ministry_and_name(
    client: FlaskClient, login_as: Any, catalog: dict[str, Any], role: Role
) -> None:
    login_as(create_user(role))
    response = client.get("/instituciones/")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _codes(body) == ["1306", "1303", "3101_61"]
    assert "<caption>Instituciones (3)</caption>" in body
    assert '<form method="get" class="filters" role="search"' in body
    assert '<label for="q">Nombre o código</label>' in body
    assert '<th scope="col">Ministerio</th>' in body


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("q=riego", ["1306"]),
        ("q=NACIONAL", ["1306", "3101_61"]),
        ("q=3101_61", ["3101_61"]),
        ("q=130", ["1306", "1303"]),
        ("etapa=saip", ["3101_61"]),
        ("categoria=fomento_productivo", ["1303"]),
        ("etapa=etapa_3&categoria=servicios_generales", ["1306"]),
        ("etapa=desconocida", ["1306", "1303", "3101_61"]),
    ],
)
def test_index_search_and_filters(
    client: FlaskClient, login_as: Any, catalog: dict[str, Any], query: str, codes: list[str]
) -> None:
    login_as(create_user(Role.ADMIN))
    body = client.get(f"/instituciones/?{query}").get_data(as_text=True)
    assert _codes(body) == codes


def test_index_filters_by_ministry_and_keeps_it_selected(
    client: FlaskClient, login_as: Any, catalog: dict[str, Any]
) -> None:
    login_as(create_user(Role.ADMIN))
    ministry_id = catalog["fonasa"].ministry_id
    body = client.get(f"/instituciones/?ministerio={ministry_id}").get_data(as_text=True)
    assert _codes(body) == ["3101_61"]
    assert f'<option value="{ministry_id}" selected>MINISTERIO DE SALUD</option>' in body


def test_index_without_matches_says_so(
    client: FlaskClient, login_as: Any, catalog: dict[str, Any]
) -> None:
    login_as(create_user(Role.ADMIN))
    body = client.get("/instituciones/?q=inexistente").get_data(as_text=True)
    assert '<td colspan="6">No hay instituciones que coincidan con la búsqueda.</td>' in body
    assert 'value="inexistente"' in body


@pytest.fixture
def spelled() -> dict[str, Any]:
    """Names with accents, ñ and the characters LIKE treats specially, in one ministry."""
    ministry = create_ministry("MINISTERIO DE DESARROLLO SOCIAL Y FAMILIA")
    names = [
        ("2501", "DEFENSORÍA DE LA NIÑEZ"),
        ("2502", "SUPERINTENDENCIA DE EDUCACION"),
        ("2503", "PROGRAMA 100% CHILE"),
        ("2504_1", "SERVICIO DE SALUD O'HIGGINS / LIBERTADOR"),
        ("2505", "UNIDAD C:\\ARCHIVO"),
    ]
    return {code: create_institution(code, name, ministry=ministry) for code, name in names}


@pytest.mark.parametrize(
    ("typed", "codes"),
    [
        ("ninez", ["2501"]),
        ("NIÑEZ", ["2501"]),
        ("niñ", ["2501"]),
        ("defensoria", ["2501"]),
        ("educación", ["2502"]),
        ("EDUCACIÓN", ["2502"]),
        ("  superintendencia   DE  ", ["2502"]),
        # ñ is read as n, as "ninez" finds "NIÑEZ".
        ("ñ", ["2501", "2504_1", "2502", "2505"]),
        ("%", ["2503"]),
        ("100%", ["2503"]),
        ("_", ["2504_1"]),
        ("4_1", ["2504_1"]),
        ("/", ["2504_1"]),
        ("o'higgins", ["2504_1"]),
        ("\\", ["2505"]),
        ("c:\\arch", ["2505"]),
        ("2501 defensoria", []),
        ("%%", []),
    ],
)
def test_index_search_ignores_case_and_accents_and_reads_every_character_literally(
    client: FlaskClient, login_as: Any, spelled: dict[str, Any], typed: str, codes: list[str]
) -> None:
    login_as(create_user(Role.REVIEWER))
    response = client.get("/instituciones/", query_string={"q": typed})
    assert response.status_code == 200
    assert _codes(response.get_data(as_text=True)) == codes


def test_index_search_finds_a_renamed_institution_by_its_new_name(
    client: FlaskClient, login_as: Any, spelled: dict[str, Any]
) -> None:
    login_as(create_user(Role.ADMIN))
    renamed = _edit_data(spelled["2502"], name="SUPERINTENDENCIA DE EDUCACIÓN SUPERIOR")
    assert client.post("/instituciones/2502/editar", data=renamed).status_code == 302
    assert _codes(client.get("/instituciones/?q=educacion+superior").get_data(as_text=True)) == [
        "2502"
    ]


@pytest.mark.parametrize("ministry", ["12345678901234567890", "abc", "-1", "²", "99999"])
def test_index_unknown_ministry_filter_is_400_with_the_message_at_the_field(
    client: FlaskClient, login_as: Any, catalog: dict[str, Any], ministry: str
) -> None:
    login_as(create_user(Role.ADMIN))
    response = client.get("/instituciones/", query_string={"ministerio": ministry})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(
        r'<p class="field-error" id="ministerio-error">\s*'
        r'<span class="visually-hidden">Error:</span>'
        r" El ministerio pedido no existe; elija uno de la lista.\s*</p>",
        body,
    )
    assert 'aria-describedby="ministerio-error"' in body
    assert _codes(body) == ["1306", "1303", "3101_61"]


class TestPagination:
    @pytest.fixture
    def app_config(self) -> dict[str, Any]:
        return {"PMG_PAGE_SIZE": 2}

    def test_index_paginates_and_keeps_the_filters_in_the_links(
        self, client: FlaskClient, login_as: Any, catalog: dict[str, Any]
    ) -> None:
        login_as(create_user(Role.ADMIN))
        first = client.get("/instituciones/?q=a").get_data(as_text=True)
        second = client.get("/instituciones/?q=a&pagina=2").get_data(as_text=True)
        assert _codes(first) == ["1306", "1303"]
        assert _codes(second) == ["3101_61"]
        assert "Página 1 de 2 · 3 resultados" in first
        assert 'href="/instituciones/?pagina=2&amp;q=a' in first


def test_index_does_not_query_per_row(client: FlaskClient, login_as: Any) -> None:
    login_as(create_user(Role.REVIEWER))
    for number in range(3):
        create_institution(ministry=create_ministry(f"MINISTERIO {number}"))
    with _count_queries() as few:
        client.get("/instituciones/")
    for number in range(3, 15):
        create_institution(ministry=create_ministry(f"MINISTERIO {number}"))
    with _count_queries() as many:
        body = client.get("/instituciones/").get_data(as_text=True)
    assert len(_codes(body)) == 15
    assert len(many) == len(few)


def test_index_coordinator_sees_only_their_institutions(
    client: FlaskClient, login_as: Any, catalog: dict[str, Any]
) -> None:
    login_as(create_user(Role.COORDINATOR, institutions=[catalog["riego"], catalog["fonasa"]]))
    body = client.get("/instituciones/").get_data(as_text=True)
    assert _codes(body) == ["1306", "3101_61"]
    assert "INSTITUTO DE DESARROLLO AGROPECUARIO" not in body
    assert _codes(client.get("/instituciones/?q=1303").get_data(as_text=True)) == []


def test_index_sends_anonymous_visitors_to_login(client: FlaskClient) -> None:
    response = client.get("/instituciones/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/ingresar")


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
