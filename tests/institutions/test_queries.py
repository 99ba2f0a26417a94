"""Reading an institution as a user may see it."""

from __future__ import annotations

from flask import Flask

from pmg.auth.models import User
from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.institutions.models import Institution
from pmg.institutions.queries import find_visible_institution, found_visible
from pmg.submissions.permissions import is_coordinator_of
from tests.exports.queries import counting_queries
from tests.factories import create_institution, create_user


def _readers() -> tuple[int, int, User, User]:
    """Two institutions (1306 and 3101_61), a coordinator of the first, a DIPRES analyst."""
    own, other = create_institution("1306").id, create_institution("3101_61").id
    coordinator = create_user(Role.COORDINATOR, institutions=[db.session.get(Institution, own)])
    return own, other, coordinator, create_user(Role.DIPRES)


def test_an_institution_is_read_once_per_request_and_only_as_its_reader_may_see_it(
    app: Flask,
) -> None:
    own, other, coordinator, dipres = _readers()

    with app.app_context(), app.test_request_context(), counting_queries() as statements:
        first = find_visible_institution(coordinator, "1306")
        assert first is not None and first.id == own
        assert find_visible_institution(coordinator, "1306") is first  # the page, its breadcrumbs
        assert find_visible_institution(coordinator, "3101_61") is None
        assert getattr(find_visible_institution(dipres, "3101_61"), "id", None) == other
    assert len(_of_institutions(statements)) == 3

    with app.app_context(), app.test_request_context(), counting_queries() as statements:
        assert getattr(find_visible_institution(coordinator, "1306"), "id", None) == own
    assert len(_of_institutions(statements)) == 1  # another request (its own g) reads again


def _of_institutions(statements: list[str]) -> list[str]:
    return [statement for statement in statements if "FROM institutions" in statement]


def test_a_coordinator_of_an_institution_found_in_the_request_is_known_without_a_query(
    app: Flask,
) -> None:
    own, other, coordinator, dipres = _readers()

    with app.app_context(), app.test_request_context():
        coordinator = db.session.get(User, coordinator.id)
        assert not found_visible(coordinator, own)  # nothing found yet
        find_visible_institution(coordinator, "1306")
        find_visible_institution(coordinator, "3101_61")  # not theirs: not found
        find_visible_institution(dipres, "3101_61")
        with counting_queries() as statements:
            assert is_coordinator_of(coordinator, own)
        assert statements == []  # their list of institutions is not read
        assert not found_visible(coordinator, other)  # another reader found it, not them
        assert not is_coordinator_of(coordinator, other)  # their list says so
        assert found_visible(dipres, other)
