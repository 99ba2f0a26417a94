"""Cells of the consolidated files as domain values.

Official files write numbers as numbers or as text (``"12"``, ``"7,5"``,
``"1.234"``), and ``-`` or nothing where a figure was not reported (``None``).
Texts are read exactly as written (:data:`Kind.TEXT`); :func:`read_text` gives the
normalised form that rules use (no extra spaces; ``-`` as empty). A value that
cannot be used raises :class:`CellProblem`, whose message completes the clause
«el valor «x» …» said of a row and column.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from typing import Any, TypeVar

from pmg.core.models import LabelledEnum
from pmg.core.numbers import NumberProblem, parse_count, parse_decimal
from pmg.core.spreadsheets import cell_string, compact_text, comparable
from pmg.indicators.layouts import Kind
from pmg.indicators.models import Justification, TimeUnit

NOT_REPORTED = frozenset({"", "-", "–", "—"})  # hyphen, en dash, em dash
MAX_COUNT = 2_147_483_647  # the largest value of an INTEGER column
_WHOLE_WITH_ZEROS = re.compile(r"^(\d+)\.0+$")

JUSTIFICATION_ALIASES: dict[str, Justification] = {
    "masividad": Justification.VOLUME,
    "volumen de transacciones": Justification.VOLUME,
    "objetivos estrategicos": Justification.STRATEGIC,
    "asociado a objetivos estrategicos de la institucion": Justification.STRATEGIC,
    "otra": Justification.OTHER,
    "otro": Justification.OTHER,
    "otra razon": Justification.OTHER,
    "otro motivo": Justification.OTHER,
}
TIME_UNIT_ALIASES: dict[str, TimeUnit] = {
    "dia habil": TimeUnit.BUSINESS_DAYS,
    "dias habil": TimeUnit.BUSINESS_DAYS,
    "dia habiles": TimeUnit.BUSINESS_DAYS,
    "dia corrido": TimeUnit.CALENDAR_DAYS,
    "dias calendario": TimeUnit.CALENDAR_DAYS,
    "hora": TimeUnit.HOURS,
    "hrs": TimeUnit.HOURS,
    "minuto": TimeUnit.MINUTES,
    "min": TimeUnit.MINUTES,
}


class CellProblem(ValueError):
    """The cell's value cannot be used; ``str(problem)`` ends the sentence that explains why."""


def cell_value(value: Any, kind: Kind) -> Any:
    """The cell read as ``kind``; ``None`` (or ``""`` for text) when not reported."""
    return READERS[kind](value)


def read_code(value: Any) -> str:
    """An institution code as text: ``1306``, ``" 1306 "`` and ``"1306.0"`` give ``"1306"``."""
    text = read_text(value)
    whole = _WHOLE_WITH_ZEROS.match(text)
    return whole.group(1) if whole else text


def read_text(value: Any) -> str:
    """The text for rules and matching: single spaces, and ``""`` when not reported."""
    text = compact_text(value)
    return "" if text in NOT_REPORTED else text


def read_count(value: Any) -> int | None:
    number = _number(value, whole=True)
    if number is not None and number > MAX_COUNT:
        raise CellProblem("es demasiado grande")
    return None if number is None else int(number)


def read_number(value: Any) -> float | None:
    return _number(value, whole=False)


def read_percent(value: Any) -> float | None:
    if isinstance(value, str):
        value = value.strip().removesuffix("%")
    number = _number(value, whole=False)
    if number is not None and number > 100:
        raise CellProblem("debe ser un porcentaje entre 0 y 100")
    return number


def read_justification(value: Any) -> Justification | None:
    return _choice(value, Justification, JUSTIFICATION_ALIASES)


def read_time_unit(value: Any) -> TimeUnit | None:
    return _choice(value, TimeUnit, TIME_UNIT_ALIASES)


def _number(value: Any, *, whole: bool) -> float | None:
    if isinstance(value, bool | datetime | date | time):
        raise CellProblem("no es un número")
    if isinstance(value, int | float):
        try:
            number: float | None = float(value)
        except OverflowError:  # a whole number of hundreds of digits
            raise CellProblem("es demasiado grande") from None
    else:
        number = _parse_text(compact_text(value), whole=whole)
    if number is None:
        return None
    if not math.isfinite(number):
        raise CellProblem("no es un número")
    if number < 0:
        raise CellProblem("no puede ser negativo")
    if whole and not number.is_integer():
        raise CellProblem("debe ser un número entero")
    return number


def _parse_text(text: str, *, whole: bool) -> float | None:
    if text in NOT_REPORTED:
        return None
    parse: Callable[[str], Any] = parse_count if whole else parse_decimal
    try:
        parsed = parse(text)
    except NumberProblem:
        try:
            parse_decimal(text)
        except NumberProblem:
            raise CellProblem("no es un número") from None
        raise CellProblem("debe ser un número entero") from None
    return None if parsed is None else float(parsed)


def _key(text: str) -> str:
    """Folded for matching: no accents, case, punctuation or extra spaces."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", comparable(text)).split())


Choice = TypeVar("Choice", bound=LabelledEnum)


def _choice(value: Any, enum_class: type[Choice], aliases: Mapping[str, Choice]) -> Choice | None:
    text = read_text(value)
    if not text:
        return None
    options = {_key(member.label): member for member in enum_class}
    options.update({_key(member.value): member for member in enum_class})
    options.update(aliases)
    member = options.get(_key(text))
    if member is None:
        expected = ", ".join(member.label for member in enum_class)
        raise CellProblem(f"no es válido (se espera: {expected})")
    return member


READERS: dict[Kind, Callable[[Any], Any]] = {
    Kind.CODE: read_code,
    Kind.TEXT: cell_string,
    Kind.COUNT: read_count,
    Kind.NUMBER: read_number,
    Kind.PERCENT: read_percent,
    Kind.JUSTIFICATION: read_justification,
    Kind.TIME_UNIT: read_time_unit,
}
