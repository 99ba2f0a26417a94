"""Each rule of the improvement plan, one table row per case."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from pmg.cycles.models import Cycle
from pmg.plans.rules import evaluate, gap_id, gap_reference
from pmg.submissions.content import REQUIRED, Finding
from pmg.submissions.evaluation import SubmissionContext
from tests.diagnostics.test_rules import institution
from tests.factories import diagnostic_draft, plan_draft, with_gap_keys, with_value

YEAR = 2026
OUTSIDE_EXECUTION = (
    "La fecha debe estar entre el 1 de enero de 2026 y el 31 de diciembre de 2026, "
    "el período de ejecución del plan."
)


def context(diagnostic: bool = True, gaps: list[dict[str, str]] | None = None) -> SubmissionContext:
    content = {"gaps": gaps if gaps is not None else diagnostic_draft()["gaps"], "procedures": []}
    cycle = Cycle(
        year=YEAR,
        reference_year=YEAR - 1,
        close_start=date(YEAR, 11, 1),
        close_end=date(YEAR, 11, 30),
        execution_start=date(YEAR, 1, 1),
        execution_end=date(YEAR, 12, 31),
    )
    return SubmissionContext(
        institution=institution(),
        cycle=cycle,
        diagnostic={"content": content} if diagnostic else None,
    )


def changed(path: str, value: Any) -> dict[str, Any]:
    return with_value(plan_draft(year=YEAR), path, value)


def test_the_valid_plan_has_no_findings() -> None:
    result = evaluate(plan_draft(year=YEAR), context(), complete=True)
    assert result.errors == []
    assert result.warnings == []


ERRORS = [
    (
        "actions.0.start_date",
        "2026-10-01",
        "actions.0.start_date",
        "La fecha de inicio no puede ser posterior a la de término.",
    ),
    (
        "actions.0.start_date",
        "2025-12-31",
        "actions.0.start_date",
        OUTSIDE_EXECUTION,
    ),
    (
        "actions.0.end_date",
        "2027-01-15",
        "actions.0.end_date",
        OUTSIDE_EXECUTION,
    ),
    (
        "actions.0.end_date",
        "31-02-2026",
        "actions.0.end_date",
        "Escriba una fecha válida, por ejemplo 31-03-2026.",
    ),
    ("actions.0.target_value", "", "actions.0.target_value", REQUIRED),
    ("actions.0.target_unit", "", "actions.0.target_unit", REQUIRED),
    (
        "actions.0.target_value",
        "101",
        "actions.0.target_value",
        "Una meta en porcentaje debe estar entre 0 y 100.",
    ),
    (
        "actions.0.target_value",
        "mucho",
        "actions.0.target_value",
        "Escriba un número, por ejemplo 1234 o 12,5.",
    ),
    ("actions.0.owner_person", "", "actions.0.owner_person", REQUIRED),
    ("actions.0.gaps", ["9"], "actions.0.gaps", "Elija solo brechas del diagnóstico enviado."),
    (
        "complaint_targets.complaints_answered_pct",
        "120",
        "complaint_targets.complaints_answered_pct",
        "Un porcentaje debe estar entre 0 y 100.",
    ),
    (
        "procedure_targets.0.on_time_pct",
        "-1",
        "procedure_targets.0.on_time_pct",
        "El valor no puede ser negativo.",
    ),
]


@pytest.mark.parametrize(("path", "value", "where", "message"), ERRORS)
def test_error(path: str, value: Any, where: str, message: str) -> None:
    result = evaluate(changed(path, value), context(), complete=True)
    assert result.errors == [Finding(where, message)]


def test_a_target_in_other_units_may_pass_100() -> None:
    draft = changed("actions.0.target_value", "250")
    draft["actions"][0]["target_unit"] = "funcionarios capacitados"
    assert evaluate(draft, context(), complete=True).errors == []


def test_every_high_priority_gap_needs_an_action_and_the_error_names_it() -> None:
    draft = plan_draft(year=YEAR)
    for action in draft["actions"]:
        action["gaps"] = ["2"]
    result = evaluate(draft, context(), complete=True)
    assert result.errors == [
        Finding(
            "actions",
            "Cada brecha de prioridad alta necesita al menos una acción. Sin acción: "
            "B1 · Brecha de prueba 1 (alta).",
        )
    ]


def test_a_medium_priority_gap_without_action_is_a_warning() -> None:
    draft = plan_draft(year=YEAR)
    for action in draft["actions"]:
        action["gaps"] = ["1"]
    result = evaluate(draft, context(), complete=True)
    assert result.errors == []
    assert result.warnings == [
        Finding(
            "actions", "Brechas de prioridad media sin acción: B2 · Brecha de prueba 2 (media)."
        )
    ]


def test_an_action_ending_after_the_close_window_is_a_warning() -> None:
    result = evaluate(changed("actions.1.end_date", "2026-12-15"), context(), complete=True)
    assert result.errors == []
    assert result.warnings == [
        Finding(
            "actions.1.end_date",
            "La acción termina después del cierre del ciclo (30 de noviembre de 2026).",
        )
    ]


def test_a_plan_needs_a_submitted_diagnostic() -> None:
    result = evaluate(plan_draft(year=YEAR), context(diagnostic=False), complete=True)
    assert (
        Finding("actions", "Primero debe enviarse el diagnóstico de brechas del ciclo.")
        in result.errors
    )


def test_a_plan_needs_an_action() -> None:
    result = evaluate(plan_draft(actions=0, year=YEAR), context(gaps=[]), complete=True)
    assert result.errors == [
        Finding("actions", "Agregue al menos un registro en «Acciones de mejora».")
    ]


def test_empty_fields_are_errors_only_when_submitting() -> None:
    draft = changed("actions.0.description", "")
    assert evaluate(draft, context(), complete=False).errors == []
    assert evaluate(draft, context(), complete=True).errors == [
        Finding("actions.0.description", REQUIRED)
    ]


def test_content_holds_typed_values() -> None:
    content = evaluate(plan_draft(year=YEAR), context(), complete=True).content
    assert content["actions"][1]["gaps"] == ["1", "2"]
    assert content["actions"][0]["start_date"] == "2026-03-01"
    assert content["actions"][0]["target_value"] == 95
    assert content["complaint_targets"]["complaints_answered_pct"] == 97.5
    assert content["procedure_targets"][1] == {
        "procedure": "Trámite de prueba 2",
        "on_time_pct": 96.5,
    }


# --- Gaps referred to by id ------------------------------------------------------------------

KEYED_GAPS = with_gap_keys(diagnostic_draft())["gaps"]  # brecha-1 (alta), brecha-2 (media)


@pytest.mark.parametrize(
    ("number", "gap", "expected"),
    [
        (2, {"key": "brecha-9", "description": "Con clave"}, "brecha-9"),
        (2, {"key": None, "description": "Sin clave"}, "2"),
        (2, {"key": "", "description": "Clave vacía"}, "2"),
        (2, {"description": "Enviada antes de las claves"}, "2"),
    ],
)
def test_gap_id_is_the_key_else_the_number(
    number: int, gap: dict[str, Any], expected: str
) -> None:
    assert gap_id(number, gap) == expected


def plan_for(*references: str) -> dict[str, Any]:
    draft = plan_draft(year=YEAR)
    for action in draft["actions"]:
        action["gaps"] = list(references)
    return draft


@pytest.mark.parametrize(
    ("gaps", "uncovered"),
    [
        (KEYED_GAPS, "B2 · Brecha de prueba 2 (media)"),
        # Sent again with the gaps in the other order: the action still covers brecha-1.
        (KEYED_GAPS[::-1], "B1 · Brecha de prueba 2 (media)"),
    ],
)
def test_an_action_covers_its_gap_by_key_wherever_the_diagnostic_puts_it(
    gaps: list[dict[str, str]], uncovered: str
) -> None:
    result = evaluate(plan_for("brecha-1"), context(gaps=gaps), complete=True)

    assert result.errors == []
    assert result.warnings == [
        Finding("actions", f"Brechas de prioridad media sin acción: {uncovered}.")
    ]


def test_a_gap_removed_from_the_diagnostic_is_no_longer_a_valid_reference() -> None:
    draft = plan_for("brecha-1", "brecha-2")
    result = evaluate(draft, context(gaps=KEYED_GAPS[:1]), complete=True)

    assert result.errors == [
        Finding(f"actions.{index}.gaps", "Elija solo brechas del diagnóstico enviado.")
        for index in range(3)
    ]


def test_a_number_refers_only_to_a_gap_without_key() -> None:
    mixed = [diagnostic_draft()["gaps"][0], KEYED_GAPS[1]]  # "1", then brecha-2

    assert evaluate(plan_for("1", "brecha-2"), context(gaps=mixed), complete=True).errors == []
    result = evaluate(plan_for("1", "2"), context(gaps=mixed), complete=True)
    assert result.errors == [
        Finding(f"actions.{index}.gaps", "Elija solo brechas del diagnóstico enviado.")
        for index in range(3)
    ]


def test_more_actions_than_the_plan_admits_is_an_error_even_when_saving() -> None:
    draft = plan_draft(actions=30, year=YEAR)
    assert evaluate(draft, context(), complete=True).errors == []

    draft["actions"].append(draft["actions"][0])  # a hostile POST

    too_many = Finding(
        "actions",
        "«Acciones de mejora» admite como máximo 30 registros: quite 1 para poder enviar.",
    )
    assert evaluate(draft, context(), complete=False).errors == [too_many]


@pytest.mark.parametrize(
    ("description", "name"),
    [
        ("x" * 60, "B3 · " + "x" * 60 + " (alta)"),
        ("x" * 61, "B3 · " + "x" * 60 + "… (alta)"),
        ("Tiempos " * 10 + "x" * 1000, "B3 · " + ("Tiempos " * 7).rstrip() + "… (alta)"),
        ("Tiempos\nde   respuesta", "B3 · Tiempos de respuesta (alta)"),
    ],
)
def test_a_gap_is_named_by_the_start_of_a_long_description(description: str, name: str) -> None:
    assert gap_reference(3, {"description": description, "priority": "alta"}) == name
