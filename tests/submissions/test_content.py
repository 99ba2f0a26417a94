"""Bounds of what a field and a section accept, and content as JSON numbers."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

import pytest

from pmg.audit.operations import canonical_json
from pmg.diagnostics.schema import GAPS, PROCEDURES, SECTIONS
from pmg.plans.schema import PROCEDURE_TARGETS
from pmg.plans.schema import SECTIONS as PLAN_SECTIONS
from pmg.submissions.content import (
    FieldKind,
    FieldSpec,
    Finding,
    SectionSpec,
    jsonable,
    parse_value,
)
from pmg.submissions.forms import content_form_class

NOTE = FieldSpec("note", "Nota", FieldKind.LONG_TEXT, max_length=1000)
NAME = FieldSpec("name", "Nombre", FieldKind.TEXT, max_length=300)


@pytest.mark.parametrize(
    ("spec", "text", "message"),
    [
        (NOTE, "\n".join(["línea"] * 21), "Use como máximo 20 líneas."),
        (NOTE, "uno\r\ndos" + "\u2028tres" * 20, "Use como máximo 20 líneas."),
        (NOTE, "x" + "\u2029" * 20 + "x", "Use como máximo 20 líneas."),
        (NOTE, "x" * 1001, "Use como máximo 1000 caracteres."),
        (NAME, "Trámite\nde prueba", "Escriba el texto en una sola línea."),
        (NAME, "Trámite\u2028de prueba", "Escriba el texto en una sola línea."),
        (NAME, "x" * 301, "Use como máximo 300 caracteres."),
    ],
)
def test_a_text_longer_than_its_field_allows_is_refused(
    spec: FieldSpec, text: str, message: str
) -> None:
    with pytest.raises(ValueError, match=f"^{message}$"):
        parse_value(spec, text)


@pytest.mark.parametrize(
    ("spec", "text"),
    [
        (NOTE, "\n".join(["línea"] * 20)),
        (NOTE, "uno\r\ndos\r\n"),  # a Windows line break is one
        (NOTE, "\n  sangría\n\tcon tabulación  \n"),  # outer spaces and breaks kept
        (NOTE, "x" * 1000),
        (NAME, "x" * 300),
        (NAME, "  Oficina  de partes "),
    ],
)
def test_a_text_within_its_limits_is_kept_as_typed(spec: FieldSpec, text: str) -> None:
    assert parse_value(spec, text) == text


@pytest.mark.parametrize(
    ("spec", "lines"),
    [(spec, spec.max_length // 50) for spec in (NOTE, GAPS.field("causes"))]
    + [(NAME, 1), (GAPS.field("priority"), 1)],
)
def test_a_long_text_holds_a_line_per_50_characters_and_others_one(
    spec: FieldSpec, lines: int
) -> None:
    assert spec.max_lines == lines


@pytest.mark.parametrize("spec", [NOTE, NAME])
@pytest.mark.parametrize("raw", [None, "", "  ", "\r\n\t \n"])
def test_a_text_of_nothing_but_spaces_or_none_is_empty(spec: FieldSpec, raw: str | None) -> None:
    assert parse_value(spec, raw) is None


def test_a_repeated_section_needs_a_maximum_of_rows() -> None:
    with pytest.raises(ValueError, match="needs a max_rows"):
        SectionSpec("rows", "Filas", (NAME,), repeated=True, min_rows=1)
    with pytest.raises(ValueError, match="needs a max_rows"):
        SectionSpec("rows", "Filas", (NAME,), repeated=True, min_rows=3, max_rows=2)


@pytest.mark.parametrize(
    ("section", "rows"),
    [(section, section.max_rows) for section in SECTIONS + PLAN_SECTIONS if section.repeated],
)
def test_every_repeated_section_has_its_maximum(section: SectionSpec, rows: int) -> None:
    assert section.too_many_rows(rows) is None
    assert section.too_many_rows(rows + 3) == Finding(
        section.key,
        f"«{section.title}» admite como máximo {rows} registros: quite 3 para poder enviar.",
    )


def test_the_maximum_rows_are_those_measured_by_the_benchmark() -> None:
    """benchmarks/pdf_largest.py renders every section at these maximums within 10 s."""
    maximums = {s.key: s.max_rows for s in SECTIONS + PLAN_SECTIONS if s.repeated}
    assert maximums == {
        "procedures": 20,
        "channels": 12,
        "satisfaction": 12,
        "gaps": 20,
        "actions": 30,
        "procedure_targets": 20,
    }
    assert PROCEDURE_TARGETS.max_rows == PROCEDURES.max_rows  # one target per procedure


LARGEST = [
    (FieldKind.COUNT, "999.999.999.999.999", 999_999_999_999_999),
    (FieldKind.DECIMAL, "99.999.999.999.999,9", 99_999_999_999_999.9),
    (FieldKind.DECIMAL, "0,000000000000001", 1e-15),
    (FieldKind.PERCENT, "99,9999999999999", 99.9999999999999),
]


@pytest.mark.parametrize(("kind", "text", "number"), LARGEST)
def test_the_largest_numbers_are_exact_finite_json_numbers(
    kind: FieldKind, text: str, number: Any
) -> None:
    value = jsonable(parse_value(FieldSpec("figure", "Cifra", kind), text))

    assert value == number
    assert json.loads(canonical_json({"figure": value})) == {"figure": number}
    assert Decimal(repr(value)) == Decimal(text.replace(".", "").replace(",", "."))


@pytest.mark.parametrize("value", [Decimal("9" * 310 + ".5"), Decimal("-" + "9" * 400 + ".5")])
def test_jsonable_refuses_a_number_no_float_holds(value: Decimal) -> None:
    with pytest.raises(ValueError, match="Not a finite number"):
        jsonable({"figures": [value]})


@pytest.mark.parametrize("number", [math.inf, -math.inf, math.nan])
def test_canonical_json_refuses_non_finite_numbers(number: float) -> None:
    with pytest.raises(ValueError):
        canonical_json({"content": {"received": number}})


def test_a_set_of_sections_makes_its_form_class_once() -> None:
    assert content_form_class(SECTIONS) is content_form_class(tuple(list(SECTIONS)))
    assert content_form_class(SECTIONS) is not content_form_class(SECTIONS[:-1])
