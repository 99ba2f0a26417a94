from __future__ import annotations

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from pmg.auth.models import User
from pmg.core.pagination import paginate
from pmg.core.permissions import Role
from pmg.core.search import searched
from pmg.extensions import db
from pmg.institutions.models import Institution


def list_users(*, search: str = "", role: str = "", page: int = 1) -> Pagination:
    """One page of accounts by name; the search looks in name and e-mail, ignoring case and
    accents (see :mod:`pmg.core.search`)."""
    query = select(User).options(selectinload(User.institutions)).order_by(User.name)
    query = searched(query, User.search_text, search)
    if role in {member.value for member in Role}:
        query = query.where(User.role == Role(role))
    return paginate(query, page)


def active_reviewers() -> list[User]:
    """Everyone who may review now, by name: the people a new submission is announced to."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.role == Role.REVIEWER, User.active.is_(True))
            .order_by(User.name, User.id)
        )
    )


def active_coordinators(institution: Institution) -> list[User]:
    """The active coordinators of ``institution``: who hears about its submissions."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.role == Role.COORDINATOR,
                User.active.is_(True),
                User.institutions.any(Institution.id == institution.id),
            )
            .order_by(User.name, User.id)
        )
    )
