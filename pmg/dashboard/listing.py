"""The institution list: the institutions a person may see, each with where it stands in a
cycle for every kind of submission, filtered, a page at a time or whole in a download.

The standing and lateness filters are the conditions of :mod:`pmg.dashboard.standing`, the
ones the dashboard counts with, so a count and the list it links to agree. A page is one
query (each kind's state by a correlated subquery, its lateness by the very condition the
filter uses) and its count, whatever the number of institutions; a download, one query.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, select
from werkzeug.datastructures import MultiDict
from wtforms import Form, SearchField, SelectChoice, SelectField

from pmg.core.permissions import Actor
from pmg.core.search import searched
from pmg.core.xlsx import CellValue, Table
from pmg.cycles.models import Cycle
from pmg.cycles.queries import default_cycle
from pmg.dashboard.figures import UNKNOWN_CYCLE
from pmg.dashboard.standing import (
    BY_VALUE,
    NOT_STARTED,
    STANDINGS,
    Standing,
    late,
    standing_is,
    standing_value,
    taking_part,
)
from pmg.extensions import db
from pmg.institutions.models import FunctionalCategory, Institution, Ministry, Stage
from pmg.institutions.queries import visible_institutions
from pmg.submissions.kinds import KINDS, KindSpec, by_slug

CYCLE_ARG = "ciclo"
LATE_ARG = "atrasadas"
UNKNOWN_MINISTRY = "El ministerio pedido no existe; elija uno de la lista."
UNKNOWN_STAGE = "La etapa pedida no existe; elija una de la lista."
UNKNOWN_CATEGORY = "La categoría pedida no existe; elija una de la lista."
UNKNOWN_STANDING = "El estado pedido no existe; elija uno de la lista."
UNKNOWN_KIND = "El tipo de envío pedido no existe; elija uno de la lista."
NOT_TAKING_PART = "No participa"
BASE_HEADERS = ("Código", "Institución", "Ministerio", "Etapa", "MESU", "Categoría funcional")


@dataclass(frozen=True)
class ListingFilters:
    """What the list shows: the cycle whose standings it reads (None when no cycle exists)
    and the filters; a standing filter is a kind with the standing asked for."""

    cycle: Cycle | None = None
    search: str = ""
    ministry_id: int | None = None
    stage: Stage | None = None
    category: FunctionalCategory | None = None
    standings: tuple[tuple[KindSpec, Standing], ...] = ()
    late: KindSpec | None = None


class ListingForm(Form):
    """The list's search and filters, read from the query string (a GET form: no CSRF).

    Each kind's standing is a field named by the kind's slug (``diagnostico``, ``plan``),
    added for the kinds registered when the form is built (:func:`listing_form`).
    """

    ciclo = SelectField("Ciclo", invalid_choice_message=UNKNOWN_CYCLE)
    q = SearchField("Nombre o código")
    ministerio = SelectField("Ministerio", default="", invalid_choice_message=UNKNOWN_MINISTRY)
    etapa = SelectField("Etapa", default="", invalid_choice_message=UNKNOWN_STAGE)
    categoria = SelectField(
        "Categoría funcional", default="", invalid_choice_message=UNKNOWN_CATEGORY
    )
    atrasadas = SelectField("Atrasadas con", default="", invalid_choice_message=UNKNOWN_KIND)

    def standing_names(self) -> list[str]:
        """The standing filter of each kind, in the registry's order (none without a cycle)."""
        return [spec.slug for spec in KINDS.values() if spec.slug in self]

    def standing_fields(self) -> list[Any]:
        return [self[name] for name in self.standing_names()]


