"""Adding and removing rows of a repeated section, within its maximum."""

from __future__ import annotations

from typing import Any

import pytest

from pmg.diagnostics.schema import GAPS, SECTIONS
from pmg.submissions.rows import RowChange, change_rows

FULL = (
    "No se agregó el registro: «Brechas» admite como máximo 20 registros. "
    "Quite uno para agregar otro."
)


def with_gaps(count: int) -> dict[str, Any]:
    return {"gaps": [{"description": f"Brecha {n + 1}"} for n in range(count)], "channels": []}


def test_adding_a_row_below_the_maximum_adds_an_empty_row_with_its_key() -> None:
    draft = with_gaps(GAPS.max_rows - 1)

    change = change_rows(draft, SECTIONS, "agregar:gaps")

    assert len(change.draft["gaps"]) == GAPS.max_rows
    added = change.draft["gaps"][-1]
    assert added["description"] == ""
    assert len(added["key"]) == 12
    assert change.anchor == f"gaps-{GAPS.max_rows - 1}"
    assert change.refusal is None


@pytest.mark.parametrize("rows", [GAPS.max_rows, GAPS.max_rows + 5])
def test_adding_a_row_at_the_maximum_is_refused_and_says_why(rows: int) -> None:
    draft = with_gaps(rows)

    change = change_rows(draft, SECTIONS, "agregar:gaps")

    assert change == RowChange(draft, "seccion-gaps", FULL)


def test_removing_a_row_above_the_maximum_is_allowed() -> None:
    draft = with_gaps(GAPS.max_rows + 1)

    change = change_rows(draft, SECTIONS, "quitar:gaps:0")

    assert [row["description"] for row in change.draft["gaps"]][:2] == ["Brecha 2", "Brecha 3"]
    assert change == RowChange(change.draft, "seccion-gaps", None)


@pytest.mark.parametrize(
    "action", ["guardar", "agregar:responsible", "agregar:nada", "quitar:gaps:99", "borrar:gaps"]
)
def test_anything_else_changes_nothing_and_refuses_nothing(action: str) -> None:
    draft = with_gaps(2)
    assert change_rows(draft, SECTIONS, action) == RowChange(draft, None, None)
