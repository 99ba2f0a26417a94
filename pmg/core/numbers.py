"""Numbers as Chileans type them and as the official files round them.

``1.234`` is one thousand two hundred and thirty-four in a count; ``7,5`` and
``7.5`` are both seven and a half. Percentages are rounded half up to one
decimal, as Excel's ROUND does (5 of 16 is 31.3, not 31.2).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

NOT_REPORTED = "-"
_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
ONE_DECIMAL = Decimal("0.1")


class NumberProblem(ValueError):
    """The text is not a usable number; the message says what to type instead."""


def parse_decimal(text: str) -> Decimal | None:
    """A number typed by a person: ``None`` when empty or ``-``; raises :class:`NumberProblem`."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    if cleaned in ("", NOT_REPORTED):
        return None
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif _THOUSANDS.match(cleaned) and cleaned.count(".") > 1:
        cleaned = cleaned.replace(".", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise NumberProblem("Escriba un número, por ejemplo 1234 o 12,5.") from None
    if not value.is_finite():
        raise NumberProblem("Escriba un número, por ejemplo 1234 o 12,5.")
    return value


def parse_count(text: str) -> int | None:
    """A whole number of things; ``1.234`` is read as one thousand two hundred thirty-four."""
    cleaned = text.strip().replace(" ", "")
    if _THOUSANDS.match(cleaned):
        cleaned = cleaned.replace(".", "")
    value = parse_decimal(cleaned)
    if value is None:
        return None
    if value != value.to_integral_value():
        raise NumberProblem("Escriba un número entero, sin decimales.")
    return int(value)


def round_half_up(value: Decimal | float, places: Decimal = ONE_DECIMAL) -> Decimal:
    return Decimal(str(value)).quantize(places, rounding=ROUND_HALF_UP)


def percent(part: int | None, whole: int | None) -> Decimal | None:
    """``part`` of ``whole`` in percent with one decimal; ``None`` where the files write ``-``."""
    if part is None or whole is None or whole == 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)
