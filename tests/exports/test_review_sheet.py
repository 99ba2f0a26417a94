"""The ``revision`` sheet of the consolidated workbook, after a real review loop."""

from __future__ import annotations

import re
from datetime import date, datetime
from io import BytesIO
from typing import Any

import pytest
from flask import Flask

from pmg.cycles.models import Cycle
from pmg.exports.workbook import export_consolidated
from pmg.exports.workbook.records import chile_time
from pmg.extensions import db
from pmg.requirements.catalog import starting_catalog_text
from pmg.requirements.operations import load_catalog
from pmg.review.models import Outcome
from pmg.review.queries import current_review
from pmg.submissions.models import SubmissionKind
from pmg.submissions.operations import open_submission, save_draft, submit
from tests.exports.queries import queries_of_export
from tests.exports.reading import records, sheet_xml, sheets
from tests.exports.reviews import answer_and_resubmit, approve, observe, save_progress, start
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    load_starting_catalog,
    plan_draft,
)

CODES = tuple(f"R{number:02d}" for number in range(1, 11))
HEADERS = (
    "codigo_interno_SCSEU",
    "nombre_institucion",
    "tipo",
    "estado",
    "versiones",
    "ultima_version",
    "fecha_primer_envio",
    "fecha_ultimo_envio",
    "revisor",
    "fecha_decision",
    "decision",
    "catalogo_version",
    *CODES,
    "observaciones_abiertas",
    "observaciones_total",
)
# Etapa 3 without MESU: R05 does not apply to the diagnostic; R07–R10 are the plan's.
NOT_REVIEWED = dict.fromkeys(CODES)
# What the review of version 1 decided in the loop (tests.exports.reviews.observe).
OBSERVED_VERDICTS = {
    **NOT_REVIEWED,
    "R01": "No cumple",
    **dict.fromkeys(("R02", "R03", "R04", "R06"), "Cumple"),
}


def _workbook(cycle: Cycle) -> bytes:
    buffer = BytesIO()
    export_consolidated(cycle, buffer)
    return buffer.getvalue()


def _sheet(cycle: Cycle) -> list[dict[str, Any]]:
    return records(sheets(_workbook(cycle))["revision"])


def _seconds(moment: datetime | None) -> datetime | None:
    """What an Excel date-time keeps: Chilean wall-clock time to the second."""
    return chile_time(moment)


@pytest.fixture
def cycle(app: Flask) -> Cycle:
    cycle = create_cycle(2026)
    load_starting_catalog(cycle)
    return cycle


def test_headers_name_every_requirement_code_of_the_cycle(cycle: Cycle) -> None:
    create_submitted_diagnostic(create_institution("1306"), cycle)
    assert sheets(_workbook(cycle))["revision"][0] == HEADERS


def test_a_submitted_diagnostic_not_yet_reviewed(cycle: Cycle) -> None:
    institution = create_institution("1306", "Servicio Nacional de Prueba")
    version = create_submitted_diagnostic(institution, cycle)
    create_institution("3101_61")  # nothing submitted: no row
    drafting = create_institution("3101_62")
    open_submission(drafting, cycle, SubmissionKind.DIAGNOSTIC)  # a draft, no version: no row
    db.session.commit()

    sent = _seconds(version.submitted_at)
    assert _sheet(cycle) == [
        {
            "codigo_interno_SCSEU": 1306,
            "nombre_institucion": "Servicio Nacional de Prueba",
            "tipo": "Diagnóstico de brechas",
            "estado": "Enviado",
            "versiones": 1,
            "ultima_version": 1,
            "fecha_primer_envio": sent,
            "fecha_ultimo_envio": sent,
            "revisor": None,
            "fecha_decision": None,
            "decision": None,
            "catalogo_version": None,
            **NOT_REVIEWED,
            "observaciones_abiertas": 0,
            "observaciones_total": 0,
        }
    ]