def listing_form(
    args: MultiDict[str, str], ministries: Sequence[Ministry], cycles: Sequence[Cycle]
) -> ListingForm:
    """The form read from ``args`` and validated. The cycle is by default the current one
    (the latest if none is marked current); with no cycle at all the form has no cycle,
    standing or lateness filter, since there are no standings to filter by."""
    fields = {
        spec.slug: SelectField(spec.short_name, default="", invalid_choice_message=UNKNOWN_STANDING)
        for spec in KINDS.values()
    }
    form_class = type("KindsListingForm", (ListingForm,), fields)
    chosen = default_cycle(cycles)
    form: ListingForm = form_class(args, ciclo=str(chosen.year) if chosen else None)
    if chosen and not form.ciclo.data:  # ``ciclo=`` asks for no cycle in particular
        form.ciclo.data = str(chosen.year)
    every = SelectChoice("", "Todos")
    form.ciclo.choices = [SelectChoice(str(cycle.year), str(cycle.year)) for cycle in cycles]
    form.ministerio.choices = [every, *(SelectChoice(str(m.id), m.name) for m in ministries)]
    form.etapa.choices = [SelectChoice("", "Todas"), *Stage.choices()]
    form.categoria.choices = [SelectChoice("", "Todas"), *FunctionalCategory.choices()]
    form.atrasadas.choices = [
        SelectChoice("", "Sin filtrar"),
        *(SelectChoice(spec.slug, spec.short_name) for spec in KINDS.values()),
    ]
    for field in form.standing_fields():
        field.choices = [every, *(SelectChoice(s.value, s.label) for s in STANDINGS)]
    if chosen is None:
        for name in (CYCLE_ARG, LATE_ARG, *(spec.slug for spec in KINDS.values())):
            del form[name]
    form.validate()
    return form


def filters_of(form: ListingForm, cycles: Sequence[Cycle]) -> ListingFilters:
    """The filters of a validated ``form``; a field with an error is left out (an unknown
    cycle: the list shows the default one)."""
    valid = {name: field.data for name, field in form._fields.items() if not field.errors}
    by_year = {str(cycle.year): cycle for cycle in cycles}
    return ListingFilters(
        cycle=by_year.get(valid.get(CYCLE_ARG) or "") or default_cycle(cycles),
        search=(valid.get("q") or "").strip(),
        ministry_id=int(valid["ministerio"]) if valid.get("ministerio") else None,
        stage=Stage(valid["etapa"]) if valid.get("etapa") else None,
        category=FunctionalCategory(valid["categoria"]) if valid.get("categoria") else None,
        standings=tuple(
            (spec, BY_VALUE[valid[spec.slug]]) for spec in KINDS.values() if valid.get(spec.slug)
        ),
        late=by_slug(valid[LATE_ARG]) if valid.get(LATE_ARG) else None,
    )


def listing_args(form: ListingForm) -> dict[str, str]:
    """The valid, non-empty filters as query-string arguments: for the pages' links and the
    downloads, which so show exactly the list on the page."""
    names = [CYCLE_ARG, "q", "ministerio", "etapa", "categoria", *form.standing_names(), LATE_ARG]
    fields = [form[name] for name in names if name in form]
    return {field.name: field.data for field in fields if field.data and not field.errors}


# --- Rows -----------------------------------------------------------------------------


@dataclass(frozen=True)
class KindStanding:
    """Where an institution stands for one kind: ``standing`` is None when it has no
    submission and does not take part in the cycle (inactive, or not committing the
    system), which is neither «Sin iniciar» nor late (:mod:`pmg.dashboard.standing`)."""

    spec: KindSpec
    standing: Standing | None
    late: bool

    @property
    def label(self) -> str:
        return self.standing.label if self.standing else NOT_TAKING_PART


@dataclass(frozen=True)
class ListingRow:
    institution: Institution
    standings: tuple[KindStanding, ...]


def filtered(user: Actor, filters: ListingFilters, today: date) -> Select[Any]:
    """The institutions ``user`` may see that match ``filters``, with their ministry."""
    query = searched(visible_institutions(user), Institution.search_text, filters.search)
    if filters.ministry_id is not None:
        query = query.where(Institution.ministry_id == filters.ministry_id)
    if filters.stage is not None:
        query = query.where(Institution.stage == filters.stage)
    if filters.category is not None:
        query = query.where(Institution.category == filters.category)
    if filters.cycle is not None:
        for spec, standing in filters.standings:
            query = query.where(standing_is(spec, filters.cycle, standing))
        if filters.late is not None:
            query = query.where(late(filters.late, filters.cycle, today))
    return query


def listed_kinds(filters: ListingFilters) -> tuple[KindSpec, ...]:
    """The kinds whose standings the list shows: every kind, once there is a cycle."""
    return tuple(KINDS.values()) if filters.cycle is not None else ()


