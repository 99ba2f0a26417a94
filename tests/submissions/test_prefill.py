"""What a new diagnostic or plan starts with from the imported indicator history."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from flask import Flask

from pmg.core.permissions import Role
from pmg.diagnostics.prefill import prefill as prefill_diagnostic
from pmg.diagnostics.schema import COMPLAINTS, PROCEDURES
from pmg.indicators.models import Justification, TimeUnit
from pmg.institutions.models import Stage
from pmg.plans.prefill import prefill as prefill_plan
from pmg.plans.schema import COMPLAINT_TARGETS
from pmg.submissions.content import FieldKind, FieldSpec
from pmg.submissions.kinds import KINDS
from pmg.submissions.models import SubmissionKind
from pmg.submissions.operations import open_submission, save_draft
from pmg.submissions.prefill import Prefill, as_text, typed, unchanged
from pmg.submissions.queries import submission_context
from tests.exports.queries import counting_queries
from tests.factories import (
    create_cycle,
    create_institution,
    create_user,
    diagnostic_draft,
    with_value,
)
from tests.submissions.prefill_history import (
    PROCEDURE_FIGURES,
    add_figures,
    add_procedure,
    add_targets,
)

COMPLAINT_TEXTS = {
    "received": "1.250",
    "answered": "1.200",
    "mean_days": "7,5",
    "median_days": "7",
    "min_days": "0,25",
    "max_days": "1250",  # not "1.250": a decimal field reads that as one and a quarter
    "answered_over_20": "",
}
# The history's SAIP figures are those the factory's draft types.
SAIP_TEXTS = {name: text for name, text in diagnostic_draft()["saip"].items() if name != "analysis"}


@pytest.fixture
def cycle(app: Flask) -> Any:
    return create_cycle(2026)  # reference year 2025


def procedure_row(key: str, name: str, **texts: str) -> dict[str, Any]:
    """A pre-filled procedure: the factory's typed procedure, with its key and ``texts``."""
    return diagnostic_draft(procedures=1)["procedures"][0] | {"key": key, "name": name, **texts}


def test_diagnostic_starts_with_the_reference_years_figures_and_procedures(cycle: Any) -> None:
    institution = create_institution()
    add_figures(institution, 2024, received=9, mean_days=3.0)
    add_figures(institution, 2025)
    procedure = add_procedure(
        institution,
        "Certificado de antecedentes",
        {2024: PROCEDURE_FIGURES | {"mean": 1.0}, 2025: PROCEDURE_FIGURES},
        justification=Justification.OTHER,
        other_reason="Pedido por\nla ciudadanía",
        time_unit=TimeUnit.HOURS,
        expected_time=2.5,
    )
    key = f"tramite-{procedure.id}"

    start = prefill_diagnostic(institution, cycle)

    row = procedure_row(
        key,
        "Certificado de antecedentes",
        justification="otra",
        other_reason="Pedido por\nla ciudadanía",
        expected_time="2,5",
        time_unit="horas",
    )
    assert start.draft == {
        "complaints": COMPLAINT_TEXTS,
        "saip": SAIP_TEXTS,
        "procedures": [row],
    }
    assert start.marks == {
        "complaints": {name: text for name, text in COMPLAINT_TEXTS.items() if text},
        "saip": SAIP_TEXTS,
        "procedures": {key: {name: text for name, text in row.items() if name != "key"}},
    }


def test_the_diagnostics_prefill_is_kept_until_an_import_changes_the_history(
    cycle: Any,
) -> None:
    institution = create_institution()
    add_figures(institution, 2025)
    first = prefill_diagnostic(institution, cycle)
    create_user(Role.DIPRES)  # a write elsewhere: kept
    with counting_queries() as keeping:
        assert prefill_diagnostic(institution, cycle) == first
    assert not [s for s in keeping if "figures" in s]
    add_procedure(institution, "Certificado de antecedentes", {2025: PROCEDURE_FIGURES})
    rows = prefill_diagnostic(institution, cycle).draft[PROCEDURES.key]
    assert [row["name"] for row in rows] == ["Certificado de antecedentes"]


