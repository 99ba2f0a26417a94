"""Each validation rule, one table row per case."""

from __future__ import annotations

from typing import Any

import pytest

from pmg.core.numbers import NO_EXPONENT, NOT_A_NUMBER, TOO_MANY_DIGITS
from pmg.diagnostics.rules import evaluate
from pmg.diagnostics.schema import sections_for
from pmg.institutions.models import FunctionalCategory, Institution, MesuCommitment, Ministry, Stage
from pmg.submissions.content import REQUIRED, FieldKind, Finding
from tests.factories import diagnostic_draft, with_value

ONE_LINE = "Escriba el texto en una sola línea."


def institution(
    stage: Stage = Stage.STAGE_3, mesu: MesuCommitment = MesuCommitment.YES
) -> Institution:
    return Institution(
        code="1306",
        name="COMISION NACIONAL DE RIEGO",
        ministry=Ministry(name="MINISTERIO DE AGRICULTURA"),
        stage=stage,
        mesu=mesu,
        category=FunctionalCategory.GENERAL_SERVICES,
    )


def changed(path: str, value: str) -> dict[str, Any]:
    return with_value(diagnostic_draft(), path, value)


def test_the_valid_draft_has_no_findings() -> None:
    result = evaluate(diagnostic_draft(), institution(), complete=True)
    assert result.errors == []
    assert result.warnings == []


ERRORS = [
    (
        "complaints.received",
        "muchos",
        "complaints.received",
        "Escriba un número, por ejemplo 1234 o 12,5.",
    ),
    ("complaints.received", "-4", "complaints.received", "El valor no puede ser negativo."),
    (
        "complaints.received",
        "12,5",
        "complaints.received",
        "Escriba un número entero, sin decimales.",
    ),
    (
        "complaints.answered_over_20",
        "1201",
        "complaints.answered_over_20",
        "No puede haber más reclamos respondidos en más de 20 días hábiles que "
        "reclamos respondidos.",
    ),
    (
        "complaints.min_days",
        "40",
        "complaints.min_days",
        "El mínimo no puede ser mayor que el máximo.",
    ),
    (
        "saip.answered_within_10",
        "17",
        "saip.answered_within_10",
        "No puede haber más solicitudes en este tramo que solicitudes respondidas.",
    ),
    (
        "saip.answered_over_20",
        "17",
        "saip.answered_over_20",
        "No puede haber más solicitudes en este tramo que solicitudes respondidas.",
    ),
    ("saip.min_days", "26", "saip.min_days", "El mínimo no puede ser mayor que el máximo."),
    (
        "procedures.0.handled_late",
        "4501",
        "procedures.0.handled_late",
        "No puede haber más transacciones fuera de plazo que transacciones gestionadas.",
    ),
    (
        "procedures.0.minimum",
        "31",
        "procedures.0.minimum",
        "El mínimo no puede ser mayor que el máximo.",
    ),
    (
        "procedures.0.justification",
        "inventada",
        "procedures.0.justification",
        "Seleccione una opción de la lista.",
    ),
    (
        "procedures.1.name",
        "Trámite de prueba 1",
        "procedures.1.name",
        "Ya hay otro trámite con este nombre.",
    ),
    (
        "satisfaction.0.satisfied_pct",
        "100,1",
        "satisfaction.0.satisfied_pct",
        "Un porcentaje debe estar entre 0 y 100.",
    ),
    (
        "responsible.email",
        "maria",
        "responsible.email",
        "Escriba un correo válido, por ejemplo nombre@servicio.gob.cl.",
    ),
    ("responsible.name", "", "responsible.name", REQUIRED),
    (
        "procedures.0.justification",
        "otra",
        "procedures.0.other_reason",
        "Explique la otra razón de la selección.",
    ),
    ("gaps.1.procedure", "", "gaps.1.procedure", REQUIRED),
    (
        "gaps.1.procedure",
        "Un trámite que no existe",
        "gaps.1.procedure",
        "Escriba el nombre de uno de los trámites de la sección de trámites.",
    ),
    ("gaps.0.priority", "", "gaps.0.priority", REQUIRED),
    ("complaints.received", "1e5000", "complaints.received", NO_EXPONENT),
    ("saip.answered_within_10", "1e5000", "saip.answered_within_10", NO_EXPONENT),
    ("complaints.mean_days", "Infinity", "complaints.mean_days", NOT_A_NUMBER),
    ("procedures.0.mean", "NaN", "procedures.0.mean", NOT_A_NUMBER),
    ("procedures.0.handled", "9" * 310, "procedures.0.handled", TOO_MANY_DIGITS),
    ("satisfaction.0.satisfied_pct", "1" * 16, "satisfaction.0.satisfied_pct", TOO_MANY_DIGITS),
    ("responsible.name", "María\nGonzález", "responsible.name", ONE_LINE),
    ("gaps.0.description", "x\n" * 21, "gaps.0.description", "Use como máximo 20 líneas."),
    (
        "gaps.0.causes",
        "x" * 1001,
        "gaps.0.causes",
        "Use como máximo 1000 caracteres.",
    ),
]


@pytest.mark.parametrize(("path", "value", "where", "message"), ERRORS)
def test_error(path: str, value: str, where: str, message: str) -> None:
    result = evaluate(changed(path, value), institution(), complete=True)
    assert result.errors == [Finding(where, message)]


