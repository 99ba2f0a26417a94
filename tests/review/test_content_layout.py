"""The review page lays out each section of the version as the version's page does
(templates/_macros/document.html): the same tables, lists, warning marks and files."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pmg.core.permissions import Role
from tests.exports.submissions import pdf_bytes, submit_plan_with_evidence
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
    diagnostic_draft,
    load_starting_catalog,
    with_value,
)

# A section of either page: its key, and what follows its heading up to its end.
SECTION = re.compile(r'<h2 id="(?:version|contenido)-([\w-]+)">(.*?)</section>', re.S)


def _sections(page: str) -> dict[str, str]:
    return {
        key: re.sub(r"\s+", " ", re.sub(r">\s+<", "><", body)).strip()
        for key, body in SECTION.findall(page)
    }


def _diagnostic(institution: Any, cycle: Any) -> str:
    # A procedure's mean above its maximum: a warning, marked beside the value.
    draft = with_value(diagnostic_draft(), "procedures.0.mean", "50")
    create_submitted_diagnostic(institution, cycle, draft=draft)
    return "diagnostico"


def _plan(institution: Any, cycle: Any) -> str:
    submit_plan_with_evidence(institution, cycle, [("acta.pdf", pdf_bytes("Acta"), None)])
    return "plan"


@pytest.mark.parametrize(
    ("submit", "expected"),
    [
        (_diagnostic, ("procedures", 'href="#advertencia-1"')),
        (_plan, ("procedure_targets", '<th scope="col" class="num">')),
        (_plan, ("evidencia", "<td>acta.pdf</td>")),
    ],
)
def test_the_review_page_shows_each_section_as_the_version_page(
    app: Flask, client: FlaskClient, login_as: Any, submit: Any, expected: tuple[str, str]
) -> None:
    cycle = create_cycle(2026)
    load_starting_catalog(cycle)
    slug = submit(create_institution("1306"), cycle)
    login_as(create_user(Role.REVIEWER))

    review = _sections(client.get(f"/revision/1306/2026/{slug}").get_data(as_text=True))
    version = client.get(f"/instituciones/1306/2026/{slug}/v1").get_data(as_text=True)
    shown = _sections(version)

    key, mark = expected
    assert mark in review[key]
    assert review == {k: shown[k] for k in review}
    assert set(shown) - set(review) == {"revision", "advertencias"}