def _rows_query(user: Actor, filters: ListingFilters, today: date) -> Select[Any]:
    """:func:`filtered` in the list's order, :func:`with_standings`."""
    query = filtered(user, filters, today).order_by(
        Ministry.name, Institution.name, Institution.code
    )
    return with_standings(query, filters.cycle, today)


def with_standings(query: Select[Any], cycle: Cycle | None, today: date) -> Select[Any]:
    """``query`` of institutions whose rows, with a cycle, also say whether the institution
    takes part in it and, per kind, its standing value and whether it is late (read them
    with :func:`listing_row`)."""
    if cycle is None:
        return query
    query = query.add_columns(taking_part(cycle))
    for spec in KINDS.values():
        query = query.add_columns(standing_value(spec, cycle), late(spec, cycle, today))
    return query


def listing_row(row: Sequence[Any], kinds: Sequence[KindSpec]) -> ListingRow:
    if not kinds:
        return ListingRow(row[0], ())
    institution, takes_part, *facts = row
    standings = []
    for spec, value, is_late in zip(kinds, facts[::2], facts[1::2], strict=True):
        counted = takes_part or value != NOT_STARTED
        standings.append(KindStanding(spec, BY_VALUE[value] if counted else None, bool(is_late)))
    return ListingRow(institution, tuple(standings))


class _RowPages(Pagination):
    """Flask-SQLAlchemy's page of whole result rows (its ``db.paginate`` keeps only each
    row's first column): the rows of the page, then the count."""

    def _query_items(self) -> list[Any]:
        query = self._query_args["rows_query"].limit(self.per_page).offset(self._query_offset)
        kinds = self._query_args["kinds"]
        return [listing_row(row, kinds) for row in db.session.execute(query)]

    def _query_count(self) -> int:
        return db.session.scalar(self._query_args["count_query"]) or 0


def listing_page(user: Actor, filters: ListingFilters, today: date, page: int = 1) -> Pagination:
    """Page ``page`` of the list (past the end, the last page; see
    :mod:`pmg.core.pagination`), its items :class:`ListingRow`."""
    per_page = current_app.config["PMG_PAGE_SIZE"]
    query: dict[str, Any] = {
        "rows_query": _rows_query(user, filters, today),
        "count_query": select(func.count()).select_from(filtered(user, filters, today).subquery()),
        "kinds": listed_kinds(filters),
    }
    found = _RowPages(page, per_page, max_per_page=None, error_out=False, **query)
    last = max(found.pages, 1)
    if found.page > last:
        found = _RowPages(last, per_page, max_per_page=None, error_out=False, **query)
    return found


def listing_rows(user: Actor, filters: ListingFilters, today: date) -> list[ListingRow]:
    """Every row of the list, in its order (for the downloads)."""
    kinds = listed_kinds(filters)
    return [
        listing_row(row, kinds) for row in db.session.execute(_rows_query(user, filters, today))
    ]


# --- Downloads ------------------------------------------------------------------------


def listing_table(filters: ListingFilters, rows: Iterable[ListingRow]) -> Table:
    """The list as one sheet: the institution's columns, then for each kind its standing in
    the cycle and whether it is late (Sí/No), the cycle named in the headers."""
    cycle = filters.cycle
    if cycle is None:
        return Table("Instituciones", BASE_HEADERS, [_cells(row) for row in rows])
    headers = list(BASE_HEADERS)
    for spec in KINDS.values():
        headers += [f"{spec.short_name} {cycle.year}", f"{spec.short_name} {cycle.year} atrasado"]
    return Table(f"Instituciones {cycle.year}", tuple(headers), [_cells(row) for row in rows])


def _cells(row: ListingRow) -> tuple[CellValue, ...]:
    institution = row.institution
    cells: list[CellValue] = [
        institution.code,
        institution.name,
        institution.ministry.name,
        institution.stage.label,
        institution.mesu.label,
        institution.category.label,
    ]
    for standing in row.standings:
        cells += [standing.label, "Sí" if standing.late else "No"]
    return tuple(cells)


def download_name(filters: ListingFilters, today: date, extension: str) -> str:
    """``instituciones_ciclo2026_2026-03-05.csv``: the cycle and the day, in ASCII."""
    cycle = f"_ciclo{filters.cycle.year}" if filters.cycle else ""
    return f"instituciones{cycle}_{today.isoformat()}.{extension}"
