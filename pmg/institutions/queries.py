"""Reading institutions, always through what the user may see.

A coordinator sees only their own institutions; asking for another one gives
404, exactly as for one that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from flask import abort, g, has_app_context
from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager
from wtforms import SelectChoice

from pmg.core.errors import DomainError
from pmg.core.permissions import Actor, Role
from pmg.extensions import db
from pmg.institutions.models import Institution, Ministry, user_institutions

T = TypeVar("T")


def visible_institutions(user: Actor) -> Select[Institution]:
    """Institutions ``user`` may see, with their ministry loaded in the same query."""
    query = (
        select(Institution)
        .join(Institution.ministry)
        .options(contains_eager(Institution.ministry))
    )
    return only_visible(query, user)


def only_visible(query: Select[T], user: Actor) -> Select[T]:
    """``query``, which joins ``Institution``, kept to the institutions ``user`` may see."""
    if user.role is Role.COORDINATOR:
        query = query.join(
            user_institutions, user_institutions.c.institution_id == Institution.id
        ).where(user_institutions.c.user_id == user.id)
    return query


_FOUND = "pmg_visible_institutions"  # flask.g: what find_visible_institution read


def note_visible(user: Actor, institution: Institution) -> None:
    """Record that this request found ``institution`` visible to ``user`` (through
    :func:`only_visible`): :func:`find_visible_institution` answers it without a query."""
    g.setdefault(_FOUND, {})[(user.id, user.role, institution.code)] = institution


def find_visible_institution(user: Actor, code: str) -> Institution | None:
    """The institution with ``code`` if ``user`` may see it; ``None`` otherwise. Read once
    per request: the page and its breadcrumbs ask for the same one."""
    found: dict[tuple[int, Role, str], Institution | None] = g.setdefault(_FOUND, {})
    key = (user.id, user.role, code)
    if key not in found:
        query = visible_institutions(user).where(Institution.code == code)
        found[key] = db.session.scalar(query)
    return found[key]


def found_visible(user: Actor, institution_id: int) -> bool:
    """Whether this request already found the institution ``institution_id`` visible to
    ``user`` (:func:`find_visible_institution`): for a coordinator, that it is one of theirs,
    known without reading their list again."""
    found: dict[tuple[int, Role, str], Institution | None] = (
        g.get(_FOUND, {}) if has_app_context() else {}
    )
    return any(
        institution is not None and institution.id == institution_id
        for (user_id, role, _), institution in found.items()
        if user_id == user.id and role is user.role
    )


def get_visible_institution(user: Actor, code: str) -> Institution:
    """The institution with ``code`` if ``user`` may see it; 404 otherwise."""
    institution = find_visible_institution(user, code)
    if institution is None:
        abort(404)
    return institution


def ministries() -> list[Ministry]:
    return list(db.session.scalars(select(Ministry).order_by(Ministry.name)))


def institution_choices() -> list[SelectChoice]:
    rows = db.session.execute(
        select(Institution.id, Institution.code, Institution.name).order_by(Institution.name)
    )
    return [SelectChoice(row.id, f"{row.name} ({row.code})") for row in rows]


def institutions_by_ids(ids: Iterable[int]) -> list[Institution]:
    wanted = list(ids)
    if not wanted:
        return []
    return list(db.session.scalars(select(Institution).where(Institution.id.in_(wanted))))


def institutions_by_codes(codes: Iterable[str]) -> list[Institution]:
    """The institutions with these codes; an unknown code is an error naming it."""
    wanted = [code.strip() for code in codes]
    query = select(Institution).where(Institution.code.in_(wanted))
    found = {institution.code: institution for institution in db.session.scalars(query)}
    missing = [code for code in wanted if code not in found]
    if missing:
        raise DomainError(f"No existe la institución con código {', '.join(missing)}.")
    return [found[code] for code in wanted]
