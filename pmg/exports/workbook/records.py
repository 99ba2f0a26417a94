"""What the consolidated tables are made from, and the values their cells hold. Pure.

:mod:`pmg.exports.workbook.queries` loads the records; :mod:`pmg.exports.workbook.tables`
and the other ``*_tables`` turn them into sheets. Cells are numbers (``int``/``float``),
text, a ``datetime``, a ``date`` or ``None`` (empty) (:data:`pmg.core.xlsx.CellValue`);
``-`` (:data:`NOT_AVAILABLE`) is written where a figure was not reported or a
percentage has no denominator, as the official files do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pmg.core.filters import CHILE
from pmg.core.numbers import NOT_REPORTED, NumberProblem, parse_count, parse_decimal
from pmg.core.xlsx import CellValue
from pmg.indicators.layouts import IDENTITY_COLUMNS, NUMERIC_KINDS, Kind
from pmg.indicators.models import Justification, TimeUnit
from pmg.institutions.models import CatalogEntry
from pmg.review.models import Decision, Outcome
from pmg.submissions.content import SectionSpec
from pmg.submissions.models import SubmissionKind, SubmissionState

NOT_AVAILABLE = NOT_REPORTED
MAX_EXACT_INTEGER = 10**15 - 1  # a spreadsheet keeps 15 significant digits of a number
Figures = Mapping[str, Any]
# A year of a procedure's history as the import kept it, when the file wrote every figure
# it did not report as ``-`` (nearly every year): its figures in the order of the trámites
# sheet's columns, ``None`` where not reported (written ``-``). Any other year is Figures,
# with how the file wrote what it did not report.
FigureValues = tuple[float | int | None, ...]
# codigo_interno_SCSEU and nombre_institucion, as in the indicator sheets.
IDENTITY_HEADERS = tuple(column.header for column in IDENTITY_COLUMNS)


@dataclass(frozen=True)
class InstitutionRecord(CatalogEntry):
    """An institution as the workbook writes it: the catalog's facts and its own."""

    id: int
    active: bool
    report_code: str = ""


@dataclass(slots=True)
class ProcedureRecord:
    """A procedure with its description and its figures by year.

    One from the history keeps the file's wording of its choices (``*_text``) and how
    the file wrote an expected time it did not report (``unreported_as``). Not frozen:
    an export makes one for every procedure, and a frozen one takes three times as long
    to make; only a diagnostic's, just made, takes the history's words where it says the
    same (:func:`pmg.exports.workbook.tables.procedures_of`).
    """

    name: str
    justification: Justification | None = None
    justification_text: str = ""
    other_reason: str = ""
    start_milestone: str = ""
    end_milestone: str = ""
    expected_time: float | None = None
    time_unit: TimeUnit | None = None
    time_unit_text: str = ""
    unreported_as: Mapping[str, str] | None = None
    figures: dict[int, Figures | FigureValues] = field(default_factory=dict)  # of the years


@dataclass(frozen=True)
class SubmissionRecord:
    """An institution's diagnostic or plan in the cycle, and its latest version if any."""

    state: SubmissionState
    number: int | None = None
    submitted_at: datetime | None = None
    content_hash: str | None = None
    document: Mapping[str, Any] | None = None  # of SubmissionVersion.content, what is read

    def section(self, section: SectionSpec) -> Any:
        content = (self.document or {}).get("content") or {}
        return content.get(section.key)

    @property
    def evidence(self) -> list[Mapping[str, Any]]:
        """The version's evidence manifest: ``name``, ``sha256``, ``action_key``…"""
        files = (self.document or {}).get("evidence")
        if not isinstance(files, list):
            return []
        return [item for item in files if isinstance(item, Mapping)]


@dataclass(frozen=True)
class ReviewRecord:
    """A submission of the cycle with at least one version, and where its review stands.

    ``verdicts`` and ``catalog_version`` come from its latest decided review; ``decision``
    and ``decided_at`` only when that decision is about the latest version (see
    :mod:`pmg.exports.workbook.review_queries`).
    """

    institution_id: int
    kind: SubmissionKind
    state: SubmissionState
    versions: int
    latest_number: int
    first_submitted_at: datetime
    last_submitted_at: datetime
    reviewer: str | None = None  # the submission's assigned reviewer
    catalog_version: str | None = None
    decision: Decision | None = None
    decided_at: datetime | None = None
    verdicts: Mapping[str, Outcome | None] = field(default_factory=dict)  # by requirement code
    unresolved_observations: int = 0  # open, answered or reopened
    observations: int = 0


