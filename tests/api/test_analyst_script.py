"""What issue 15 is for: a DIPRES analyst's script, guided only by the published OpenAPI
document, fetches every institution's state, every version's content and its SHA-256, and
every row of each consolidated sheet of the cycle, page after page by the links.

The script below reads nothing it was not told by the document: each path it asks for is
one of the document's, and each field it reads is declared in that operation's answer.
What it gathers is then compared with the database.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from pmg.api.sheets import json_row
from pmg.cycles.queries import get_cycle
from pmg.exports.workbook import cycle_tables
from pmg.extensions import db
from pmg.institutions.models import Institution
from pmg.submissions.models import SubmissionVersion
from tests.api.test_endpoints import _build

PER_PAGE = 2  # small pages, so the script has to follow the links


class Script:
    """An API client that only goes where the document says, reading only what it declares."""

    def __init__(self, client: FlaskClient, headers: dict[str, str]) -> None:
        self.client, self.headers = client, headers
        self.document: dict[str, Any] = client.get("/api/v1/openapi.json").json

    def schema(self, template: str) -> dict[str, Any]:
        operation = self.document["paths"][template]["get"]
        return self._resolved(operation["responses"]["200"]["content"]["application/json"])

    def _resolved(self, node: dict[str, Any]) -> dict[str, Any]:
        if "schema" in node:
            node = node["schema"]
        if "$ref" in node:
            name = node["$ref"].removeprefix("#/components/schemas/")
            return self._resolved(self.document["components"]["schemas"][name])
        return node

    def declared(self, schema: dict[str, Any], *path: str) -> dict[str, Any]:
        """The schema of ``path`` inside ``schema``: each step a declared property (or the
        items of a declared array)."""
        for name in path:
            schema = self._resolved(schema["properties"][name])
            if schema.get("type") == "array" or "items" in schema:
                schema = self._resolved(schema["items"])
        return schema

    def get(self, template: str, query: str = "", **values: Any) -> tuple[Any, dict[str, Any]]:
        """The JSON of the document's path ``template`` filled with ``values``, and the
        schema its answer declares."""
        assert template in self.document["paths"], template
        path = template.format(**values) + (f"?{query}" if query else "")
        return self.follow(path), self.schema(template)

    def follow(self, path: str) -> Any:
        response = self.client.get(path, headers=self.headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.json

    def every_item(self, template: str, query: str, **values: Any) -> list[Any]:
        """Every item of a paged list, following ``links.next`` from the first page."""
        paging = f"per_page={PER_PAGE}"
        body, schema = self.get(template, f"{query}&{paging}" if query else paging, **values)
        for field in ("items", "links", "total"):
            assert field in schema["properties"], (template, field)
        assert "next" in self.declared(schema, "links")["properties"]
        items = list(body["items"])
        while "next" in body["links"]:
            body = self.follow(body["links"]["next"])
            items += body["items"]
        assert len(items) == body["total"]
        return items


def test_an_analysts_script_fetches_everything_guided_by_the_document(
    app: Flask, client: FlaskClient
) -> None:
    data = _build()
    script = Script(client, data.headers)

    cycles, cycles_schema = script.get("/api/v1/cycles")
    assert "year" in script.declared(cycles_schema, "items")["properties"]
    year = cycles["items"][0]["year"]  # newest first, as the document says

    institutions = script.every_item("/api/v1/institutions", f"cycle={year}")
    row_schema = script.schema("/api/v1/institutions")
    standing = script.declared(row_schema, "items", "standings")
    assert {"kind", "state"} <= set(standing["properties"])
    states = {
        row["institution"]["code"]: {item["kind"]: item["state"] for item in row["standings"]}
        for row in institutions
    }
    assert sorted(states) == sorted(db.session.scalars(select(Institution.code)))
    assert states["1306"]["diagnostic"] == "observed"
    assert states["3101_61"]["plan"] == "submitted"

    submissions = script.every_item("/api/v1/submissions", f"cycle={year}")
    version_schema = script.declared(script.schema("/api/v1/submissions"), "items", "versions")
    assert {"id", "content_sha256"} <= set(version_schema["properties"])
    versions = [version for item in submissions for version in item["versions"]]
    assert len(versions) == db.session.scalar(select(func.count(SubmissionVersion.id)))
    for version in versions:
        assert "/api/v1/versions/{version_id}/content" in script.document["paths"]
        content = client.get(f"/api/v1/versions/{version['id']}/content", headers=data.headers)
        assert hashlib.sha256(content.data).hexdigest() == version["content_sha256"]

    listed, sheets_schema = script.get("/api/v1/cycles/{year}/sheets", year=year)
    assert {"name", "rows", "columns"} <= set(script.declared(sheets_schema, "items")["properties"])
    cycle = get_cycle(year)
    assert cycle is not None
    _, tables = cycle_tables(cycle)
    assert [item["name"] for item in listed["items"]] == [table.title for table in tables]
    for item, table in zip(listed["items"], tables, strict=True):
        rows = script.every_item(
            "/api/v1/cycles/{year}/sheets/{name}", "", year=year, name=item["name"]
        )
        assert len(rows) == item["rows"]
        assert rows == [json_row(table.headers, tuple(row)) for row in table.rows]
