"""Pages of the long lists: the page number in the query string, and a page past the end.

Every paginated list (institutions, users, audit trail, mail outbox) reads ``pagina`` the
same way: a whole number from 1 to the top of the database's integer range; anything else
is 404 and never reaches the database; a number past the last page shows the last page.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from pmg.auth.models import User
from pmg.core.pagination import paginate, requested_page
from pmg.core.permissions import Role
from pmg.core.routing import DB_INT_MAX
from pmg.extensions import db
from pmg.notifications.operations import queue_mail
from tests.factories import create_institution, create_user

PAGE_SIZE = 2
LISTS = {
    "instituciones": "/instituciones/",
    "usuarios": "/admin/usuarios",
    "auditoría": "/admin/auditoria",
    "correo": "/admin/correo",
}
NOT_A_PAGE = {
    "cero": "0",
    "negativo": "-1",
    "texto": "dos",
    "fracción": "1.5",
    "exponente": "1e3",
    "20 cifras": "12345678901234567890",
    "2**31": str(2**31),
    "superíndice": "²",
    "espacio": " 2",
}
TOTAL = re.compile(r"Página (\d+) de (\d+) · (\d+) resultados")
TBODY = re.compile(r"<tbody>.*?</tbody>", re.S)
CSRF_TOKEN = re.compile(r'(name="csrf_token" value=")[^"]*')


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"PMG_PAGE_SIZE": PAGE_SIZE}


@pytest.fixture
def filled(client: FlaskClient, login_as: Any) -> None:
    """Five rows or more in every list, so each has at least three pages."""
    login_as(create_user(Role.ADMIN, email="jefa@modernizacion.gob.cl"))
    for number in range(5):
        create_institution()
        create_user(Role.DIPRES)
        queue_mail(f"persona{number}@servicio.gob.cl", f"Asunto {number}", "Cuerpo")
    db.session.commit()


def _get(client: FlaskClient, path: str, **args: str) -> tuple[int, str]:
    response = client.get(path, query_string=args)
    return response.status_code, response.get_data(as_text=True)


def _rows(body: str) -> str:
    """The table's rows, without the forms' CSRF tokens (they carry the time)."""
    match = TBODY.search(body)
    assert match, "no table on the page"
    return CSRF_TOKEN.sub(r"\1", match.group(0))


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("asked", ["99", str(DB_INT_MAX)], ids=["99", "máximo de la base"])
def test_page_past_the_end_shows_the_last_page(
    client: FlaskClient, filled: None, name: str, asked: str
) -> None:
    path = LISTS[name]
    _, first = _get(client, path)
    match = TOTAL.search(first)
    assert match, "no pagination on the first page"
    last = match.group(2)
    assert int(last) >= 3
    status, past = _get(client, path, pagina=asked)
    _, last_page = _get(client, path, pagina=last)
    assert status == 200
    assert f"Página {last} de {last} · {match.group(3)} resultados" in past
    assert _rows(past) == _rows(last_page)
    assert 'rel="next"' not in past


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("asked", NOT_A_PAGE.values(), ids=NOT_A_PAGE.keys())
def test_page_that_is_no_page_number_is_404(
    client: FlaskClient, filled: None, name: str, asked: str
) -> None:
    path = LISTS[name]
    status, _ = _get(client, path, pagina=asked)
    assert status == 404


# --- The helpers, called directly -------------------------------------------------------


@pytest.mark.parametrize(
    ("query_string", "page"),
    [
        ("", 1),
        ("pagina=", 1),
        ("pagina=1", 1),
        ("pagina=0042", 42),
        (f"pagina={DB_INT_MAX}", DB_INT_MAX),
    ],
)
def test_requested_page_reads_whole_numbers(app: Flask, query_string: str, page: int) -> None:
    with app.test_request_context(f"/?{query_string}"):
        assert requested_page() == page


@pytest.mark.parametrize("asked", NOT_A_PAGE.values(), ids=NOT_A_PAGE.keys())
def test_requested_page_refuses_anything_else_with_404(app: Flask, asked: str) -> None:
    with app.test_request_context("/", query_string={"pagina": asked}), pytest.raises(NotFound):
        requested_page()


def test_paginate_reads_the_last_page_for_a_page_past_the_end(app: Flask) -> None:
    for number in range(5):
        create_user(Role.DIPRES, name=f"Persona {number}")
    found = paginate(select(User).order_by(User.name), page=DB_INT_MAX)
    assert (found.page, found.pages, found.total) == (3, 3, 5)
    assert [user.name for user in found.items] == ["Persona 4"]


def test_paginate_of_nothing_is_one_empty_page(app: Flask) -> None:
    found = paginate(select(User), page=7)
    assert (found.page, found.pages, found.total, found.items) == (1, 0, 0, [])
