"""Schemathesis against the published OpenAPI document: requests generated from it, valid
and invalid, get the answers it describes (status, media type, headers, body), and never a
500. Bounded to run in seconds.

The cases come from the schema's Hypothesis strategies (``as_strategy``) rather than
``schemathesis.pytest.from_fixture``, whose lazy loading renames pytest's nodes through an
attribute pytest 9 no longer has.
"""

from __future__ import annotations

import csv
from io import StringIO
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.core.deserialization import DeserializationContext
from schemathesis.core.transport import Response

from pmg.core.delimited import BYTE_ORDER_MARK, CSV_MIMETYPE, SEPARATOR
from pmg.core.permissions import Role
from pmg.core.xlsx import reads_as_formula
from pmg.cycles.queries import get_cycle
from pmg.extensions import db
from pmg.indicators.models import ComplaintFigures, SaipFigures
from pmg.institutions.models import Institution
from tests.api.test_endpoints import _build
from tests.api.tokens import bearer
from tests.factories import create_user
from tests.submissions.prefill_history import SAIP, add_procedure, add_targets

# The cycle _build makes, given to half the cases that name a cycle in their path (a random
# year has none: only its 404 would be seen).
YEAR = 2026


@schemathesis.deserializer(CSV_MIMETYPE)
def read_csv(context: DeserializationContext, response: Response) -> str:
    """A CSV answer is validated too (Schemathesis skips a media type it cannot read): UTF-8
    with a byte-order mark, every row as long as the header, no cell a spreadsheet could
    run as a formula; its text is then checked against the document's schema."""
    text = response.content.decode("utf-8")
    if not text.startswith(BYTE_ORDER_MARK):
        raise ValueError("Sin marca de orden de bytes")
    rows = list(csv.reader(StringIO(text[1:], newline=""), delimiter=SEPARATOR, strict=True))
    if not rows or any(len(row) != len(rows[0]) for row in rows):
        raise ValueError("Filas de largos distintos")
    if any(reads_as_formula(cell) for row in rows for cell in row):
        raise ValueError("Una celda empieza como una fórmula")
    return text


@pytest.mark.parametrize("mode", list(schemathesis.GenerationMode), ids=str)
def test_the_api_does_what_its_document_says(app: Flask, mode: schemathesis.GenerationMode) -> None:
    _build()
    headers = bearer(create_user(Role.DIPRES))
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)

    @given(case=schema.as_strategy(mode), known=st.booleans())
    @settings(
        max_examples=150,
        deadline=None,
        database=None,
        # The same cases on every run, so the suite says the same of the same code; a longer
        # random search is the same test with derandomize off and more examples.
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def check(case: Any, known: bool) -> None:
        if known and "year" in (case.path_parameters or {}):
            case.path_parameters["year"] = YEAR
        case.call_and_validate(headers=headers)

    check()


def test_answers_with_data_are_what_the_document_says(app: Flask) -> None:
    """The cases generated rarely name a row that exists: the answers with data (nulls,
    figures not reported, decimals, a review with its observations) are checked too."""
    data = _build()
    institution = db.session.query(Institution).filter_by(code="1306").one()
    db.session.add(ComplaintFigures(institution=institution, year=2023, received=0, mean_days=7.25))
    db.session.add(
        SaipFigures(institution=institution, year=2024, **SAIP, unreported_as={"received": ""})
    )
    add_procedure(institution, "Pago de bonos", {2023: {"mean": 0.1, "handled": None}})
    cycle = get_cycle(2026)
    assert cycle is not None
    add_targets(institution, cycle, complaints_answered_pct=97.5)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    cases = [
        ("/api/v1/institutions/{code}/indicators", {"code": "1306"}, {}),
        ("/api/v1/institutions/{code}/indicators", {"code": "1306"}, {"year": 2023}),
        ("/api/v1/submissions/{submission_id}/reviews", {"submission_id": data.submission_id}, {}),
    ]
    for path, parameters, query in cases:
        case = schema[path]["GET"].Case(path_parameters=parameters, query=query)
        assert case.call_and_validate(headers=data.headers).status_code == 200