@dataclass(frozen=True)
class ConsolidatedData:
    cycle_year: int
    reference_year: int
    years: tuple[int, ...]  # oldest first
    institutions: list[InstitutionRecord]  # in the order the rows are written
    complaints: dict[int, dict[int, Figures]] = field(default_factory=dict)  # by id, year
    saip: dict[int, dict[int, Figures]] = field(default_factory=dict)
    # Procedures with figures in the years, or with none in any year (all `-` when imported).
    procedures: dict[int, list[ProcedureRecord]] = field(default_factory=dict)
    targets: dict[int, Figures] = field(default_factory=dict)  # CycleTargets attributes
    diagnostics: dict[int, SubmissionRecord] = field(default_factory=dict)
    plans: dict[int, SubmissionRecord] = field(default_factory=dict)
    reviews: list[ReviewRecord] = field(default_factory=list)
    # Every requirement code of the cycle's catalogs, in natural order (R01, R02, … R10).
    requirement_codes: tuple[str, ...] = ()


# --- Cell values ---------------------------------------------------------------------------


def cell(value: Any, kind: Kind, unreported: str = NOT_AVAILABLE) -> CellValue:
    """A value as the official files write it: numbers as numbers, codes as the catalog
    writes them (:func:`code_cell`), texts exactly.

    A number that is missing is written ``unreported``: ``-`` unless the imported file
    wrote it otherwise (``""``, an empty cell).
    """
    if kind in NUMERIC_KINDS:
        return number_cell(value, unreported)
    if kind in (Kind.JUSTIFICATION, Kind.TIME_UNIT):
        return value.label if value is not None else None
    if kind is Kind.CODE:
        return code_cell(value)
    return str(value) if value not in (None, "") else None


def number_cell(value: Any, unreported: str = NOT_AVAILABLE) -> CellValue:
    """A number as :func:`cell` writes it (for a sheet that knows its column is one)."""
    if value is None:
        return unreported or None
    return float(value) if isinstance(value, Decimal) else value


def code_cell(code: str | None) -> CellValue:
    """A code as the official files write it: a whole number (``1306``) as a number, any
    other code (``3101_61``, ``0012``) as text; ``None`` when there is none."""
    if not code:
        return None
    if code.isascii() and code.isdigit() and (code == "0" or not code.startswith("0")):
        number = int(code)
        if number <= MAX_EXACT_INTEGER:
            return number
    return code


def member(enum_class: Any, value: Any) -> Any:
    return enum_class._value2member_map_.get(value) if value else None


def label(enum_class: Any, value: Any) -> str | None:
    """The label of a choice; a value the enum no longer has, as it was sent."""
    found = member(enum_class, value)
    return found.label if found is not None else text(value)


def text(value: Any) -> str | None:
    return None if value is None or not str(value).strip() else str(value)


def chile_time(moment: datetime | None) -> datetime | None:
    """Chilean wall-clock time to the second, without a zone, as Excel stores date-times."""
    if moment is None:
        return None
    return moment.astimezone(CHILE).replace(tzinfo=None, microsecond=0)


def calendar_date(value: Any) -> date | str | None:
    """An ISO date of the content as a date; anything else as its text."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return value


def number_or_text(value: Any) -> CellValue:
    """Text typed in a free field (a gap's current value) as a number when the whole text
    is one in the forms' notation: ``56,8`` → 56.8, ``95`` → 95, ``1.234.567`` → 1234567
    (a whole number as ``int``). Anything else is the text exactly as typed: ``56,8 %``,
    ``10 días``, ``-``, and ``1.234``, which a count reads as 1234 and a decimal as 1.234.
    """
    written = text(value)
    if written is None or not isinstance(value, str):
        return written
    try:
        number = parse_decimal(written)
    except NumberProblem:
        return written
    if number is None:  # "-"
        return written
    try:
        if parse_count(written) != number:
            return written
    except NumberProblem:
        pass  # not a whole number: the decimal reading is the only one
    return int(number) if number == number.to_integral_value() else float(number)
