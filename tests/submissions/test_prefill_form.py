"""The form of a pre-filled draft: each pre-filled value is marked at its field, and a
changed one shows the imported value beside it."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pmg.core.permissions import Role
from pmg.diagnostics.prefill import prefill as prefill_diagnostic
from pmg.submissions.models import SubmissionKind
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
)
from tests.submissions.pages import find, post_page, saved_draft
from tests.submissions.prefill_history import (
    PROCEDURE_FIGURES,
    add_figures,
    add_procedure,
    add_targets,
)

DIAGNOSTIC = "/instituciones/1306/diagnostico"
PLAN = "/instituciones/1306/plan"
UNCHANGED = "Dato del consolidado oficial"
NOTE = "vienen del consolidado oficial del año 2025 y se pueden editar"


@pytest.fixture
def history(app: Flask, login_as) -> Any:
    institution = create_institution("1306")
    cycle = create_cycle(2026)
    add_figures(institution, 2025)
    add_procedure(institution, "Certificado de antecedentes", {2025: PROCEDURE_FIGURES})
    login_as(create_user(Role.COORDINATOR, institutions=[institution]))
    return {"institution": institution, "cycle": cycle}


def input_tag(body: str, field_id: str) -> str:
    match = re.search(rf'<(?:input|select|textarea)[^>]*\bid="{field_id}"[^>]*>', body)
    assert match, f"no input {field_id}"
    return match.group(0)


def described_by(body: str, field_id: str) -> list[str]:
    """The texts of the elements the field's ``aria-describedby`` names."""
    match = re.search(r'aria-describedby="([^"]+)"', input_tag(body, field_id))
    texts = []
    for target in match.group(1).split() if match else []:
        element = re.search(rf'<p[^>]*\bid="{target}"[^>]*>(.*?)</p>', body, re.S)
        assert element, f"no element {target}"
        texts.append(html.unescape(" ".join(re.sub(r"<[^>]+>", " ", element.group(1)).split())))
    return texts


def marker(body: str, field_id: str) -> str | None:
    """What the field's description says of the official consolidated file."""
    found = [text for text in described_by(body, field_id) if "consolidado oficial" in text]
    assert len(found) <= 1
    return found[0].split("Use coma para decimales. ")[-1] if found else None


def test_the_form_starts_with_the_reference_years_figures_each_marked(
    client: FlaskClient, history: Any
) -> None:
    body = client.get(DIAGNOSTIC).get_data(as_text=True)

    assert 'value="1.250"' in input_tag(body, "complaints-received")
    assert 'value="7,5"' in input_tag(body, "complaints-mean_days")
    assert 'value="Certificado de antecedentes"' in input_tag(body, "procedures-0-name")
    assert marker(body, "complaints-received") == UNCHANGED
    assert marker(body, "complaints-mean_days") == UNCHANGED
    assert marker(body, "saip-answered_within_10") == UNCHANGED
    assert marker(body, "procedures-0-justification") == UNCHANGED
    assert marker(body, "complaints-answered_over_20") is None  # not reported: empty
    assert marker(body, "complaints-analysis") is None  # not in the history
    assert body.count(NOTE) == 3  # complaints, SAIP and procedures
    assert find() is None  # showing the page creates nothing


def test_a_changed_value_shows_the_imported_one_beside_it(
    client: FlaskClient, history: Any
) -> None:
    draft = prefill_diagnostic(history["institution"], history["cycle"]).draft
    draft["complaints"]["mean_days"] = "8"
    draft["complaints"]["median_days"] = "7,0"  # the same number, typed otherwise
    draft["procedures"][0]["justification"] = "objetivos_estrategicos"
    draft["procedures"][0]["name"] = "Certificado de antecedentes en línea"

    assert post_page(client, DIAGNOSTIC, draft).status_code == 302
    body = client.get(DIAGNOSTIC).get_data(as_text=True)

    assert 'value="8"' in input_tag(body, "complaints-mean_days")
    assert marker(body, "complaints-mean_days") == "Valor del consolidado oficial: 7,5"
    assert marker(body, "complaints-median_days") == UNCHANGED
    assert marker(body, "procedures-0-justification") == (
        "Valor del consolidado oficial: Masividad (volumen de transacciones)"
    )
    assert marker(body, "procedures-0-name") == (
        "Valor del consolidado oficial: Certificado de antecedentes"
    )
    assert marker(body, "procedures-0-mean") == UNCHANGED
    assert find().prefilled == prefill_diagnostic(history["institution"], history["cycle"]).marks


def test_rows_are_removed_and_added_as_ever_and_only_prefilled_rows_are_marked(
    client: FlaskClient, history: Any
) -> None:
    add_procedure(history["institution"], "Pago de patente", {2025: PROCEDURE_FIGURES})
    draft = prefill_diagnostic(history["institution"], history["cycle"]).draft

    post_page(client, DIAGNOSTIC, draft, "quitar:procedures:0")
    draft = saved_draft()
    assert [row["name"] for row in draft["procedures"]] == ["Pago de patente"]
    post_page(client, DIAGNOSTIC, draft, "agregar:procedures")
    body = client.get(DIAGNOSTIC).get_data(as_text=True)

    rows = saved_draft()["procedures"]
    assert [row["name"] for row in rows] == ["Pago de patente", ""]
    assert rows[1]["key"] and rows[1]["key"] != rows[0]["key"]
    assert marker(body, "procedures-0-name") == UNCHANGED
    assert marker(body, "procedures-1-name") is None
    assert marker(body, "procedures-1-mean") is None


def test_a_draft_saved_without_row_keys_is_shown_without_marks(
    client: FlaskClient, history: Any
) -> None:
    draft = prefill_diagnostic(history["institution"], history["cycle"]).draft
    del draft["procedures"][0]["key"]  # as rows saved before they had keys

    assert post_page(client, DIAGNOSTIC, draft).status_code == 302
    body = client.get(DIAGNOSTIC).get_data(as_text=True)

    assert saved_draft()["procedures"][0]["key"] == ""
    assert marker(body, "procedures-0-name") is None
    assert marker(body, "complaints-received") == UNCHANGED


def test_the_plan_starts_with_the_imported_targets_marked(
    client: FlaskClient, history: Any
) -> None:
    create_submitted_diagnostic(history["institution"], history["cycle"])
    add_targets(history["institution"], history["cycle"], complaints_answered_pct=97.5)

    body = client.get(PLAN).get_data(as_text=True)

    assert 'value="97,5"' in input_tag(body, "complaint_targets-complaints_answered_pct")
    assert marker(body, "complaint_targets-complaints_answered_pct") == UNCHANGED
    assert marker(body, "saip_targets-saip_answered_pct") is None
    assert body.count(NOTE) == 1
    assert find(SubmissionKind.PLAN) is None


def test_a_text_area_sent_back_with_a_browsers_line_breaks_is_unchanged(
    client: FlaskClient, history: Any
) -> None:
    add_procedure(
        history["institution"], "Pago", {2025: PROCEDURE_FIGURES}, start_milestone="Pago\nen caja"
    )
    draft = prefill_diagnostic(history["institution"], history["cycle"]).draft
    draft["procedures"][1]["start_milestone"] = "Pago\r\nen caja"  # as a browser sends it

    post_page(client, DIAGNOSTIC, draft)
    body = client.get(DIAGNOSTIC).get_data(as_text=True)

    assert saved_draft()["procedures"][1]["start_milestone"] == "Pago\r\nen caja"
    assert marker(body, "procedures-1-start_milestone") == UNCHANGED
