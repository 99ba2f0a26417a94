"""Reading what a draft is checked against."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from werkzeug.exceptions import NotFound

from pmg.auth.models import User
from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.institutions.queries import find_visible_institution
from pmg.submissions.models import SubmissionKind
from pmg.submissions.queries import get_visible_submission, submission_context
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


def test_a_submission_is_found_with_its_institution_in_one_query_and_only_if_visible(
    app: Flask,
) -> None:
    cycle = create_cycle(date.today().year)
    load_starting_catalog(cycle)
    institution, other = create_institution("1306"), create_institution("1307")
    coordinator = create_user(Role.COORDINATOR, institutions=[institution])
    outsider = create_user(Role.COORDINATOR, institutions=[other])
    draft = create_submitted_diagnostic(institution, cycle, coordinator).submission.draft
    year, reader_id, outsider_id = cycle.year, coordinator.id, outsider.id
    db.session.remove()
    with app.test_request_context():
        reader = db.session.get(User, reader_id)
        with counting_queries() as statements:
            found = get_visible_submission(reader, "1306", year, SubmissionKind.DIAGNOSTIC)
            assert found.institution.ministry.name and found.versions[0].submitted_by.name
            assert find_visible_institution(reader, "1306") is found.institution
        assert len(statements) == 1
        columns = statements[0].split(" FROM ")[0]
        assert "content_json" not in columns and "submissions.draft," not in columns
        assert found.draft == draft  # read when asked for
        with pytest.raises(NotFound):
            get_visible_submission(
                db.session.get(User, outsider_id), "1306", year, SubmissionKind.DIAGNOSTIC
            )
