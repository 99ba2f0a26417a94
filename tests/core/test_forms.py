from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form, StringField

from pmg.core.forms import RowList


class _Rows(Form):
    rows = RowList(StringField(), min_entries=0)


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["rows-0", "rows-1"], ["a", "b"]),
        (["rows-1", "rows-7"], ["a", "b"]),
        (["rows-²", "rows-0"], ["b"]),
        (["rows-" + "9" * 10_000, "rows-0"], ["b"]),
        (["rows-12345678901234567890", "rows-0"], ["b"]),
        (["rows--1", "rows-x"], []),
    ],
)
def test_row_list_reads_only_row_numbers_the_database_holds(
    names: list[str], expected: list[str]
) -> None:
    form = _Rows(MultiDict(zip(names, ["a", "b"], strict=True)))
    assert form.rows.data == expected
