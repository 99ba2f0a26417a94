"""What packages above institutions show on an institution's page: its registered panels."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from markupsafe import Markup, escape

from pmg.core.permissions import Role
from pmg.institutions import panels
from pmg.institutions.models import Institution
from pmg.institutions.panels import register_detail_panel
from tests.factories import create_institution, create_user


def _note(institution: Institution) -> Markup:
    return Markup("<p>Nota sobre {}</p>").format(institution.name)


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The panels of the application, plus any a test registers, for that test only."""
    monkeypatch.setattr(panels, "DETAIL_PANELS", list(panels.DETAIL_PANELS))
    return panels.DETAIL_PANELS


def test_page_shows_every_registered_panel_after_the_facts_in_order(
    client: FlaskClient, login_as: Any, registered: list[Any]
) -> None:
    create_institution("1306", "COMISION <NACIONAL> DE RIEGO")
    register_detail_panel(_note)
    login_as(create_user(Role.REVIEWER))
    body = client.get("/instituciones/1306").get_data(as_text=True)
    note = f"<p>Nota sobre {escape('COMISION <NACIONAL> DE RIEGO')}</p>"
    assert body.index("</dl>") < body.index('<h2 id="envios">Envíos</h2>') < body.index(note)
    assert body.count(note) == 1
