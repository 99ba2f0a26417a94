from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.institutions.models import Institution
from tests.factories import create_institution, create_user
from tests.institutions.workbooks import REAL_CATALOG, catalog_row, catalog_xlsx

URL = "/instituciones/importar"


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Institution))


def _upload(client: FlaskClient, data: bytes, name: str = "catalogo.xlsx") -> Any:
    return client.post(
        URL, data={"file": (BytesIO(data), name)}, content_type="multipart/form-data"
    )


def test_import_page_shows_the_upload_form_to_admin(client: FlaskClient, login_as: Any) -> None:
    login_as(create_user(Role.ADMIN))
    response = client.get(URL)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<label for="file">Archivo del catálogo (.xlsx)</label>' in body
    assert 'accept=".xlsx"' in body
    assert 'enctype="multipart/form-data"' in body


def test_import_page_upload_shows_the_summary_and_skipped_rows(
    client: FlaskClient, login_as: Any
) -> None:
    login_as(create_user(Role.ADMIN))
    response = _upload(client, REAL_CATALOG.read_bytes())
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "created 166, updated 0, unchanged 0, skipped 2" in body
    assert "<caption>Filas omitidas</caption>" in body
    assert '<tr><td class="num">168</td><td>Fila vacía.</td></tr>' in body
    assert (
        '<tr><td class="num">169</td>'
        "<td>No es la fila de una institución: no tiene MINISTERIO ni SERVICIO.</td></tr>"
    ) in body
    db.session.rollback()
    assert _count() == 166


def test_import_page_second_upload_reports_everything_unchanged(
    client: FlaskClient, login_as: Any
) -> None:
    login_as(create_user(Role.ADMIN))
    _upload(client, REAL_CATALOG.read_bytes())
    response = _upload(client, REAL_CATALOG.read_bytes())
    assert "created 0, updated 0, unchanged 166, skipped 2" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"a,b,c\n1,2,3\n", "El archivo no es un libro Excel (.xlsx) válido."),
        (
            catalog_xlsx([("M", "S")], headers=("MINISTERIO", "SERVICIO")),
            "El archivo no tiene el formato del catálogo de instituciones; faltan las columnas: "
            "codigo_interno_SCSEU, COMPROMETE SISTEMA (final), ETAPA, "
            "COMPROMETE SISTEMA CON MESU (final), Categoría funcional.",
        ),
    ],
    ids=["renamed csv", "another layout"],
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
    assert 'aria-describedby="file-ayuda file-error"' in body
    assert _count() == 0


def test_import_page_invalid_rows_are_listed_at_the_field_and_change_nothing(
    client: FlaskClient, login_as: Any
) -> None:
    login_as(create_user(Role.ADMIN))
    create_institution("1306", "ANTES")
    rows = [catalog_row("1306"), catalog_row("1303", ETAPA="Etapa 9"), catalog_row("1306")]
    response = _upload(client, catalog_xlsx(rows))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    headline = "No se importó nada: el archivo tiene 2 errores. Corríjalos y vuelva a importarlo."
    assert (
        f'<p class="field-error" id="file-error">'
        f'<span class="visually-hidden">Error:</span> {headline}</p>'
    ) in body
    assert f'<a href="#file">Archivo del catálogo (.xlsx): {headline}</a>' in body
    assert '<table class="table" id="file-errores">' in body
    assert (
        '<tr><td class="num">3</td><td>ETAPA</td><td>El valor «Etapa 9» no es válido '
        "(se espera: Etapa 1, Etapa 2, Etapa 3, SAIP).</td></tr>"
    ) in body
    assert (
        '<tr><td class="num">4</td><td>codigo_interno_SCSEU</td>'
        "<td>El código 1306 ya aparece en la fila 2.</td></tr>"
    ) in body
    assert 'aria-describedby="file-ayuda file-error file-errores"' in body
    assert "Importación completada" not in body
    db.session.rollback()
    assert list(db.session.execute(select(Institution.code, Institution.name))) == [
        ("1306", "ANTES")
    ]


def test_import_page_without_a_file_asks_for_one(client: FlaskClient, login_as: Any) -> None:
    login_as(create_user(Role.ADMIN))
    response = client.post(URL, data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Seleccione el archivo .xlsx del catálogo." in response.get_data(as_text=True)


class TestRowCap:
    @pytest.fixture
    def app_config(self) -> dict[str, Any]:
        return {"PMG_IMPORT_MAX_ROWS": 3}

    def test_import_page_failure_after_valid_rows_leaves_the_database_unchanged(
        self, client: FlaskClient, login_as: Any
    ) -> None:
        login_as(create_user(Role.ADMIN))
        rows = [catalog_row(str(code)) for code in range(1, 5)]
        response = _upload(client, catalog_xlsx(rows))
        assert response.status_code == 422
        assert "El archivo supera el máximo de 3 filas." in response.get_data(as_text=True)
        db.session.rollback()
        assert _count() == 0


class TestUploadLimit:
    @pytest.fixture
    def app_config(self) -> dict[str, Any]:
        return {"PMG_MAX_UPLOAD_BYTES": 1024 * 1024}

    def test_import_page_refuses_a_file_over_the_upload_limit(
        self, client: FlaskClient, login_as: Any
    ) -> None:
        login_as(create_user(Role.ADMIN))
        response = _upload(client, b"x" * (1024 * 1024 + 1))
        assert response.status_code == 422
        assert "El archivo supera el tamaño máximo de 1 MB." in response.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.REVIEWER, Role.DIPRES])
def test_import_page_is_forbidden_to_other_roles(
    client: FlaskClient, login_as: Any, role: Role
) -> None:
    login_as(create_user(role))
    assert client.get(URL).status_code == 403
    assert _upload(client, REAL_CATALOG.read_bytes()).status_code == 403
    assert _count() == (1 if role is Role.COORDINATOR else 0)


def test_import_page_sends_anonymous_visitors_to_login(client: FlaskClient) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/ingresar")
