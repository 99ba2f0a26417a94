"""The API's consolidated sheets are built once for each state of the data: every page and
the CSV of every sheet read them from there until a write, after which they are built again
(and an ETag of before is no longer answered 304)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pmg.api import sheets
from pmg.core.permissions import Role
from pmg.exports.workbook import cycle_tables
from pmg.extensions import db
from pmg.indicators.models import ComplaintFigures
from tests.api.tokens import bearer
from tests.factories import create_cycle, create_institution, create_user


def test_the_sheets_are_built_once_for_each_state_of_the_data(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    cycle = create_cycle(2026)
    institution = create_institution("1306")
    db.session.add(ComplaintFigures(institution_id=institution.id, year=2024, received=20))
    headers = bearer(create_user(Role.DIPRES))
    built: list[int] = []

    def counted(cycle: Any) -> Any:
        built.append(cycle.year)
        return cycle_tables(cycle)

    monkeypatch.setattr(sheets, "cycle_tables", counted)
    path = f"/api/v1/cycles/{cycle.year}/sheets"
    etag = client.get(path, headers=headers).headers["ETag"]
    client.get(f"{path}/reclamos", headers=headers)
    client.get(f"{path}/reclamos.csv", headers=headers)
    assert built == [2026]
    create_institution("3101_61")
    response = client.get(f"{path}/instituciones", headers={**headers, "If-None-Match": etag})
    assert response.status_code == 200 and built == [2026, 2026]
    assert [row["codigo_interno_SCSEU"] for row in response.json["items"]] == [1306, "3101_61"]
    assert client.get(path, headers={**headers, "If-None-Match": etag}).status_code == 200
