"""What a version's document adds where its draft was pre-filled from the official
consolidated files: the section marked, and beside each changed value the one imported.
Pure.

The version freezes the pre-filled texts (``"prefilled"``, shaped as in
:mod:`pmg.submissions.prefill`); a value is changed when, read as a typed value of its
field, it differs from the pre-filled text so read (``7,50`` and ``7,5`` are the same).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from pmg.exports.documents.blocks import Line, Section, format_value
from pmg.submissions.content import FieldSpec, SectionSpec
from pmg.submissions.prefill import row_marks, section_marks, typed, unchanged

FROM_OFFICIAL = "del consolidado oficial"


def with_official(line: Line, spec: FieldSpec, value: Any, text: Any) -> Line:
    """``line`` (of ``value``) with the pre-filled ``text`` beside it when they differ."""
    if not isinstance(text, str) or unchanged(spec, value, text):
        return line
    return replace(line, official=format_value(spec, typed(spec, text)))


@dataclass(frozen=True)
class Prefilled:
    """What a version froze as pre-filled (``marks``) and the year of those files."""

    marks: Mapping[str, Any]
    year: int | None = None

    def of_section(self, spec: SectionSpec) -> Mapping[str, Any]:
        return section_marks(self.marks, spec)

    def of_row(self, spec: SectionSpec, row: Mapping[str, Any]) -> Mapping[str, Any]:
        return row_marks(self.marks, spec, row)

    def row_title(self, spec: SectionSpec, row: Mapping[str, Any], title: str) -> str:
        """A row's title, saying so when the row came from the official file."""
        return f"{title} ({FROM_OFFICIAL})" if self.of_row(spec, row) else title

    def mark(self, section: Section, spec: SectionSpec) -> Section:
        """``section``, marked as pre-filled when anything of it was."""
        if not self.of_section(spec):
            return section
        return replace(section, prefilled_year=self.year)


NOTHING_PREFILLED = Prefilled({})
