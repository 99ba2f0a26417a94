from __future__ import annotations

from decimal import Decimal

import pytest

from pmg.core.numbers import NumberProblem, parse_count, parse_decimal, percent


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", None),
        ("  ", None),
        ("-", None),
        ("12", Decimal("12")),
        ("12,5", Decimal("12.5")),
        ("12.5", Decimal("12.5")),
        ("1.234,5", Decimal("1234.5")),
        ("1.234.567", Decimal("1234567")),
        (" 7,25 ", Decimal("7.25")),
        ("-3", Decimal("-3")),
    ],
)
def test_parse_decimal_reads_what_people_type(text: str, expected: Decimal | None) -> None:
    assert parse_decimal(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1.234", 1234), ("1234", 1234), ("12.0", 12), ("0", 0), ("", None), ("-", None)],
)
def test_parse_count_reads_thousands_separators(text: str, expected: int | None) -> None:
    assert parse_count(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("doce", "Escriba un número, por ejemplo 1234 o 12,5."),
        ("1,5", "Escriba un número entero, sin decimales."),
        ("12.5", "Escriba un número entero, sin decimales."),
        ("inf", "Escriba un número, por ejemplo 1234 o 12,5."),
        ("NaN", "Escriba un número, por ejemplo 1234 o 12,5."),
    ],
)
def test_parse_count_refuses_with_a_message(text: str, message: str) -> None:
    with pytest.raises(NumberProblem, match=message):
        parse_count(text)


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (5, 16, Decimal("31.3")),  # 31.25 rounds half up, as Excel's ROUND
        (1, 3, Decimal("33.3")),
        (2, 3, Decimal("66.7")),
        (1, 8, Decimal("12.5")),
        (1, 80, Decimal("1.3")),  # 1.25
        (0, 7, Decimal("0.0")),
        (7, 7, Decimal("100.0")),
        (9, 7, Decimal("128.6")),
        (3, 0, None),
        (None, 5, None),
        (5, None, None),
    ],
)
def test_percent_rounds_half_up_to_one_decimal(part, whole, expected) -> None:  # type: ignore[no-untyped-def]
    assert percent(part, whole) == expected