WARNINGS = [
    (
        "complaints.answered",
        "1300",
        "complaints.answered",
        "Se informan más reclamos respondidos que recibidos (1300 y 1250); "
        "puede deberse a ingresos de años anteriores.",
    ),
    (
        "complaints.mean_days",
        "40",
        "complaints.mean_days",
        "El valor queda fuera del rango entre el mínimo y el máximo.",
    ),
    (
        "complaints.median_days",
        "0,5",
        "complaints.median_days",
        "El valor queda fuera del rango entre el mínimo y el máximo.",
    ),
    (
        "saip.answered_within_15",
        "4",
        "saip.answered_within_15",
        "Los tramos son acumulativos: este valor no debería ser menor que el del tramo anterior.",
    ),
    (
        "saip.answered_over_20",
        "1",
        "saip.answered_over_20",
        "Las respondidas en 20 días o menos más las respondidas en más de 20 días "
        "(14 + 1) no suman las respondidas (16).",
    ),
    (
        "procedures.0.mean",
        "31",
        "procedures.0.mean",
        "El valor queda fuera del rango entre el mínimo y el máximo.",
    ),
]


@pytest.mark.parametrize(("path", "value", "where", "message"), WARNINGS)
def test_warning_never_blocks(path: str, value: str, where: str, message: str) -> None:
    result = evaluate(changed(path, value), institution(), complete=True)
    assert result.errors == []
    assert result.warnings == [Finding(where, message)]


def test_saip_answered_above_received_is_a_warning() -> None:
    draft = changed("saip.received", "10")
    result = evaluate(draft, institution(), complete=True)
    assert [w.path for w in result.warnings] == ["saip.answered"]
    assert result.errors == []


def test_empty_fields_are_errors_only_when_submitting() -> None:
    draft = changed("complaints.received", "")
    assert evaluate(draft, institution(), complete=False).errors == []
    assert evaluate(draft, institution(), complete=True).errors == [
        Finding("complaints.received", REQUIRED)
    ]


@pytest.mark.parametrize("section", ["procedures", "channels", "satisfaction", "gaps"])
def test_repeated_sections_need_a_row_to_submit(section: str) -> None:
    draft = diagnostic_draft()
    draft[section] = []
    if section == "procedures":
        draft["gaps"] = [draft["gaps"][0]]  # no gap may point to a missing procedure
    result = evaluate(draft, institution(), complete=True)
    assert [f.path for f in result.errors] == [section]


def test_a_field_in_error_is_not_checked_again_by_cross_field_rules() -> None:
    result = evaluate(changed("complaints.answered_over_20", "x"), institution(), complete=True)
    assert [f.path for f in result.errors] == ["complaints.answered_over_20"]


def test_saip_stage_is_checked_on_saip_and_gaps_only() -> None:
    draft = diagnostic_draft(procedures=0)
    draft["gaps"] = [draft["gaps"][0]]
    for section in ("complaints", "channels", "satisfaction"):
        draft[section] = {} if section == "complaints" else []
    result = evaluate(draft, institution(Stage.SAIP), complete=True)
    assert result.errors == []
    assert set(result.content) == {"responsible", "saip", "gaps"}


def test_content_holds_typed_values() -> None:
    content = evaluate(diagnostic_draft(), institution(), complete=True).content
    assert content["complaints"]["received"] == 1250
    assert content["complaints"]["mean_days"] == 8.5
    assert content["procedures"][0]["handled"] == 4500
    assert content["satisfaction"][0]["satisfied_pct"] == 72.5
    assert content["gaps"][0]["priority"] == "alta"


@pytest.mark.parametrize(
    ("section", "title", "maximum"),
    [
        ("procedures", "Trámites y servicios relevantes", 20),
        ("channels", "Canales de atención", 12),
        ("satisfaction", "Satisfacción usuaria (MESU)", 12),
        ("gaps", "Brechas", 20),
    ],
)
def test_more_rows_than_a_section_admits_is_an_error_even_when_saving(
    section: str, title: str, maximum: int
) -> None:
    draft = diagnostic_draft()
    row = draft[section][0]
    draft[section] = [{**row, "name": f"Trámite de prueba {n + 1}"} for n in range(maximum)]
    assert evaluate(draft, institution(), complete=True).errors == []

    draft[section].append({**row, "name": "Uno de más"})  # a hostile POST

    too_many = Finding(
        section, f"«{title}» admite como máximo {maximum} registros: quite 1 para poder enviar."
    )
    assert evaluate(draft, institution(), complete=False).errors == [too_many]
    assert evaluate(draft, institution(), complete=True).errors == [too_many]


LARGEST = {
    FieldKind.COUNT: ("999.999.999.999.999", "9.999.999.999.999.999"),
    FieldKind.DECIMAL: ("99.999.999.999.999,9", "99.999.999.999.999,99"),
    FieldKind.PERCENT: ("99,9999999999999", "99,99999999999999"),
}


def with_every_figure(which: int) -> tuple[dict[str, Any], list[str]]:
    """The valid draft with every figure at 15 digits (``which`` 0) or 16 (1), and the
    paths of the figures."""
    draft, paths = diagnostic_draft(), []
    for section in sections_for(institution()):
        rows = draft[section.key] if section.repeated else [draft[section.key]]
        for index, row in enumerate(rows):
            prefix = f"{section.key}.{index}" if section.repeated else section.key
            for spec in section.fields:
                if spec.numeric:
                    row[spec.name] = LARGEST[spec.kind][which]
                    paths.append(f"{prefix}.{spec.name}")
    return draft, paths


def test_figures_hold_15_digits_exactly_and_no_more() -> None:
    largest, paths = with_every_figure(0)
    result = evaluate(largest, institution(), complete=True)
    assert result.errors == []
    assert result.content["complaints"]["received"] == 999_999_999_999_999
    assert result.content["procedures"][1]["mean"] == 99_999_999_999_999.9
    assert result.content["satisfaction"][0]["satisfied_pct"] == 99.9999999999999

    too_long, _ = with_every_figure(1)
    result = evaluate(too_long, institution(), complete=True)
    assert result.errors == [Finding(path, TOO_MANY_DIGITS) for path in paths]
