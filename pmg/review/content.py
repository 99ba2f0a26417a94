"""The content under review beside its checklist.

How a version's content is shown belongs to a higher layer (the version document of
:mod:`pmg.exports.documents`, the same the version's page and PDF show): it fills the slot
here (:func:`show_content_with`, from :mod:`pmg.wiring`), and a page asked before that fails
loudly rather than show a review without its content. The rest is plain: which
requirement goes beside which section, and which shown value changed since the version
that was observed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from pmg.requirements.models import Requirement
from pmg.review.diff import SectionChanges
from pmg.submissions.models import SubmissionVersion

EMPTY = "(vacío)"


class ShownLine(Protocol):
    @property
    def label(self) -> str: ...

    @property
    def value(self) -> str: ...


class ShownEntry(Protocol):
    @property
    def lines(self) -> Sequence[ShownLine]: ...


class ShownSection(Protocol):
    """One section of a version's content as shown: its lines, or one entry per row."""

    @property
    def key(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def lines(self) -> Sequence[ShownLine]: ...

    @property
    def entries(self) -> Sequence[ShownEntry]: ...


class ShownContent(Protocol):
    @property
    def sections(self) -> Sequence[ShownSection]: ...

    @property
    def facts(self) -> Sequence[object]: ...  # what identifies the version (its hash among them)

    @property
    def shows_evidence(self) -> bool: ...  # whether its files are listed


ShowContent = Callable[[SubmissionVersion], ShownContent]
_show: list[ShowContent] = []


def show_content_with(show: ShowContent) -> None:
    """Fill the slot: ``show`` lays out a version's content (the application does it once)."""
    _show[:] = [show]


def shown_content(version: SubmissionVersion) -> ShownContent:
    if not _show:
        raise RuntimeError("Nobody shows a version's content: pmg.wiring.connect() has not run.")
    return _show[0](version)


@dataclass
class Placement:
    """Each requirement beside the first shown section it concerns; a pointer to it beside
    the others; the rest in a general block at the end."""

    beside: dict[str, list[Requirement]] = field(default_factory=dict)
    pointers: dict[str, list[Requirement]] = field(default_factory=dict)
    general: list[Requirement] = field(default_factory=list)


def place_requirements(requirements: Iterable[Requirement], shown: Sequence[str]) -> Placement:
    placement = Placement()
    for requirement in requirements:
        keys = [key for key in shown if key in requirement.sections]
        if not keys:
            placement.general.append(requirement)
            continue
        placement.beside.setdefault(keys[0], []).append(requirement)
        for key in keys[1:]:
            placement.pointers.setdefault(key, []).append(requirement)
    return placement


# Where a shown value is: its section, its row (``None`` outside repeated sections), its label.
Place = tuple[str, int | None, str]


@dataclass
class Marks:
    """What changed since the observed version, where the content shows it: each changed
    value with the previous one as it was shown, and the rows that are new."""

    before: dict[Place, str] = field(default_factory=dict)
    new_rows: set[tuple[str, int]] = field(default_factory=set)

    def changed_row(self, key: str, row: int) -> bool:
        return any(place[:2] == (key, row) for place in self.before)


def _shown_values(content: ShownContent) -> dict[Place, str]:
    values: dict[Place, str] = {}
    for section in content.sections:
        for line in section.lines:
            values[(section.key, None, line.label)] = line.value
        for index, entry in enumerate(section.entries):
            for line in entry.lines:
                values[(section.key, index, line.label)] = line.value
    return values


def change_marks(changes: dict[str, SectionChanges], previous: ShownContent) -> Marks:
    """The marks of ``changes``; each previous value as ``previous`` showed it (raw when it
    did not show that field)."""
    earlier = _shown_values(previous)
    marks = Marks()
    for key, section in changes.items():
        marks.new_rows.update((key, row) for row in section.added_rows)
        for change in section.fields:
            raw = EMPTY if change.before is None else str(change.before)
            shown = earlier.get((key, change.old_row, change.label), raw)
            marks.before[(key, change.row, change.label)] = shown
    return marks
