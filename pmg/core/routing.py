"""What a request may carry, checked before any of it reaches a query.

Numbers: every id, year and version number is an ``Integer`` column, 32 bits on PostgreSQL.
A number from a path, a query string or a form beyond that range cannot name a row, and the
database driver refuses it (``OverflowError``): such a number is treated as a row that does
not exist. Text: PostgreSQL cannot hold the NUL character in text, so a request carrying one
names nothing and can store nothing; it is refused before it reaches the database.
"""

from __future__ import annotations

import re

from flask import Flask, abort, request
from werkzeug.routing.converters import IntegerConverter

from pmg.core.errors import DomainError

DB_INT_MAX = 2**31 - 1


def _up_to(limit: int) -> str:
    """A regular expression for the decimal numbers from 0 to ``limit`` (ASCII digits).

    Fewer digits than ``limit``, or as many and not past it, one choice per position: for
    2147483647, ``[0-9]{1,9}``, ``[0-1][0-9]{9}``, … ``214748364[0-6]``, ``2147483647``.
    """
    digits = str(limit)
    choices = [f"[0-9]{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    for position, digit in enumerate(digits):
        rest = len(digits) - position - 1
        if digit != "0":
            tail = f"[0-9]{{{rest}}}" if rest else ""
            choices.append(f"{digits[:position]}[0-{int(digit) - 1}]{tail}")
    choices.append(digits)
    return "(?:" + "|".join(choices) + ")"


DB_INT = _up_to(DB_INT_MAX)
_DB_INT = re.compile(DB_INT)


def parse_db_int(value: object) -> int | None:
    """The whole number ``value`` spells in ASCII digits (or is), if the database can hold it.

    None for anything else: None, empty, signed, a fraction, ``1e5``, other scripts' digits
    («²», «٣»), or more than ``DB_INT_MAX``.
    """
    text = str(value)
    return int(text) if _DB_INT.fullmatch(text) else None


class DatabaseIntegerConverter(IntegerConverter):
    """``<int:…>`` for the whole application: 0 to ``DB_INT_MAX`` in ASCII digits.

    The bound is the pattern itself: a path that does not match a rule's pattern is a 404
    for every method, while one matched and then refused by ``to_python`` (as werkzeug's
    ``max`` does) answers 405 where a rule of the same pattern takes another method.
    """

    regex = DB_INT
    signed_regex = f"-?{DB_INT}"


NUL = "\x00"
NUL_REFUSED = (
    "El formulario o la dirección contiene un carácter nulo, que no se puede guardar. "
    "Revise el texto copiado, quite ese carácter e intente de nuevo."
)


def refuse_nul() -> None:
    """404 for a path with NUL (no page has one); 400 for a query string or form with it."""
    if NUL in request.path:
        abort(404)
    for values in (request.args, request.form):
        for key, items in values.lists():
            if NUL in key or any(NUL in item for item in items):
                raise DomainError(NUL_REFUSED)


def register_request_limits(app: Flask) -> None:
    """Bound ``<int:…>`` and refuse NUL; call it before the blueprints add their rules."""
    app.url_map.converters["int"] = DatabaseIntegerConverter
    app.before_request(refuse_nul)
