from __future__ import annotations

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from pmg.auth.models import Role, User
from pmg.extensions import db
from pmg.institutions.models import Institution


def list_users(*, search: str = "", role: str = "", page: int = 1) -> Pagination:
    query = select(User).options(selectinload(User.institutions)).order_by(User.name)
    if search.strip():
        pattern = f"%{search.strip().lower()}%"
        query = query.where(or_(User.email.like(pattern), User.name.ilike(pattern)))
    if role in {member.value for member in Role}:
        query = query.where(User.role == Role(role))
    return db.paginate(
        query, page=page, per_page=current_app.config["PMG_PAGE_SIZE"], error_out=False
    )


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
