"""What the API reads, always through what the token's account may see (the web pages'
visibility queries), in a fixed number of queries whatever the number of rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from flask import abort
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import contains_eager, defer, joinedload, selectinload

from pmg.core.errors import NotFound
from pmg.core.permissions import Actor
from pmg.cycles.models import Cycle
from pmg.cycles.queries import all_cycles, default_cycle
from pmg.dashboard.listing import (
    ListingFilters,
    ListingRow,
    filtered,
    listed_kinds,
    listing_row,
    with_standings,
)
from pmg.dashboard.standing import BY_VALUE
from pmg.exports.documents.queries import load_version_reviews
from pmg.extensions import db
from pmg.indicators.queries import StoredHistory, stored_history
from pmg.institutions.models import Institution
from pmg.institutions.queries import get_visible_institution, only_visible
from pmg.review.models import Observation, Review, Verdict
from pmg.review.queries import published_verdicts
from pmg.submissions.kinds import KINDS
from pmg.submissions.models import Submission, SubmissionKind, SubmissionVersion

T = TypeVar("T")
UNKNOWN_CYCLE = "El ciclo pedido no existe."


class UnknownCycle(NotFound):
    """A filter or a path names a cycle that does not exist: 404, as for a path naming
    anything else that does not exist; the parameter itself is well formed (no 400)."""


@dataclass(frozen=True)
class Found(Generic[T]):
    """One page of a list: its rows and how many there are in all."""

    items: list[T]
    total: int


def _offset(page: int, per_page: int) -> int:
    return (page - 1) * per_page


def cycles() -> list[Cycle]:
    """Every cycle, newest first."""
    return all_cycles()


def chosen_cycle(year: int | None) -> Cycle | None:
    """The cycle of ``year``; without one, the default the web pages show (the current, or
    the latest); :class:`UnknownCycle` for a year that has none."""
    every = all_cycles()
    if year is None:
        return default_cycle(every)
    for cycle in every:
        if cycle.year == year:
            return cycle
    raise UnknownCycle(UNKNOWN_CYCLE)


def institution_filters(args: dict[str, Any]) -> ListingFilters:
    """The list's filters from the API's query string (validated by its schema)."""
    cycle = chosen_cycle(args.get("cycle"))
    standings = tuple(
        (KINDS[kind], BY_VALUE[args[kind.value]]) for kind in SubmissionKind if kind.value in args
    )
    return ListingFilters(
        cycle=cycle,
        ministry_id=args.get("ministry"),
        stage=args.get("stage"),
        standings=standings,
    )


def _institution_rows(query: Select[Any], filters: ListingFilters) -> list[ListingRow]:
    kinds = listed_kinds(filters)
    return [listing_row(row, kinds) for row in db.session.execute(query)]


def institutions(
    user: Actor, filters: ListingFilters, today: date, page: int, per_page: int
) -> Found[ListingRow]:
    """A page of the institutions ``user`` may see that match ``filters``, by code, each
    with its standing per kind in the filters' cycle: two queries."""
    query = filtered(user, filters, today)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    paged = _by_code(query, filters, today).limit(per_page).offset(_offset(page, per_page))
    return Found(_institution_rows(paged, filters), total)


def all_institutions(user: Actor, filters: ListingFilters, today: date) -> list[ListingRow]:
    """Every institution ``user`` may see that matches ``filters``, as :func:`institutions`
    pages them: one query."""
    query = _by_code(filtered(user, filters, today), filters, today)
    return _institution_rows(query, filters)


def _by_code(query: Select[Any], filters: ListingFilters, today: date) -> Select[Any]:
    return with_standings(query.order_by(Institution.code), filters.cycle, today)


def institution(user: Actor, code: str, filters: ListingFilters, today: date) -> ListingRow:
    """The institution ``code`` as a row of the list; 404 if ``user`` may not see it."""
    query = filtered(user, filters, today).where(Institution.code == code)
    found = _institution_rows(with_standings(query, filters.cycle, today), filters)
    if not found:
        abort(404)
    return found[0]


