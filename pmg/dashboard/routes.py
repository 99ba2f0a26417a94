"""Where the cycle stands: the institution list with each submission's state, and its
downloads (everyone who sees the list; a coordinator, their own institutions); the cycle
report PDF (the Secretaría, DIPRES and the administration). The dashboard itself is the home
page of those roles (:mod:`pmg.workspace.routes`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import BytesIO, StringIO

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from pmg.core.caching import cached
from pmg.core.delimited import CSV_MIMETYPE, write_csv
from pmg.core.fragments import render_fragment
from pmg.core.models import utcnow
from pmg.core.pagination import requested_page
from pmg.core.permissions import ALL_ROLES, Role, roles_required
from pmg.core.security import PRIVATE_DOWNLOAD
from pmg.core.transactions import transaction
from pmg.core.xlsx import XLSX_MIMETYPE, write_xlsx
from pmg.cycles.queries import all_cycles, chile_today
from pmg.dashboard.figures import choose_cycle
from pmg.dashboard.indicators import INSTITUTION_ARG
from pmg.dashboard.listing import (
    ListingFilters,
    ListingForm,
    download_name,
    filters_of,
    listing_args,
    listing_form,
    listing_page,
    listing_rows,
    listing_table,
)
from pmg.dashboard.queries import dashboard
from pmg.institutions.queries import ministries
from pmg.submissions.kinds import KINDS

bp = Blueprint("dashboard", __name__)


@dataclass(frozen=True)
class _Asked:
    """What the query string asks of the list, and the day the list is looked at."""

    form: ListingForm
    filters: ListingFilters
    today: date


def _listing() -> _Asked:
    cycles = all_cycles()
    form = listing_form(request.args, ministries(), cycles)
    return _Asked(form, filters_of(form, cycles), chile_today())


@bp.route("/instituciones/")
@roles_required(*ALL_ROLES)
def institutions() -> tuple[str, int]:
    asked = _listing()
    args = listing_args(asked.form)
    return render_template(
        "dashboard/institutions.html",
        form=asked.form,
        table=_table(asked, args, requested_page()),
        args=args,
    ), 400 if asked.form.errors else 200


def _table(asked: _Asked, args: dict[str, str], number: int) -> Markup:
    """The list's table and pages: rendered, or kept from the last time the same person
    (a coordinator; staff all see the same) asked for the same on the same day with
    nothing changed since."""

    def render() -> Markup:
        page = listing_page(current_user, asked.filters, asked.today, number)
        return render_fragment(
            "dashboard/_institution_table.html",
            page=page,
            cycle=asked.filters.cycle,
            kinds=list(KINDS.values()) if asked.filters.cycle else [],
            args=args,
        )

    if asked.form.errors:
        return render()
    who = current_user.id if current_user.role is Role.COORDINATOR else "staff"
    return cached(
        "dashboard.institutions", (who, tuple(sorted(args.items())), number, asked.today), render
    )


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = PRIVATE_DOWNLOAD
    return response


@bp.route("/instituciones/descargar.xlsx")
@roles_required(*ALL_ROLES)
def institutions_xlsx() -> Response | tuple[str, int]:
    asked = _listing()
    if asked.form.errors:
        return institutions()
    rows = listing_rows(current_user, asked.filters, asked.today)
    buffer = BytesIO()
    write_xlsx([listing_table(asked.filters, rows)], buffer)
    name = download_name(asked.filters, asked.today, "xlsx")
    return _download(buffer.getvalue(), XLSX_MIMETYPE, name)


@bp.route("/instituciones/descargar.csv")
@roles_required(*ALL_ROLES)
def institutions_csv() -> Response | tuple[str, int]:
    asked = _listing()
    if asked.form.errors:
        return institutions()
    rows = listing_rows(current_user, asked.filters, asked.today)
    text = StringIO()
    write_csv(listing_table(asked.filters, rows), text)
    name = download_name(asked.filters, asked.today, "csv")
    return _download(text.getvalue().encode("utf-8"), CSV_MIMETYPE, name)


@bp.route("/panel/informe.pdf")
@roles_required(Role.REVIEWER, Role.DIPRES, Role.ADMIN)
def cycle_report() -> Response:
    """The cycle report of the dashboard's cycle (``ciclo``) and institution compared with
    its peers (``institucion``); 404 for a cycle or an institution that does not exist
    (the dashboard only links those it found)."""
    from pmg.dashboard.report import (  # WeasyPrint loads on first use only
        cycle_report as build_report,
    )
    from pmg.dashboard.report import record_cycle_report, render_cycle_report

    choice = choose_cycle(request.args.get("ciclo"), all_cycles())
    if choice.cycle is None or choice.error:
        abort(404)
    actor = current_user._get_current_object()
    board = dashboard(choice.cycle, chile_today())
    report = build_report(board, request.args.get(INSTITUTION_ARG, ""), utcnow(), actor)
    if any(panel.institution_error for panel in report.panels):
        abort(404)
    document = render_cycle_report(report)
    with transaction():
        record_cycle_report(choice.cycle, report, actor)
    return _download(document, "application/pdf", report.filename)
