from __future__ import annotations

from decimal import Decimal

import pytest

from pmg.core import numbers
from pmg.core.numbers import (
    NO_EXPONENT,
    NOT_A_NUMBER,
    TOO_MANY_DIGITS,
    NumberProblem,
    parse_count,
    parse_decimal,
    percent,
)


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
    ("text", "expected", "one_more"),
    [
        ("999.999.999.999.999", Decimal("999999999999999"), "9.999.999.999.999.999"),
        ("999999999999999", Decimal("999999999999999"), "1000000000000000"),
        ("99.999.999.999.999,9", Decimal("99999999999999.9"), "99.999.999.999.999,91"),
        ("9999999999999.99", Decimal("9999999999999.99"), "9999999999999.991"),
        # Leading zeros do not count, nor zeros ending the decimals.
        ("0,000000000000001", Decimal("0.000000000000001"), "1,000000000000001"),
        ("0000000000000000000000012", Decimal("12"), "0000000000000000000000012,00000000000001"),
        ("12,50000000000000000000", Decimal("12.5"), "12,50000000000000000001"),
    ],
)
def test_parse_decimal_reads_up_to_15_digits(text: str, expected: Decimal, one_more: str) -> None:
    assert parse_decimal(text) == expected
    with pytest.raises(NumberProblem, match=f"^{TOO_MANY_DIGITS}$"):
        parse_decimal(one_more)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1e5000", NO_EXPONENT),
        ("1E5", NO_EXPONENT),
        ("1,5e6", NO_EXPONENT),
        ("2.5e-3", NO_EXPONENT),
        ("1e100000", NO_EXPONENT),
        ("inf", NOT_A_NUMBER),
        ("-Infinity", NOT_A_NUMBER),
        ("NaN", NOT_A_NUMBER),
        ("sNaN", NOT_A_NUMBER),
        ("1_000", NOT_A_NUMBER),  # Python's digit grouping
        ("١٢٣", NOT_A_NUMBER),  # digits of other scripts
        ("0x10", NOT_A_NUMBER),
        ("1.2.3,4,5", NOT_A_NUMBER),
        ("1234567890123456", TOO_MANY_DIGITS),  # 16 digits
        ("1.000.000.000.000.000", TOO_MANY_DIGITS),
        ("99999999999999,99", TOO_MANY_DIGITS),
        ("9" * 310, TOO_MANY_DIGITS),
        ("1" + " " * 60 + "2", TOO_MANY_DIGITS),  # too long before spaces are dropped
    ],
)
def test_parse_decimal_refuses_what_is_not_a_plain_number_of_15_digits(
    text: str, message: str
) -> None:
    with pytest.raises(NumberProblem) as problem:
        parse_decimal(text)
    assert str(problem.value) == message
    with pytest.raises(NumberProblem) as problem:
        parse_count(text)
    assert str(problem.value) == message


@pytest.mark.parametrize("text", ["1e100000", "9" * 100_000, "1" * 41, "9" * 310, "1e5000"])
def test_unusable_input_is_refused_before_any_arithmetic(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_arithmetic(*args: object) -> Decimal:
        raise AssertionError("a Decimal was made")

    monkeypatch.setattr(numbers, "Decimal", no_arithmetic)
    with pytest.raises(NumberProblem):
        parse_count(text)


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (999_999_999_999_999, 1, Decimal("99999999999999900.0")),
        (1, 999_999_999_999_999, Decimal("0.0")),
        (999_999_999_999_999, 999_999_999_999_999, Decimal("100.0")),
        (10**300, 1, Decimal(10**302)),  # an imported figure of any size: never a failure
    ],
)
def test_percent_of_the_largest_figures(part, whole, expected) -> None:  # type: ignore[no-untyped-def]
    assert percent(part, whole) == expected


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
