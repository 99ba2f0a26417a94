from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pmg.core.permissions import Role
from pmg.core.xlsx import XLSX_MIMETYPE
from tests.exports.reading import SHEETS, records, sheets
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
)

READERS = [Role.REVIEWER, Role.DIPRES, Role.ADMIN]


@pytest.fixture
def cycle(app: Flask) -> Any:
    cycle = create_cycle(2026)
    create_submitted_diagnostic(create_institution("1306"), cycle)
    return cycle


@pytest.mark.parametrize("role", READERS, ids=lambda role: role.value)
def test_download_is_an_xlsx_attachment_named_after_the_cycle(
    client: FlaskClient, login_as: Any, cycle: Any, role: Role
) -> None:
    login_as(create_user(role))
    response = client.get("/reportes/consolidado.xlsx?ciclo=2026&desde=2024&hasta=2025")
    assert response.status_code == 200
    assert response.mimetype == XLSX_MIMETYPE
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="consolidado_cseu_2026.xlsx"'
    )
    assert response.headers["Cache-Control"] == "private, no-store"
    workbook = sheets(response.data)
    assert list(workbook) == SHEETS
    assert workbook["reclamos"][0][3] == "2024_n_de_reclamos_respondidos_en_el_ano"
    assert records(workbook["estado"])[0]["estado_diagnostico"] == "Enviado"


def test_download_defaults_to_the_current_cycle(
    client: FlaskClient, login_as: Any, cycle: Any
) -> None:
    login_as(create_user(Role.DIPRES))
    response = client.get("/reportes/consolidado.xlsx")
    assert response.status_code == 200
    assert 'filename="consolidado_cseu_2026.xlsx"' in response.headers["Content-Disposition"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("desde=2025&hasta=2023", "El año inicial (2025) es posterior al año final (2023)."),
        ("desde=20x4", "Escriba el año «desde» con cuatro cifras, por ejemplo 2024."),
        ("hasta=2026", "no puede ser posterior al año de referencia del ciclo 2026 (2025)."),
    ],
)
def test_wrong_years_show_the_form_again_with_the_reason(
    client: FlaskClient, login_as: Any, cycle: Any, query: str, message: str
) -> None:
    login_as(create_user(Role.REVIEWER))
    response = client.get(f"/reportes/consolidado.xlsx?ciclo=2026&{query}")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "No se pudo generar el consolidado" in page
    assert message in page
    assert 'role="alert"' in page


def test_an_unknown_cycle_is_not_found(client: FlaskClient, login_as: Any, cycle: Any) -> None:
    login_as(create_user(Role.ADMIN))
    assert client.get("/reportes/consolidado.xlsx?ciclo=1999").status_code == 404
    assert client.get("/reportes/?ciclo=1999").status_code == 404


def test_the_page_has_a_labelled_form_pointing_at_the_download(
    client: FlaskClient, login_as: Any, cycle: Any
) -> None:
    create_cycle(2025, current=False)
    login_as(create_user(Role.DIPRES))
    page = client.get("/reportes/").get_data(as_text=True)
    assert 'action="/reportes/consolidado.xlsx"' in page
    assert 'method="get"' in page
    for field in ("ciclo", "desde", "hasta"):
        assert f'<label for="{field}">' in page
        assert f'id="{field}" name="{field}"' in page
    assert '<option value="2026" selected>' in page.replace("\n", "").replace("  ", "")
    assert 'aria-current="page">Reportes</a>' in page


@pytest.mark.parametrize("path", ["/reportes/", "/reportes/consolidado.xlsx?ciclo=2026"])
def test_coordinators_are_refused_and_anonymous_visitors_sent_to_login(
    client: FlaskClient, login_as: Any, cycle: Any, path: str
) -> None:
    anonymous = client.get(path)
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/ingresar?next=")
    login_as(create_user(Role.COORDINATOR))
    assert client.get(path).status_code == 403


def test_the_nav_link_is_only_for_roles_that_may_download(
    client: FlaskClient, login_as: Any, cycle: Any
) -> None:
    login_as(create_user(Role.COORDINATOR))
    assert "Reportes" not in client.get("/").get_data(as_text=True)
