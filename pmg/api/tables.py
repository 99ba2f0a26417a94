"""The API's lists as tables for their CSV downloads: the fields of the JSON answers, one
column each, under the same English names (a nested one as ``parent_field``). Pure.

Choices are written by value, as the JSON writes them; moments in ISO 8601 with their
offset, as the JSON too. :func:`pmg.core.delimited.write_csv` writes the tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pmg.core.xlsx import CellValue, Table
from pmg.dashboard.listing import ListingRow
from pmg.submissions.kinds import KINDS
from pmg.submissions.models import Submission, SubmissionKind

INSTITUTION_HEADERS = (
    "cycle",
    "code",
    "name",
    "report_code",
    "ministry_id",
    "ministry_name",
    "stage",
    "mesu",
    "category",
    "commits_system",
    "active",
)
SUBMISSION_HEADERS = (
    "id",
    "institution_code",
    "institution_name",
    "cycle",
    "kind",
    "state",
    "reviewer_name",
    "window_start",
    "window_end",
    "correction_deadline",
    "last_sent_at",
    "state_changed_at",
    "versions",
    "last_version_id",
    "last_version_number",
    "last_version_submitted_at",
    "last_version_submitted_by",
    "last_version_content_sha256",
)


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def institutions_table(rows: Iterable[ListingRow], cycle: int | None) -> Table:
    """The institutions of the list, each with its state and lateness per kind in ``cycle``
    (``diagnostic_state``, ``diagnostic_late``, …; empty when it does not take part)."""
    kinds = [kind.value for kind in SubmissionKind]
    headers = (
        *INSTITUTION_HEADERS,
        *(f"{kind}_{field}" for kind in kinds for field in ("state", "late")),
    )

    def row(listed: ListingRow) -> tuple[CellValue, ...]:
        institution = listed.institution
        by_kind = {standing.spec.kind.value: standing for standing in listed.standings}
        standings: list[CellValue] = []
        for kind in kinds:
            standing = by_kind.get(kind)
            state = standing.standing if standing is not None else None
            standings += [state.value if state else None, standing.late if standing else None]
        return (
            cycle,
            institution.code,
            institution.name,
            institution.report_code,
            institution.ministry.id,
            institution.ministry.name,
            institution.stage.value,
            institution.mesu.value,
            institution.category.value,
            institution.commits_system,
            institution.active,
            *standings,
        )

    return Table("instituciones", headers, [row(listed) for listed in rows])


def submissions_table(submissions: Iterable[Submission]) -> Table:
    """The submissions of the list, each with its latest version (and how many it has)."""

    def row(submission: Submission) -> tuple[CellValue, ...]:
        start, end = submission.cycle.window(KINDS[submission.kind].window)
        last = max(submission.versions, key=lambda version: version.number, default=None)
        return (
            submission.id,
            submission.institution.code,
            submission.institution.name,
            submission.cycle.year,
            submission.kind.value,
            submission.state.value,
            submission.reviewer.name if submission.reviewer else None,
            start,
            end,
            submission.correction_deadline,
            _moment(submission.last_sent_at),
            _moment(submission.state_changed_at),
            len(submission.versions),
            last.id if last else None,
            last.number if last else None,
            _moment(last.submitted_at) if last else None,
            last.submitted_by.name if last else None,
            last.content_hash if last else None,
        )

    return Table("envios", SUBMISSION_HEADERS, [row(item) for item in submissions])
