"""Schemathesis against the published OpenAPI document: requests generated from it, valid
and invalid, get the answers it describes (status, media type, headers, body), and never a
500. Bounded to run in seconds.

The cases come from the schema's Hypothesis strategies (``as_strategy``) rather than
``schemathesis.pytest.from_fixture``, whose lazy loading renames pytest's nodes through an
attribute pytest 9 no longer has.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings

from pmg.core.permissions import Role
from tests.api.test_endpoints import _build
from tests.api.tokens import bearer
from tests.factories import create_user


@pytest.mark.parametrize("mode", list(schemathesis.GenerationMode), ids=str)
def test_the_api_does_what_its_document_says(app: Flask, mode: schemathesis.GenerationMode) -> None:
    _build()
    headers = bearer(create_user(Role.DIPRES))
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)

    @given(case=schema.as_strategy(mode))
    @settings(
        max_examples=150,
        deadline=None,
        database=None,
        # The same cases on every run, so the suite says the same of the same code; a longer
        # random search is the same test with derandomize off and more examples.
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def check(case: Any) -> None:
        case.call_and_validate(headers=headers)

    check()
