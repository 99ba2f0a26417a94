"""Cells of the consolidated files as values: numbers as text, ``-``, labels."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from pmg.indicators.cells import (
    CellProblem,
    read_code,
    read_count,
    read_justification,
    read_number,
    read_percent,
    read_text,
    read_time_unit,
)
from pmg.indicators.models import Justification, TimeUnit


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1306, "1306"),
        (1306.0, "1306"),
        (" 1306 ", "1306"),
        ("1306.0", "1306"),
        ("3101_61", "3101_61"),
        (None, ""),
        ("-", ""),
    ],
)
def test_read_code_understands_numbers_and_text(value: Any, expected: str) -> None:
    assert read_code(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12, 12),
        (12.0, 12),
        ("12", 12),
        (" 12 ", 12),
        ("12.0", 12),
        ("1.234", 1234),
        ("1.234.567", 1234567),
        (0, 0),
        ("-", None),
        ("", None),
        (None, None),
        ("  ", None),
    ],
)
def test_read_count_understands_text_and_thousands(value: Any, expected: int | None) -> None:
    assert read_count(value) == expected


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (7.5, "debe ser un número entero"),
        ("7,5", "debe ser un número entero"),
        ("7.5", "debe ser un número entero"),
        (-1, "no puede ser negativo"),
        ("-3", "no puede ser negativo"),
        ("doce", "no es un número"),
        ("n/a", "no es un número"),
        (True, "no es un número"),
        (date(2024, 1, 1), "no es un número"),
        (3_000_000_000, "es demasiado grande"),
    ],
)
def test_read_count_refuses_what_is_not_a_whole_number(value: Any, problem: str) -> None:
    with pytest.raises(CellProblem) as refused:
        read_count(value)
    assert str(refused.value) == problem


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (7.5, 7.5),
        ("7,5", 7.5),
        ("7.5", 7.5),
        ("12", 12.0),
        (0, 0.0),
        ("-", None),
        (None, None),
    ],
)
def test_read_number_understands_decimal_commas_and_points(
    value: Any, expected: float | None
) -> None:
    assert read_number(value) == expected


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (-0.5, "no puede ser negativo"),
        ("rápido", "no es un número"),
        ("inf", "no es un número"),
        # openpyxl reads a cell <v>1000…0</v> of 401 digits as a Python int.
        (10**400, "es demasiado grande"),
    ],
)
def test_read_number_refuses_negative_and_non_numbers(value: Any, problem: str) -> None:
    with pytest.raises(CellProblem, match=problem):
        read_number(value)


@pytest.mark.parametrize(
    ("value", "expected"), [(95, 95.0), ("97,5", 97.5), ("90%", 90.0), ("85 %", 85.0), ("-", None)]
)
def test_read_percent_accepts_a_percent_sign(value: Any, expected: float | None) -> None:
    assert read_percent(value) == expected


def test_read_percent_refuses_more_than_100() -> None:
    with pytest.raises(CellProblem, match="debe ser un porcentaje entre 0 y 100"):
        read_percent(100.1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Masividad (volumen de transacciones)", Justification.VOLUME),
        ("masividad (Volumen de Transacciones) ", Justification.VOLUME),
        ("Masividad", Justification.VOLUME),
        (
            "Asociado a objetivos estratégicos de la institución (formulario A1)",
            Justification.STRATEGIC,
        ),
        (
            "asociado a objetivos estrategicos de la institucion (Formulario A1)",
            Justification.STRATEGIC,
        ),
        ("Otra razón", Justification.OTHER),
        ("OTRA RAZON", Justification.OTHER),
        ("Otro", Justification.OTHER),
        ("Otra", Justification.OTHER),
        ("", None),
        (None, None),
        ("-", None),
    ],
)
def test_read_justification_by_label_leniently(text: Any, expected: Justification | None) -> None:
    assert read_justification(text) is expected


def test_read_justification_unknown_lists_the_labels() -> None:
    with pytest.raises(CellProblem) as refused:
        read_justification("Urgencia")
    assert str(refused.value) == (
        "no es válido (se espera: Masividad (volumen de transacciones), "
        "Asociado a objetivos estratégicos de la institución (formulario A1), Otra razón)"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("días hábiles", TimeUnit.BUSINESS_DAYS),
        ("día hábil", TimeUnit.BUSINESS_DAYS),
        ("dias habiles", TimeUnit.BUSINESS_DAYS),
        ("Días Hábiles", TimeUnit.BUSINESS_DAYS),
        ("Días corridos", TimeUnit.CALENDAR_DAYS),
        ("día corrido", TimeUnit.CALENDAR_DAYS),
        ("horas", TimeUnit.HOURS),
        ("hora", TimeUnit.HOURS),
        ("Minutos", TimeUnit.MINUTES),
        ("minuto", TimeUnit.MINUTES),
        ("", None),
        ("-", None),
    ],
)
def test_read_time_unit_accepts_singulars_and_variants(
    text: str, expected: TimeUnit | None
) -> None:
    assert read_time_unit(text) is expected


def test_read_time_unit_unknown_lists_the_labels() -> None:
    with pytest.raises(CellProblem) as refused:
        read_time_unit("semanas")
    assert str(refused.value) == (
        "no es válido (se espera: días hábiles, días corridos, horas, minutos)"
    )


def test_read_text_compacts_spaces_and_reads_a_dash_as_empty() -> None:
    assert read_text("  Ingreso  de la\nsolicitud ") == "Ingreso de la solicitud"
    assert read_text("-") == ""
