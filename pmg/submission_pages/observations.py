"""The review on the coordinator's form: the reviewer's last decision at the top, and each
observation still to be dealt with beside what it points at.

An observation's ``path`` (see :class:`~pmg.review.models.Observation`) names a section
(``gaps``), a field (``responsible.team``) or a field of one row (``gaps.<row key>.causes``;
the row is found by its key field, or by its number in sections whose rows have no key); an
empty path concerns the requirement as a whole and points at the first of its sections on
the form. A path the form no longer has (a row removed since) points at its section.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pmg.review.models import Observation, Review
from pmg.review.queries import UNRESOLVED, reviews_of
from pmg.submissions.content import FieldKind, SectionSpec, describe_path
from pmg.submissions.models import Submission


@dataclass(frozen=True)
class Place:
    """Where an observation points on the form: its ``section`` (``None`` when the form has
    none of the requirement's sections), the ``field`` it is shown beside (``None``: shown at
    the top of the section), and ``where``, as the person reads it (``Brecha 2 · Causas``)."""

    section: SectionSpec | None
    field: Any = None
    where: str = ""


@dataclass
class Placement:
    """Every pending observation's place, and those shown at the top of each section."""

    places: dict[int, Place] = field(default_factory=dict)
    by_section: dict[str, list[Observation]] = field(default_factory=dict)


def last_decision(submission: Submission) -> Review | None:
    """The latest review that has a decision, whichever version it was of."""
    decided = [review for review in reviews_of(submission) if review.decision is not None]
    return decided[-1] if decided else None


def _row_index(section: SectionSpec, rows: Any, row: str) -> int | None:
    """The number of the row named ``row``: by its key field, or by its number."""
    keys = [spec.name for spec in section.fields if spec.kind is FieldKind.KEY]
    for index, entry in enumerate(rows.entries):
        if keys and str(entry.form[keys[0]].data or "") == row:
            return index
    if row.isdigit() and int(row) < len(rows.entries):
        return int(row)
    return None


def locate(form: Any, sections: Sequence[SectionSpec], path: str, concerns: Iterable[str]) -> Place:
    """Where ``path`` points on ``form``; ``concerns``: the requirement's section keys, in
    order, for a path that names no section of the form."""
    key, _, rest = path.partition(".")
    section = next((s for s in sections if s.key == key), None)
    if section is None:
        first = next((s for k in concerns for s in sections if s.key == k), None)
        return Place(first, where=first.title if first else "")
    whole = Place(section, where=section.title)
    name = rest
    sub = form[section.key]
    if section.repeated:
        row, _, name = rest.rpartition(".")
        index = _row_index(section, sub, row) if row else None
        if index is None:
            return whole
        sub, rest = sub.entries[index], f"{index}.{name}"
    if not name or name not in sub.form or section.field(name).kind is FieldKind.KEY:
        return whole
    return Place(section, sub.form[name], describe_path(tuple(sections), f"{key}.{rest}"))


def place_observations(
    form: Any, sections: Sequence[SectionSpec], observations: Iterable[Observation]
) -> Placement:
    """Put each observation not yet resolved beside what it points at: on its field
    (``field.observations``, which the field macros show and tie to the input) or at the
    top of its section."""
    placement = Placement()
    for observation in observations:
        if observation.state not in UNRESOLVED:
            continue
        place = locate(form, sections, observation.path, observation.requirement.sections)
        placement.places[observation.id] = place
        if place.field is not None:
            place.field.observations = [*getattr(place.field, "observations", []), observation]
        elif place.section is not None:
            placement.by_section.setdefault(place.section.key, []).append(observation)
    return placement
