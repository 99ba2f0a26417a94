"""Numbers as Chileans type them and as the official files round them.

``1.234`` is one thousand two hundred and thirty-four in a count; ``7,5`` and
``7.5`` are both seven and a half. Percentages are rounded half up to one
decimal, as Excel's ROUND does (5 of 16 is 31.3, not 31.2).

What a person types is bounded before any arithmetic: plain notation only (no
exponent, infinity or NaN) and at most :data:`MAX_DIGITS` digits, which a
binary float (and so JSON, Excel and the PDF) holds exactly.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Context, Decimal

NOT_REPORTED = "-"
_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+$", re.ASCII)
# Plain notation after the es-CL separators are read: ASCII digits, one point at most.
_PLAIN = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$", re.ASCII)
_EXPONENT = re.compile(r"^[+-]?[\d.]*\d[eE][+-]?\d+$", re.ASCII)
ONE_DECIMAL = Decimal("0.1")
# Room for the digits of any percentage but a huge one, which gets a context of its own.
PERCENT_CONTEXT = Context(prec=28)
MAX_DIGITS = 15
# Longer than any plain number of MAX_DIGITS with its signs, separators and zeros.
MAX_NUMBER_LENGTH = 40
NOT_A_NUMBER = "Escriba un número, por ejemplo 1234 o 12,5."
TOO_MANY_DIGITS = f"Escriba un número de hasta {MAX_DIGITS} cifras, por ejemplo 1.234.567 o 12,5."
NO_EXPONENT = "Escriba el número con todas sus cifras, sin exponente: 1500000 en vez de 1,5e6."


class NumberProblem(ValueError):
    """The text is not a usable number; the message says what to type instead."""


def _plain_text(text: str) -> str | None:
    """``text`` in plain notation with a decimal point; ``None`` when empty or ``-``.

    Raises :class:`NumberProblem` for anything else, looking at no more than
    :data:`MAX_NUMBER_LENGTH` characters of it.
    """
    cleaned = text.strip()
    if len(cleaned) > MAX_NUMBER_LENGTH:
        raise NumberProblem(TOO_MANY_DIGITS)
    cleaned = cleaned.replace(" ", "").replace("\u00a0", "")
    if cleaned in ("", NOT_REPORTED):
        return None
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif _THOUSANDS.match(cleaned) and cleaned.count(".") > 1:
        cleaned = cleaned.replace(".", "")
    if not _PLAIN.match(cleaned):
        raise NumberProblem(NO_EXPONENT if _EXPONENT.match(cleaned) else NOT_A_NUMBER)
    whole, _, fraction = cleaned.lstrip("+-").partition(".")
    if len((whole + fraction.rstrip("0")).lstrip("0")) > MAX_DIGITS:
        raise NumberProblem(TOO_MANY_DIGITS)
    return cleaned


def parse_decimal(text: str) -> Decimal | None:
    """A number typed by a person: ``None`` when empty or ``-``; raises :class:`NumberProblem`.

    At most :data:`MAX_DIGITS` digits, not counting leading zeros nor zeros ending the
    decimals; never an exponent, an infinity or NaN.
    """
    cleaned = _plain_text(text)
    return None if cleaned is None else Decimal(cleaned)


def parse_count(text: str) -> int | None:
    """A whole number of things; ``1.234`` is read as one thousand two hundred thirty-four."""
    cleaned = text.strip()
    if len(cleaned) <= MAX_NUMBER_LENGTH and _THOUSANDS.match(cleaned.replace(" ", "")):
        cleaned = cleaned.replace(" ", "").replace(".", "")
    value = parse_decimal(cleaned)
    if value is None:
        return None
    if value != value.to_integral_value():
        raise NumberProblem("Escriba un número entero, sin decimales.")
    return int(value)


def round_half_up(value: Decimal | float, places: Decimal = ONE_DECIMAL) -> Decimal:
    return Decimal(str(value)).quantize(places, rounding=ROUND_HALF_UP)


Figure = int | float | Decimal


def percent(part: Figure | None, whole: Figure | None) -> Decimal | None:
    """``part`` of ``whole`` in percent with one decimal; ``None`` where the files write ``-``.

    Never fails on finite figures, however large (an imported cell may hold 1e300).
    """
    if part is None or whole is None or whole == 0:
        return None
    share = Decimal(part) * 100 / Decimal(whole)
    digits = share.adjusted() + 3
    context = PERCENT_CONTEXT if digits <= PERCENT_CONTEXT.prec else Context(prec=digits)
    return share.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP, context=context)