def test_the_prefilled_draft_reads_back_as_the_imported_figures(cycle: Any) -> None:
    institution = create_institution()
    add_figures(institution, 2025)
    add_procedure(institution, "Certificado", {2025: PROCEDURE_FIGURES})
    start = prefill_diagnostic(institution, cycle)
    context = submission_context(institution, cycle)

    evaluation = KINDS[SubmissionKind.DIAGNOSTIC].evaluate(start.draft, context, complete=False)

    assert evaluation.errors == []
    assert evaluation.content["complaints"]["max_days"] == Decimal(1250)
    assert evaluation.content["complaints"]["min_days"] == Decimal("0.25")
    assert evaluation.content["complaints"]["received"] == 1250
    assert evaluation.content["procedures"][0]["handled"] == 4500


def test_nothing_is_prefilled_when_the_history_lacks_the_reference_year(cycle: Any) -> None:
    institution = create_institution()
    add_figures(institution, 2024)
    add_procedure(institution, "Certificado", {2024: PROCEDURE_FIGURES})
    add_procedure(institution, "Sin cifras", {})

    assert prefill_diagnostic(institution, cycle) == Prefill()


def test_a_year_that_reports_nothing_prefills_nothing(cycle: Any) -> None:
    institution = create_institution()
    unreported = dict.fromkeys(COMPLAINT_TEXTS) | dict.fromkeys(SAIP_TEXTS)
    add_figures(institution, 2025, **unreported)

    assert prefill_diagnostic(institution, cycle) == Prefill()


def test_a_saip_stage_institution_gets_only_its_saip_figures(cycle: Any) -> None:
    institution = create_institution(stage=Stage.SAIP)
    add_figures(institution, 2025)
    add_procedure(institution, "Certificado", {2025: PROCEDURE_FIGURES})

    start = prefill_diagnostic(institution, cycle)

    assert start.draft == {"saip": SAIP_TEXTS}
    assert list(start.marks) == ["saip"]


def test_at_most_the_sections_maximum_of_procedures_in_import_order(cycle: Any) -> None:
    institution = create_institution()
    procedures = [
        add_procedure(institution, f"Trámite {number:02d}", {2025: PROCEDURE_FIGURES})
        for number in range(PROCEDURES.max_rows + 1)
    ]

    rows = prefill_diagnostic(institution, cycle).draft["procedures"]

    assert [row["name"] for row in rows] == [p.name for p in procedures[: PROCEDURES.max_rows]]


def test_a_procedure_reporting_nothing_that_year_still_comes_with_its_texts(cycle: Any) -> None:
    institution = create_institution()
    add_procedure(institution, "Certificado", {2025: {}}, expected_time=None, time_unit=None)

    (row,) = prefill_diagnostic(institution, cycle).draft["procedures"]

    empty = dict.fromkeys(("expected_time", "time_unit", *PROCEDURE_FIGURES), "")
    assert row == procedure_row(row["key"], "Certificado", **empty)


def test_a_procedure_name_holds_each_run_of_line_breaks_as_one_space(cycle: Any) -> None:
    institution = create_institution()
    add_procedure(
        institution,
        "Certificado  de\r\n\nantecedentes\u2028en línea",
        {2025: PROCEDURE_FIGURES},
        start_milestone="Ingreso\n\nde la solicitud",
    )

    (row,) = prefill_diagnostic(institution, cycle).draft["procedures"]

    assert row["name"] == "Certificado  de antecedentes en línea"
    assert row["start_milestone"] == "Ingreso\n\nde la solicitud"  # a long text keeps them


def test_the_plans_prefill_is_kept_until_an_import_changes_the_targets(cycle: Any) -> None:
    institution = create_institution()
    assert prefill_plan(institution, cycle) == Prefill()  # none imported yet
    add_targets(institution, cycle, complaints_answered_pct=97.5)
    first = prefill_plan(institution, cycle)
    assert first.draft["complaint_targets"]["complaints_answered_pct"] == "97,5"
    add_figures(institution, 2025)  # an import of figures, not of targets: kept
    with counting_queries() as keeping:
        assert prefill_plan(institution, cycle) == first
    assert not [s for s in keeping if "cycle_targets" in s]


def test_plan_starts_with_the_cycles_imported_targets(cycle: Any) -> None:
    institution = create_institution()
    add_targets(
        institution,
        cycle,
        complaints_answered_pct=97.5,
        complaints_late_pct=None,
        complaints_mean_days=8.0,
        saip_answered_pct=100.0,
        saip_late_pct=0.0,
        saip_mean_days=10.25,
    )
    add_targets(institution, create_cycle(2027, current=False), complaints_answered_pct=1.0)

    start = prefill_plan(institution, cycle)

    assert start.draft == {
        "complaint_targets": {
            "complaints_answered_pct": "97,5",
            "complaints_late_pct": "",
            "complaints_mean_days": "8",
        },
        "saip_targets": {
            "saip_answered_pct": "100",
            "saip_late_pct": "0",
            "saip_mean_days": "10,25",
        },
    }
    assert start.marks == {
        "complaint_targets": {"complaints_answered_pct": "97,5", "complaints_mean_days": "8"},
        "saip_targets": start.draft["saip_targets"],
    }


