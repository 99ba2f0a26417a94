"""Row numbers in a posted draft that no page writes: nothing happens, and no 500."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pmg.core.permissions import Role
from tests.factories import create_cycle, create_institution, create_user

NO_ROW = {"superscript": "²", "10000-digits": "9" * 10_000, "20-digits": "12345678901234567890"}


@pytest.mark.parametrize("number", NO_ROW.values(), ids=NO_ROW.keys())
@pytest.mark.parametrize(
    "data",
    [{"accion": "quitar:procedures:{number}"}, {"procedures-{number}-name": "Trámite"}],
    ids=["remove-button", "field-name"],
)
def test_a_row_number_no_page_writes_answers_the_form(
    app: Flask, client: FlaskClient, login_as, data: dict[str, str], number: str
) -> None:
    institution = create_institution("1306")
    create_cycle()
    login_as(create_user(Role.COORDINATOR, institutions=[institution]))
    posted = {key.format(number=number): value.format(number=number) for key, value in data.items()}
    response = client.post("/instituciones/1306/diagnostico", data=posted)
    assert response.status_code == 302
