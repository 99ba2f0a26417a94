from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from pmg.core.permissions import Role
from pmg.cycles.models import Cycle
from pmg.extensions import db
from pmg.indicators.models import Procedure, ProcedureFigures
from tests.factories import create_institution, create_user
from tests.indicators.workbooks import consolidated_xlsx, official_workbook, procedure

URL = "/admin/indicadores/importar"


def _count(model: type[Any]) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _upload(client: FlaskClient, data: bytes, **fields: Any) -> Any:
    return client.post(
        URL,
        data={"file": (BytesIO(data), "consolidado.xlsx"), **fields},
        content_type="multipart/form-data",
    )


@pytest.fixture
def tramites() -> bytes:
    institutions = [create_institution(code) for code in ("1306", "3101_61")]
    return official_workbook("tramites", [*institutions, ("9999", "X")], [2023, 2024], seed=4)


def test_import_page_shows_the_upload_form_to_admin(client: FlaskClient, login_as: Any) -> None:
    login_as(create_user(Role.ADMIN))
    response = client.get(URL)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<label for="file">Consolidado de indicadores (.xlsx)</label>' in body
    assert '<label for="cycle_year">Ciclo de las metas (opcional)</label>' in body
    assert 'accept=".xlsx"' in body
    assert 'enctype="multipart/form-data"' in body
    assert f'<a href="{URL}" aria-current="page">Importar indicadores</a>' in body


def test_import_page_upload_shows_the_summary_and_skipped_rows(
    client: FlaskClient, login_as: Any, tramites: bytes
) -> None:
    login_as(create_user(Role.ADMIN))
    response = _upload(client, tramites)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Consolidado de trámites y servicios relevantes, años 2023, 2024." in body
    assert "created 3, updated 0, unchanged 0, skipped 3" in body
    assert "<caption>Filas omitidas</caption>" in body
    for row_number in (5, 6, 7):  # the three procedures of an institution not in the catalog
        assert (
            f'<tr><td class="num">{row_number}</td>'
            "<td>El código 9999 no está en el catálogo de instituciones.</td></tr>"
        ) in body
    db.session.rollback()
    assert _count(Procedure) == 3


def test_import_page_second_upload_reports_everything_unchanged(
    client: FlaskClient, login_as: Any, tramites: bytes
) -> None:
    login_as(create_user(Role.ADMIN))
    _upload(client, tramites)
    response = _upload(client, tramites)
    assert "created 0, updated 0, unchanged 3, skipped 3" in response.get_data(as_text=True)


def test_import_page_targets_go_to_the_cycle_given(client: FlaskClient, login_as: Any) -> None:
    login_as(create_user(Role.ADMIN))
    institution = create_institution("1306")
    data = official_workbook("saip", [institution], [2024], seed=1)
    response = _upload(client, data, cycle_year="2030")
    body = response.get_data(as_text=True)
    assert "Metas del ciclo 2030 (ciclo creado con plazos por omisión)." in body
    assert "Revise los plazos del ciclo 2030" in body
    db.session.rollback()
    assert list(db.session.scalars(select(Cycle.year))) == [2030]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"a,b,c\n1,2,3\n", "El archivo no es un libro Excel (.xlsx) válido."),
        (
            consolidated_xlsx("tramites", [2024], [], without=["2024_mediana"]),
            "El archivo no tiene el formato de un consolidado de indicadores; "
            "para el de trámites y servicios relevantes faltan las columnas: 2024_mediana.",
        ),
    ],
    ids=["renamed csv", "incomplete year"],
)
def test_import_page_failure_shows_the_message_at_the_field_with_422(
    client: FlaskClient, login_as: Any, data: bytes, message: str
) -> None:
    login_as(create_user(Role.ADMIN))
    response = _upload(client, data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert (
        f'<p class="field-error" id="file-error">'
        f'<span class="visually-hidden">Error:</span> {message}</p>'
    ) in body
    assert _count(Procedure) == 0


def test_import_page_invalid_rows_are_listed_at_the_field_and_change_nothing(
    client: FlaskClient, login_as: Any
) -> None:
    login_as(create_user(Role.ADMIN))
    create_institution("1306")
    rows = [
        procedure("1306", "Certificado", 2024),
        procedure("1306", "Concurso", 2024, handled="mucho"),
    ]
    response = _upload(client, consolidated_xlsx("tramites", [2024], rows))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    headline = "No se importó nada: el archivo tiene 1 error. Corríjalo y vuelva a importarlo."
    assert (
        f'<p class="field-error" id="file-error">'
        f'<span class="visually-hidden">Error:</span> {headline}</p>'
    ) in body
    assert (
        '<tr><td class="num">3</td><td>2024_n_transacciones_gestionadas_en_el_ano</td>'
        "<td>El valor «mucho» no es un número.</td></tr>"
    ) in body
    db.session.rollback()
    assert (_count(Procedure), _count(ProcedureFigures)) == (0, 0)


def test_import_page_refuses_an_impossible_cycle_year(client: FlaskClient, login_as: Any) -> None:
    login_as(create_user(Role.ADMIN))
    create_institution("1306")
    response = _upload(
        client,
        consolidated_xlsx("tramites", [2024], [procedure("1306", "A", 2024)]),
        cycle_year="1990",
    )
    assert response.status_code == 422
    assert "Escriba un año entre 2000 y 2100." in response.get_data(as_text=True)
    assert _count(Procedure) == 0


def test_import_page_without_a_file_asks_for_one(client: FlaskClient, login_as: Any) -> None:
    login_as(create_user(Role.ADMIN))
    response = client.post(URL, data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Seleccione el archivo .xlsx del consolidado." in response.get_data(as_text=True)


class TestRowCap:
    @pytest.fixture
    def app_config(self) -> dict[str, Any]:
        return {"PMG_IMPORT_MAX_ROWS": 3}

    def test_import_page_failure_after_valid_rows_leaves_the_database_unchanged(
        self, client: FlaskClient, login_as: Any
    ) -> None:
        login_as(create_user(Role.ADMIN))
        create_institution("1306")
        rows = [procedure("1306", name, 2024) for name in ("A", "B", "C")]
        response = _upload(client, consolidated_xlsx("tramites", [2024], rows))
        assert response.status_code == 422
        assert "El archivo supera el máximo de 3 filas." in response.get_data(as_text=True)
        db.session.rollback()
        assert (_count(Procedure), _count(ProcedureFigures)) == (0, 0)


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.REVIEWER, Role.DIPRES])
def test_import_page_is_forbidden_to_other_roles(
    client: FlaskClient, login_as: Any, role: Role, tramites: bytes
) -> None:
    login_as(create_user(role))
    assert client.get(URL).status_code == 403
    assert _upload(client, tramites).status_code == 403
    assert _count(Procedure) == 0


def test_import_page_sends_anonymous_visitors_to_login(client: FlaskClient) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/ingresar")


def test_import_link_is_shown_to_admins_only(client: FlaskClient, login_as: Any) -> None:
    login_as(create_user(Role.REVIEWER))
    assert "Importar indicadores" not in client.get("/").get_data(as_text=True)