def test_plan_of_a_saip_stage_institution_gets_only_the_saip_targets(cycle: Any) -> None:
    institution = create_institution(stage=Stage.SAIP)
    add_targets(institution, cycle, complaints_answered_pct=97.5, saip_mean_days=10.0)

    assert prefill_plan(institution, cycle).draft == {
        "saip_targets": {"saip_answered_pct": "", "saip_late_pct": "", "saip_mean_days": "10"}
    }


def test_plan_without_imported_targets_starts_empty(cycle: Any) -> None:
    institution = create_institution()
    add_targets(institution, cycle, saip_answered_pct=None)

    assert prefill_plan(institution, create_cycle(2027, current=False)) == Prefill()
    assert prefill_plan(institution, cycle) == Prefill()


def test_open_submission_prefills_only_when_it_creates_the_submission(cycle: Any) -> None:
    institution = create_institution()
    add_figures(institution, 2025)
    coordinator = create_user(Role.COORDINATOR, institutions=[institution])
    submission = open_submission(institution, cycle, SubmissionKind.DIAGNOSTIC)
    expected = prefill_diagnostic(institution, cycle)
    assert (submission.draft, submission.prefilled) == (expected.draft, expected.marks)

    changed = with_value(submission.draft, "complaints.received", "1.300")
    save_draft(submission, changed, coordinator, submission.lock_version)
    add_targets(institution, cycle, saip_mean_days=4.0)
    add_procedure(institution, "Certificado", {2025: PROCEDURE_FIGURES})
    again = open_submission(institution, cycle, SubmissionKind.DIAGNOSTIC)

    assert again is submission
    assert (again.draft, again.prefilled) == (changed, expected.marks)
    plan = open_submission(institution, cycle, SubmissionKind.PLAN)
    assert plan.prefilled == {"saip_targets": {"saip_mean_days": "4"}}


def test_a_submission_without_history_starts_empty(cycle: Any) -> None:
    submission = open_submission(create_institution(), cycle, SubmissionKind.DIAGNOSTIC)

    assert (submission.draft, submission.prefilled) == ({}, {})


@pytest.mark.parametrize(
    ("kind", "value", "text", "read"),
    [
        (FieldKind.COUNT, 1250, "1.250", 1250),
        (FieldKind.COUNT, 1234567, "1.234.567", 1234567),
        (FieldKind.DECIMAL, 1250.0, "1250", 1250),
        (FieldKind.DECIMAL, 1234567.0, "1234567", 1234567),
        (FieldKind.DECIMAL, 1234.5, "1.234,5", 1234.5),
        (FieldKind.DECIMAL, 0.125, "0,125", 0.125),
        (FieldKind.DECIMAL, 7.333333333333, "7,333333333333", 7.333333333333),
        (FieldKind.PERCENT, 96.0, "96", 96),
        (FieldKind.DECIMAL, None, "", None),
    ],
)
def test_a_figure_is_typed_with_every_digit_and_reads_back_as_itself(
    kind: FieldKind, value: Any, text: str, read: Any
) -> None:
    spec = FieldSpec("figure", "Cifra", kind)

    assert as_text(spec, value) == text
    assert typed(spec, text) == read


def test_values_compare_as_typed_values() -> None:
    mean = COMPLAINTS.field("mean_days")
    assert typed(mean, "7,50") == typed(mean, "7,5") == typed(mean, " 7.5 ")
    assert typed(mean, "abc") == "abc"  # no number: compared as typed
    assert typed(COMPLAINT_TARGETS.field("complaints_answered_pct"), "100") == 100
    milestone = PROCEDURES.field("start_milestone")
    assert unchanged(milestone, "Pago\r\nen caja", "Pago\nen caja")
    assert unchanged(milestone, "Pago\ren caja", "Pago\nen caja")
    assert not unchanged(milestone, "Pago en caja", "Pago\nen caja")
    assert unchanged(mean, Decimal("7.5"), "7,50")
    assert not unchanged(mean, None, "7,5")
