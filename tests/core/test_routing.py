from __future__ import annotations

import pytest
from flask import Flask
from werkzeug.exceptions import NotFound

from pmg.core.routing import DB_INT_MAX, parse_db_int


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("7", 7),
        ("0000000007", 7),
        ("999999999", 999_999_999),
        ("1999999999", 1_999_999_999),
        ("2147483639", 2_147_483_639),
        ("2147483647", DB_INT_MAX),
        (7, 7),
        ("2147483648", None),
        ("2147483650", None),
        ("2200000000", None),
        ("9999999999", None),
        ("00000000007", None),
        ("12345678901234567890", None),
        ("9" * 10_000, None),
        ("-1", None),
        ("+1", None),
        (" 1", None),
        ("1\n", None),
        ("1.0", None),
        ("1e5", None),
        ("²", None),
        ("٣", None),
        ("", None),
        (None, None),
        (True, None),
    ],
)
def test_parse_db_int(text: object, expected: int | None) -> None:
    assert parse_db_int(text) == expected


def test_parse_db_int_agrees_with_the_range_around_every_power_of_ten() -> None:
    numbers = {n + d for p in range(11) for n in (10**p, 2 * 10**p) for d in (-1, 0, 1)}
    numbers |= {DB_INT_MAX + d for d in range(-12, 13)}
    for number in sorted(numbers):
        assert parse_db_int(str(number)) == (number if 0 <= number <= DB_INT_MAX else None)


def test_int_segment_at_the_top_of_the_range_matches(app: Flask) -> None:
    adapter = app.url_map.bind("localhost")
    endpoint, values = adapter.match("/admin/usuarios/2147483647")
    assert (endpoint, values) == ("auth.edit_user", {"user_id": DB_INT_MAX})


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/admin/usuarios/2147483648", "GET"),
        # A POST to a path whose GET rule has the same pattern: 404 too, not 405.
        ("/revision/1306/2147483648/diagnostico", "POST"),
        ("/revision/1306/٢٠٢٦/diagnostico", "GET"),
    ],
)
def test_int_segment_beyond_the_range_matches_no_rule(app: Flask, path: str, method: str) -> None:
    with pytest.raises(NotFound):
        app.url_map.bind("localhost").match(path, method=method)
