"""The largest content the forms accept, built from the section specs themselves (so it
follows any change of a limit): every repeated section at its ``max_rows``, every text at
its ``max_length`` as one word of the widest letter (or, with ``lines``, a long text in its
``max_lines`` lines), every number with 15 digits. Used by ``benchmarks/pdf_largest.py``
and by the tests that post the largest forms."""

from __future__ import annotations

from typing import Any, NamedTuple

from pmg.submissions.content import FieldKind, FieldSpec, SectionSpec

# The widest letter of the font: the most lines per text, and lines are what costs.
WIDEST = "W"
NUMBERS = {
    FieldKind.COUNT: "999.999.999.999.999",
    FieldKind.DECIMAL: "99.999.999.999.999,9",
    FieldKind.PERCENT: "99,9999999999999",
}
EMAIL_DOMAIN = "@servicio.gob.cl"
Draft = dict[str, Any]


class Filler(NamedTuple):
    """What the heaviest values depend on besides their field."""

    style: str  # "words" or "lines"
    dates: dict[str, str]  # the execution period, by field name
    gaps: list[str]  # the diagnostic's gap keys (references of every action)
    procedures: list[str]  # the diagnostic's procedure names (keys of the targets)
    letter: str = WIDEST  # what texts are made of («€» for the most bytes per character)


def longest_text(spec: FieldSpec, row: int, filler: Filler) -> str:
    """``max_length`` characters of one word without spaces; with ``lines``, a long text
    is cut into ``max_lines`` lines of it. Starts with the row's number, so names that must
    differ (procedures) do."""
    start = f"{row:02d}"
    word = start + filler.letter * (spec.max_length - 2)
    if filler.style == "words" or spec.kind is not FieldKind.LONG_TEXT:
        return word
    # A break ends each line: max_lines - 1 of them, the rest of the length split evenly.
    length = (spec.max_length - spec.max_lines + 1) // spec.max_lines
    return "\n".join(word[n * length : (n + 1) * length] for n in range(spec.max_lines))


def largest_value(spec: FieldSpec, row: int, filler: Filler) -> Any:
    """The heaviest legal value of ``spec`` in row ``row`` (counted from 0)."""
    if spec.kind in NUMBERS:
        return NUMBERS[spec.kind]
    if spec.kind is FieldKind.EMAIL:
        return "a" * (spec.max_length - len(EMAIL_DOMAIN)) + EMAIL_DOMAIN
    if spec.kind is FieldKind.CHOICE and spec.choices is not None:
        return next(iter(spec.choices)).value
    if spec.kind is FieldKind.DATE:
        return filler.dates[spec.name]
    if spec.kind is FieldKind.REFERENCES:
        return list(filler.gaps)
    if spec.kind is FieldKind.KEY:
        return filler.procedures[row] if spec.name == "procedure" else f"{spec.name}-{row + 1}"
    return longest_text(spec, row, filler)


def largest_draft(sections: tuple[SectionSpec, ...], filler: Filler) -> Draft:
    def row(section: SectionSpec, number: int) -> dict[str, Any]:
        return {spec.name: largest_value(spec, number, filler) for spec in section.fields}

    return {
        section.key: [row(section, n) for n in range(section.max_rows)]
        if section.repeated
        else row(section, 0)
        for section in sections
    }


def form_fields(sections: tuple[SectionSpec, ...], gaps: int) -> dict[str, int]:
    """The most fields a form can post, by kind (a references field: one per gap chosen),
    plus the CSRF token, the lock version and the button."""
    counts: dict[str, int] = {}
    for section in sections:
        rows = section.max_rows if section.repeated else 1
        for spec in section.fields:
            values = gaps if spec.kind is FieldKind.REFERENCES else 1
            counts[spec.kind.value] = counts.get(spec.kind.value, 0) + rows * values
    counts["csrf_token, lock_version, accion"] = 3
    return counts


def posted(draft: Draft) -> list[tuple[str, str]]:
    """``draft`` as the browser posts it: ``(name, value)`` pairs."""
    pairs: list[tuple[str, str]] = []
    for key, value in draft.items():
        rows = value if isinstance(value, list) else [value]
        for index, row in enumerate(rows):
            prefix = f"{key}-{index}-" if isinstance(value, list) else f"{key}-"
            for name, item in row.items():
                items = item if isinstance(item, list) else [item]
                pairs.extend((prefix + name, str(each)) for each in items)
    return pairs
