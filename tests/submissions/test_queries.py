"""Reading what a draft is checked against."""

from __future__ import annotations

from datetime import date

from flask import Flask

from pmg.core.permissions import Role
from pmg.submissions.queries import submission_context
from tests.exports.queries import counting_queries
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
    diagnostic_draft,
    load_starting_catalog,
    resubmit,
)


def test_the_diagnostic_is_read_when_asked_for_and_kept_until_the_next_send(app: Flask) -> None:
    cycle = create_cycle(date.today().year)
    load_starting_catalog(cycle)
    institution = create_institution()
    coordinator = create_user(Role.COORDINATOR, institutions=[institution])
    assert institution.id and cycle.id  # loaded again after the commits
    with counting_queries() as statements:
        context = submission_context(institution, cycle)
    assert statements == []  # a diagnostic's own rules never ask for it
    assert context.diagnostic is None

    first = create_submitted_diagnostic(institution, cycle, coordinator)
    sent = first.content
    with counting_queries() as reading:
        assert submission_context(institution, cycle).diagnostic == sent
    create_user(Role.DIPRES)  # a write elsewhere: kept
    assert institution.id and cycle.id
    with counting_queries() as keeping:
        assert submission_context(institution, cycle).diagnostic == sent
    assert [s for s in reading if "FROM submission_versions" in s]
    assert not [s for s in keeping if "FROM submission_versions" in s]

    draft = diagnostic_draft(gaps=3)
    second = resubmit(first.submission, draft, coordinator)  # a new version: read again
    assert submission_context(institution, cycle).diagnostic == second.content != sent
