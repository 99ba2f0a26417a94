"""Reading the audit trail: the admin's filters, a page of entries, every matching entry.

Entries are shown as :class:`AuditRow`, the same for the page and the workbook.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from pmg.audit.actions import AuditAction, action_label, known_actions
from pmg.audit.models import AuditEntry
from pmg.audit.names import object_names
from pmg.audit.operations import EntryFields, canonical_json
from pmg.core.filters import CHILE
from pmg.core.pagination import paginate
from pmg.core.permissions import Role
from pmg.extensions import cache, db

STREAM_BATCH = 500
PREVIEW_CHARS = 120  # of a before or after value in the page's row; the rest in a disclosure


@dataclass(frozen=True)
class AuditFilters:
    """What the admin asked for; dates are days in Chile, both ends included."""

    action: str = ""
    actor_email: str = ""
    institution_code: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def as_args(self) -> dict[str, str]:
        """The filters as the page's query string, for links to other pages and the export."""
        values = {
            "accion": self.action,
            "correo": self.actor_email,
            "institucion": self.institution_code,
            "desde": self.date_from.isoformat() if self.date_from else "",
            "hasta": self.date_to.isoformat() if self.date_to else "",
        }
        return {name: value for name, value in values.items() if value}


def chile_midnight(day: date) -> datetime:
    """The instant a day starts in Chile (a midnight skipped by daylight saving maps to 01:00)."""
    return datetime.combine(day, time(), tzinfo=CHILE)


def filtered_entries(filters: AuditFilters) -> Select[AuditEntry]:
    query = select(AuditEntry)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.actor_email:
        query = query.where(
            AuditEntry.actor_email.contains(filters.actor_email.strip().lower(), autoescape=True)
        )
    if filters.institution_code:
        code = filters.institution_code.strip()
        query = query.where(AuditEntry.institution.has(code=code))
    if filters.date_from:
        query = query.where(AuditEntry.at >= chile_midnight(filters.date_from))
    if filters.date_to:
        query = query.where(AuditEntry.at < chile_midnight(filters.date_to + timedelta(days=1)))
    return query


@dataclass(frozen=True)
class AuditRow:
    """One entry as people read it: Chilean time, labels in Spanish, its object by name,
    before and after as compact JSON (and, for the page, shortened or indented)."""

    entry: EntryFields
    institution_code: str | None = None
    institution_name: str | None = None
    object_name: str = ""

    @property
    def local_time(self) -> datetime:
        return self.entry.at.astimezone(CHILE)

    @property
    def actor(self) -> str:
        if self.entry.actor_email:
            return self.entry.actor_email
        if self.entry.action == AuditAction.LOGIN_FAILED:
            return "Visitante sin sesión"
        return "Sistema (línea de comandos)"

    @property
    def role(self) -> str:
        role = self.entry.actor_role
        return Role(role).label if role in Role._value2member_map_ else ""

    @property
    def institution(self) -> str:
        if self.institution_code is None:
            return ""
        return f"{self.institution_code} · {self.institution_name}"

    @property
    def action(self) -> str:
        return action_label(self.entry.action)

    @property
    def object_reference(self) -> str:
        """The object as the entry keeps it: ``SubmissionVersion 2``."""
        return f"{self.entry.object_type} {self.entry.object_id}"

    @cached_property  # read by the page four times: written once
    def before(self) -> str:
        return _compact(self.entry.before)

    @cached_property
    def after(self) -> str:
        return _compact(self.entry.after)

    @property
    def before_preview(self) -> str:
        return _shortened(self.before)

    @property
    def after_preview(self) -> str:
        return _shortened(self.after)

    @property
    def is_shortened(self) -> bool:
        return max(len(self.before), len(self.after)) > PREVIEW_CHARS

    @property
    def before_pretty(self) -> str:
        return _pretty(self.entry.before)

    @property
    def after_pretty(self) -> str:
        return _pretty(self.entry.after)


def _compact(value: Any) -> str:
    return "" if value is None else canonical_json(value)


def _shortened(text: str) -> str:
    return text if len(text) <= PREVIEW_CHARS else f"{text[: PREVIEW_CHARS - 1]}…"


def _pretty(value: Any) -> str:
    """Indented JSON, one key a line, text as typed (not escaped to ASCII)."""
    if value is None:
        return ""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)


def search_entries(filters: AuditFilters, page: int = 1) -> tuple[Pagination, list[AuditRow]]:
    """One page of matching entries, newest first, with their institutions loaded at once."""
    query = filtered_entries(filters).options(selectinload(AuditEntry.institution))
    found = paginate(query.order_by(AuditEntry.id.desc()), page)
    rows = [
        AuditRow(
            entry,
            entry.institution.code if entry.institution else None,
            entry.institution.name if entry.institution else None,
            object_name=name,
        )
        for entry, name in zip(found.items, object_names(found.items), strict=True)
    ]
    return found, rows


def stream_entries(filters: AuditFilters) -> Iterator[AuditRow]:
    """Every matching entry in chain order, fetched in batches as plain rows; the objects of
    each batch are named together."""
    subquery = filtered_entries(filters).subquery()
    institutions = AuditEntry.institution.property.target
    query = (
        select(
            subquery,
            institutions.c.code.label("institution_code"),
            institutions.c.name.label("institution_name"),
        )
        .outerjoin(institutions, institutions.c.id == subquery.c.institution_id)
        .order_by(subquery.c.id)
        .execution_options(yield_per=STREAM_BATCH)
    )
    for batch in db.session.execute(query).partitions():
        for row, name in zip(batch, object_names(batch), strict=True):
            yield AuditRow(row, row.institution_code, row.institution_name, name)


def last_entry_id() -> int:
    return db.session.scalar(select(func.max(AuditEntry.id))) or 0


# The actions found in the trail, kept with the last entry read (pmg.extensions.cache): the
# trail only grows, so each page reads only the entries after it, from LATE_COMMITS before
# it, where an entry whose transaction commits after a later one's can still appear.
ACTIONS_FOUND = "audit.actions_found"
LATE_COMMITS = 1000


def actions_in_trail() -> frozenset[str]:
    """Every action the trail holds, reading only what was added since the last call."""
    last, found = cache.get(ACTIONS_FOUND) or (0, frozenset())
    rows = db.session.execute(
        select(AuditEntry.action, func.max(AuditEntry.id))
        .where(AuditEntry.id > last - LATE_COMMITS)
        .group_by(AuditEntry.action)
    ).all()
    found = found | {action for action, _ in rows}
    cache.set(ACTIONS_FOUND, (max([last, *(newest for _, newest in rows)]), found))
    return found


def action_choices() -> list[SelectChoice]:
    """Every known action, and any other found in the trail (an older or newer version's)."""
    codes = known_actions()
    codes += sorted(actions_in_trail() - set(codes))
    choices = [SelectChoice(code, action_label(code)) for code in codes]
    return sorted(choices, key=lambda choice: choice.label)
