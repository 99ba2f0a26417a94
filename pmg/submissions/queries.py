"""Loading submissions and versions, always through what the user may see."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, TypeVarTuple

from flask import abort
from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import contains_eager, defer, joinedload, load_only, selectinload

from pmg.auth.models import User
from pmg.core.caching import cached, watch_writes
from pmg.cycles.models import Cycle
from pmg.extensions import db
from pmg.institutions.models import Institution
from pmg.institutions.queries import note_visible, only_visible
from pmg.submissions.evaluation import SubmissionContext
from pmg.submissions.models import StateChange, Submission, SubmissionKind, SubmissionVersion


def find_submission(
    institution: Institution, cycle: Cycle, kind: SubmissionKind
) -> Submission | None:
    """The submission with its versions (:func:`_one_with_versions`)."""
    return _one_with_versions(
        select(Submission).where(
            Submission.institution_id == institution.id,
            Submission.cycle_id == cycle.id,
            Submission.kind == kind,
        )
    )


def _one_with_versions(query: Select[Submission], *options: Any) -> Submission | None:
    """The one submission ``query`` finds, with its versions and who sent each in the same
    query; their content is read only if asked for (pages show their numbers, and keep what
    they laid out of a version's content: pmg.core.caching)."""
    versions = joinedload(Submission.versions)
    loading = (
        versions.defer(SubmissionVersion.content_json),
        versions.joinedload(SubmissionVersion.submitted_by),
    )
    return db.session.scalars(query.options(*loading, *options)).unique().one_or_none()


def get_visible_submission(user: User, code: str, year: int, kind: SubmissionKind) -> Submission:
    """The submission if ``user`` may see its institution and it exists; 404 otherwise.
    Read with its institution in one query; its draft only if asked for (the pages that
    find it so show what was sent)."""
    query = (
        select(Submission)
        .join(Submission.institution)
        .join(Institution.ministry)
        .join(Submission.cycle)
        .where(Institution.code == code, Cycle.year == year, Submission.kind == kind)
    )
    submission = _one_with_versions(
        only_visible(query, user),
        contains_eager(Submission.institution).contains_eager(Institution.ministry),
        defer(Submission.draft),
        defer(Submission.prefilled),
    )
    if submission is None:
        abort(404)
    note_visible(user, submission.institution)
    return submission


def get_visible_version(
    user: User, code: str, year: int, kind: SubmissionKind, number: int
) -> SubmissionVersion:
    submission = get_visible_submission(user, code, year, kind)
    version = next((v for v in submission.versions if v.number == number), None)
    if version is None:
        abort(404)
    return version


def submissions_of(institution: Institution) -> list[Submission]:
    """Every submission of the institution, newest cycle first, versions loaded."""
    return list(
        db.session.scalars(
            select(Submission)
            .join(Submission.cycle)
            .where(Submission.institution_id == institution.id)
            .options(selectinload(Submission.versions), contains_eager(Submission.cycle))
            .order_by(Cycle.year.desc(), Submission.kind)
        )
    )


def latest_version(
    institution: Institution, cycle: Cycle, kind: SubmissionKind
) -> SubmissionVersion | None:
    return db.session.scalar(
        select(SubmissionVersion)
        .join(SubmissionVersion.submission)
        .where(
            Submission.institution_id == institution.id,
            Submission.cycle_id == cycle.id,
            Submission.kind == kind,
        )
        .order_by(SubmissionVersion.number.desc())
        .limit(1)
    )


Row = TypeVarTuple("Row")


def joined_to_latest_version(
    query: Select[*Row], in_scope: ColumnElement[bool], *, outer: bool = False
) -> Select[*Row]:
    """``query`` (over ``Submission``) joined to the latest ``SubmissionVersion`` of each
    submission ``in_scope``: one aggregate over their versions, whatever their number;
    ``outer`` keeps the submissions that have none."""
    latest = (
        select(SubmissionVersion.submission_id, func.max(SubmissionVersion.number).label("number"))
        .join(SubmissionVersion.submission)
        .where(in_scope)
        .group_by(SubmissionVersion.submission_id)
        .subquery()
    )
    is_latest = and_(
        SubmissionVersion.submission_id == Submission.id,
        SubmissionVersion.number == latest.c.number,
    )
    if outer:
        query = query.outerjoin(latest, latest.c.submission_id == Submission.id)
        return query.outerjoin(SubmissionVersion, is_latest)
    query = query.join(latest, latest.c.submission_id == Submission.id)
    return query.join(SubmissionVersion, is_latest)


# Versions are only ever added (the database refuses changes): what is read from them is
# kept under this table's stamp, which only sending changes (pmg.core.caching).
VERSION_TABLES = (SubmissionVersion.__tablename__,)
watch_writes(*VERSION_TABLES)


def submission_context(institution: Institution, cycle: Cycle) -> SubmissionContext:
    """What a draft of ``institution`` in ``cycle`` is checked against; the content of the
    diagnostic's latest version is read only if asked for, and kept until the next send."""
    vary = (institution.id, cycle.id)

    def read() -> dict[str, Any] | None:
        version = latest_version(institution, cycle, SubmissionKind.DIAGNOSTIC)
        return version.content if version else None

    def diagnostic() -> dict[str, Any] | None:
        return cached("submissions.diagnostic", vary, read, tables=VERSION_TABLES)

    return SubmissionContext(institution, cycle, load_diagnostic=diagnostic)


def history_of(submission: Submission) -> list[StateChange]:
    """Every transition of the submission, oldest first, with who acted."""
    return histories_of([submission.id])[submission.id]


def histories_of(
    submission_ids: Collection[int], *, people: bool = True
) -> dict[int, list[StateChange]]:
    """:func:`history_of` each of the submissions ``submission_ids``, in one query; without
    ``people``, only when each change happened (not who made it nor what it says)."""
    histories: dict[int, list[StateChange]] = {number: [] for number in submission_ids}
    loads = (
        joinedload(StateChange.actor)
        if people
        else load_only(StateChange.submission_id, StateChange.at)
    )
    changes = db.session.scalars(
        select(StateChange)
        .where(StateChange.submission_id.in_(histories))
        .options(loads)
        .order_by(StateChange.id)
    )
    for change in changes:
        histories[change.submission_id].append(change)
    return histories