def test_the_review_loop_row_by_row(cycle: Cycle) -> None:
    institution = create_institution("1306", "Servicio Nacional de Prueba")
    loop = start(cycle, institution)
    observe(loop)
    observed = current_review(loop.submission)
    assert observed is not None
    row = _sheet(cycle)[0]
    assert (row["estado"], row["decision"], row["fecha_decision"]) == (
        "Con observaciones",
        "Con observaciones",
        _seconds(observed.decided_at),
    )
    assert {code: row[code] for code in CODES} == OBSERVED_VERDICTS
    assert (row["observaciones_abiertas"], row["observaciones_total"]) == (1, 1)

    second = answer_and_resubmit(loop)
    waiting = _sheet(cycle)[0]
    # Version 2 is back with its reviewer: no decision about it yet; the outcomes are still
    # those decided about version 1. Answered is not yet resolved.
    assert {name: waiting[name] for name in HEADERS[3:]} == {
        "estado": "En revisión",
        "versiones": 2,
        "ultima_version": 2,
        "fecha_primer_envio": _seconds(loop.first.submitted_at),
        "fecha_ultimo_envio": _seconds(second.submitted_at),
        "revisor": "Rosa Revisora",
        "fecha_decision": None,
        "decision": "En revisión",
        "catalogo_version": "1",
        **OBSERVED_VERDICTS,
        "observaciones_abiertas": 1,
        "observaciones_total": 1,
    }

    # Its review starts from version 1's outcomes, and the reviewer saves changes without
    # deciding. That draft is no verdict: the sheet still shows version 1's.
    draft = save_progress(loop, R01=Outcome.MEETS, R04=Outcome.NOT_APPLICABLE)
    assert {v.requirement.code: v.outcome for v in draft.verdicts}["R01"] is Outcome.MEETS
    assert _sheet(cycle)[0] == waiting

    review = approve(loop)
    plan = _submit_plan(cycle, institution, loop.coordinator)
    rows = _sheet(cycle)
    assert rows == [
        {
            "codigo_interno_SCSEU": 1306,
            "nombre_institucion": "Servicio Nacional de Prueba",
            "tipo": "Diagnóstico de brechas",
            "estado": "Aprobado",
            "versiones": 2,
            "ultima_version": 2,
            "fecha_primer_envio": _seconds(loop.first.submitted_at),
            "fecha_ultimo_envio": _seconds(second.submitted_at),
            "revisor": "Rosa Revisora",
            "fecha_decision": _seconds(review.decided_at),
            "decision": "Aprobado",
            "catalogo_version": "1",
            **NOT_REVIEWED,
            **dict.fromkeys(("R01", "R02", "R03", "R06"), "Cumple"),
            "R04": "No aplica",
            "observaciones_abiertas": 0,
            "observaciones_total": 1,
        },
        {
            "codigo_interno_SCSEU": 1306,
            "nombre_institucion": "Servicio Nacional de Prueba",
            "tipo": "Plan de mejora",
            "estado": "Enviado",
            "versiones": 1,
            "ultima_version": 1,
            "fecha_primer_envio": _seconds(plan.submitted_at),
            "fecha_ultimo_envio": _seconds(plan.submitted_at),
            "revisor": None,
            "fecha_decision": None,
            "decision": None,
            "catalogo_version": None,
            **NOT_REVIEWED,
            "observaciones_abiertas": 0,
            "observaciones_total": 0,
        },
    ]
    assert all(isinstance(rows[0][name], datetime) for name in HEADERS if name.startswith("fecha"))


def _submit_plan(cycle: Cycle, institution: Any, coordinator: Any) -> Any:
    submission = open_submission(institution, cycle, SubmissionKind.PLAN)
    save_draft(submission, plan_draft(year=cycle.year), coordinator, submission.lock_version)
    version = submit(submission, coordinator, date.today(), submission.lock_version)
    db.session.commit()
    return version


FORMULA = '=HYPERLINK("http://example.com","clic")'


def test_names_and_versions_typed_like_formulas_stay_text(app: Flask) -> None:
    cycle = create_cycle(2026)
    text = starting_catalog_text().replace('version: "1"', 'version: "=1+1"')
    load_catalog(cycle, text, actor=None)
    db.session.commit()
    loop = start(cycle, create_institution("1306", "=SUMA(A1:A2)"), reviewer=FORMULA)
    observe(loop, note="=1+1", text="@SUM(A1)")
    data = _workbook(cycle)

    assert not any(re.search(r"<f[\s>/]", xml) for xml in sheet_xml(data).values())
    row = records(sheets(data)["revision"])[0]
    assert (row["nombre_institucion"], row["revisor"], row["catalogo_version"]) == (
        "=SUMA(A1:A2)",
        FORMULA,
        "=1+1",
    )


def test_the_number_of_queries_does_not_grow_with_reviewed_submissions(cycle: Cycle) -> None:
    def reviewed(count: int) -> None:
        for _ in range(count):
            loop = start(cycle, create_institution())
            observe(loop)
            answer_and_resubmit(loop)
            approve(loop)

    reviewed(1)
    few, rows = queries_of_export(cycle)
    assert rows["revision"] == 1
    reviewed(4)
    many, rows = queries_of_export(cycle)
    assert rows["revision"] == 5
    assert few == many


def test_a_first_review_in_progress_shows_its_reviewer_and_no_outcomes(cycle: Cycle) -> None:
    loop = start(cycle, create_institution("1306"))
    save_progress(loop, R01=Outcome.FAILS, R02=Outcome.MEETS)

    row = _sheet(cycle)[0]
    assert {name: row[name] for name in HEADERS[3:]} == {
        "estado": "En revisión",
        "versiones": 1,
        "ultima_version": 1,
        "fecha_primer_envio": _seconds(loop.first.submitted_at),
        "fecha_ultimo_envio": _seconds(loop.first.submitted_at),
        "revisor": "Rosa Revisora",
        "fecha_decision": None,
        "decision": "En revisión",
        "catalogo_version": None,  # the catalog of the outcomes shown: none yet
        **NOT_REVIEWED,
        "observaciones_abiertas": 0,
        "observaciones_total": 0,
    }
