"""Reading institutions, always through what the user may see.

A coordinator sees only their own institutions; asking for another one gives
404, exactly as for one that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flask import abort
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager
from wtforms import SelectChoice

from pmg.core.errors import DomainError
from pmg.core.pagination import paginate
from pmg.core.permissions import Actor, Role
from pmg.core.search import searched
from pmg.extensions import db
from pmg.institutions.models import (
    FunctionalCategory,
    Institution,
    Ministry,
    Stage,
    user_institutions,
)


def visible_institutions(user: Actor) -> Select[Institution]:
    """Institutions ``user`` may see, with their ministry loaded in the same query."""
    query = (
        select(Institution)
        .join(Institution.ministry)
        .options(contains_eager(Institution.ministry))
    )
    if user.role is Role.COORDINATOR:
        query = query.join(
            user_institutions, user_institutions.c.institution_id == Institution.id
        ).where(user_institutions.c.user_id == user.id)
    return query


def get_visible_institution(user: Actor, code: str) -> Institution:
    """The institution with ``code`` if ``user`` may see it; 404 otherwise."""
    institution = db.session.scalar(visible_institutions(user).where(Institution.code == code))
    if institution is None:
        abort(404)
    return institution


@dataclass(frozen=True)
class InstitutionFilters:
    search: str = ""
    ministry_id: int | None = None
    stage: Stage | None = None
    category: FunctionalCategory | None = None
    # A ``ministerio`` that names none of the ministries offered: said at the field.
    unknown_ministry: bool = False

    @classmethod
    def from_args(cls, args: Mapping[str, str], offered: Iterable[Ministry]) -> InstitutionFilters:
        """The filters in the query string; ``ministerio`` must be the id of one of the
        ``offered`` ministries, compared as text so no number reaches the database."""
        ministry = args.get("ministerio", "")
        ids = {str(offer.id): offer.id for offer in offered}
        stage = args.get("etapa", "")
        category = args.get("categoria", "")
        return cls(
            search=args.get("q", "").strip(),
            ministry_id=ids.get(ministry),
            unknown_ministry=bool(ministry) and ministry not in ids,
            stage=Stage(stage) if stage in Stage._value2member_map_ else None,
            category=(
                FunctionalCategory(category)
                if category in FunctionalCategory._value2member_map_
                else None
            ),
        )


def search_institutions(user: Actor, filters: InstitutionFilters, page: int = 1) -> Pagination:
    """One page of the institutions ``user`` may see that match ``filters``: the search
    looks in code and name, ignoring case and accents (see :mod:`pmg.core.search`)."""
    query = visible_institutions(user).order_by(Ministry.name, Institution.name)
    query = searched(query, Institution.search_text, filters.search)
    if filters.ministry_id is not None:
        query = query.where(Institution.ministry_id == filters.ministry_id)
    if filters.stage is not None:
        query = query.where(Institution.stage == filters.stage)
    if filters.category is not None:
        query = query.where(Institution.category == filters.category)
    return paginate(query, page)


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