def _visible_submissions(user: Actor) -> Select[Submission]:
    """The submissions ``user`` may see, with their institution, ministry, cycle and reviewer
    in the same query; their versions (and who sent each, without the content) in two more
    when the page is read. Drafts are never read."""
    versions = selectinload(Submission.versions)
    query = (
        select(Submission)
        .join(Submission.institution)
        .join(Institution.ministry)
        .join(Submission.cycle)
        .options(
            contains_eager(Submission.institution).contains_eager(Institution.ministry),
            contains_eager(Submission.cycle),
            joinedload(Submission.reviewer),
            versions.defer(SubmissionVersion.content_json),
            versions.joinedload(SubmissionVersion.submitted_by),
            defer(Submission.draft),
            defer(Submission.prefilled),
        )
    )
    return only_visible(query, user)


def _submission_conditions(args: dict[str, Any]) -> list[ColumnElement[bool]]:
    """The query string's filters, over submissions joined to their institution and cycle;
    :class:`UnknownCycle` for a cycle that does not exist (as for the institutions)."""
    if "cycle" in args:
        chosen_cycle(args["cycle"])
    columns: dict[str, Any] = {
        "cycle": Cycle.year,
        "institution": Institution.code,
        "ministry": Institution.ministry_id,
        "stage": Institution.stage,
        "kind": Submission.kind,
        "state": Submission.state,
    }
    return [column == args[name] for name, column in columns.items() if name in args]


def submissions(user: Actor, args: dict[str, Any], page: int, per_page: int) -> Found[Submission]:
    """A page of the submissions ``user`` may see matching the query string's filters,
    by id: four queries (the count, the page, the versions, who sent them)."""
    conditions = _submission_conditions(args)
    counted = select(func.count(Submission.id)).join(Submission.institution)
    counted = only_visible(counted.join(Submission.cycle).where(*conditions), user)
    query = _visible_submissions(user).where(*conditions).order_by(Submission.id)
    paged = query.limit(per_page).offset(_offset(page, per_page))
    return Found(list(db.session.scalars(paged).unique()), db.session.scalar(counted) or 0)


def all_submissions(user: Actor, args: dict[str, Any]) -> list[Submission]:
    """Every submission ``user`` may see matching the query string's filters, in the order
    :func:`submissions` pages them: three queries."""
    query = _visible_submissions(user).where(*_submission_conditions(args))
    return list(db.session.scalars(query.order_by(Submission.id)).unique())


def submission(user: Actor, submission_id: int) -> Submission:
    """The submission ``submission_id``; 404 if ``user`` may not see it."""
    query = _visible_submissions(user).where(Submission.id == submission_id)
    found = db.session.scalars(query).unique().one_or_none()
    if found is None:
        abort(404)
    return found


def version(user: Actor, version_id: int) -> SubmissionVersion:
    """The version ``version_id`` with its content; 404 if ``user`` may not see it."""
    query = (
        select(SubmissionVersion)
        .join(SubmissionVersion.submission)
        .join(Submission.institution)
        .where(SubmissionVersion.id == version_id)
    )
    found = db.session.scalar(only_visible(query, user))
    if found is None:
        abort(404)
    return found


@dataclass(frozen=True)
class ReviewRound:
    """The review of one version: its verdicts as published (none before its decision) and
    the observations it raised, each with its whole life. The version is held here: the
    session forgets what nobody holds, and ``review.version`` would read it once per round."""

    version: SubmissionVersion
    review: Review
    verdicts: list[Verdict]
    observations: list[Observation]


def review_rounds(user: Actor, submission_id: int) -> list[ReviewRound]:
    """The review of each version of the submission ``submission_id`` that was taken for
    review, oldest first; 404 if ``user`` may not see the submission. Eight queries, whatever
    the number of versions, verdicts, observations or steps."""
    versions = submission(user, submission_id).versions
    loaded = load_version_reviews(versions)
    raised: dict[int, list[Observation]] = defaultdict(list)
    for observation in loaded[versions[0].id].observations if versions else ():
        raised[observation.raised_in_id].append(observation)
    reviewed = ((version, loaded[version.id].review) for version in versions)
    return [
        ReviewRound(version, review, published_verdicts(review), raised[review.id])
        for version, review in reviewed
        if review is not None
    ]


@dataclass(frozen=True)
class Indicators:
    """An institution and its indicator history as stored."""

    institution: Institution
    history: StoredHistory


def indicators(user: Actor, code: str, year: int | None) -> Indicators:
    """The indicator history of the institution ``code`` (only ``year``'s figures, if
    given), whatever its stage; 404 if ``user`` may not see it, as its page is. Six queries."""
    institution = get_visible_institution(user, code)
    return Indicators(institution, stored_history(institution.id, year))
