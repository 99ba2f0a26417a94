"""The reports page and the consolidated workbook download (reviewer, DIPRES, admin)."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response

from pmg.core.errors import DomainError
from pmg.core.permissions import roles_required
from pmg.core.routing import parse_db_int
from pmg.core.security import PRIVATE_DOWNLOAD
from pmg.core.transactions import transaction
from pmg.core.xlsx import XLSX_MIMETYPE
from pmg.cycles.models import Cycle
from pmg.cycles.queries import all_cycles, current_cycle, get_cycle
from pmg.exports.workbook import (
    MAX_YEARS,
    READERS,
    consolidated_filename,
    export_consolidated,
)

bp = Blueprint("exports", __name__, url_prefix="/reportes")


def _requested_cycle() -> Cycle | None:
    """The cycle of ``?ciclo=``, or the current one without it; 404 for a cycle that does
    not exist (any text that is not the year of a cycle)."""
    text = request.args.get("ciclo", "")
    if not text:
        return current_cycle()
    year = parse_db_int(text)
    cycle = get_cycle(year) if year is not None else None
    if cycle is None:
        abort(404)
    return cycle


@bp.route("/")
@roles_required(*READERS)
def index() -> str:
    return _render_index(_requested_cycle())


def _render_index(cycle: Cycle | None, error: str | None = None) -> str:
    return render_template(
        "exports/index.html",
        cycles=all_cycles(),
        cycle=cycle,
        first=request.args.get("desde", ""),
        last=request.args.get("hasta", ""),
        max_years=MAX_YEARS,
        error=error,
    )


def _year_arg(name: str) -> int | None:
    text = request.args.get(name, "").strip()
    if not text:
        return None
    year = parse_db_int(text) if len(text) == 4 else None
    if year is None:
        raise DomainError(f"Escriba el año «{name}» con cuatro cifras, por ejemplo 2024.")
    return year


@bp.route("/consolidado.xlsx")
@roles_required(*READERS)
def consolidated() -> Response | tuple[str, int]:
    cycle = _requested_cycle()
    if cycle is None:
        return _render_index(None, "No hay un ciclo vigente; elija un ciclo."), 422
    buffer = BytesIO()
    with transaction(DomainError) as outcome:
        export_consolidated(
            cycle,
            buffer,
            _year_arg("desde"),
            _year_arg("hasta"),
            actor=current_user._get_current_object(),
        )
    if outcome.refusal is not None:
        return _render_index(cycle, outcome.refusal.message), 422
    response = Response(buffer.getvalue(), mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{consolidated_filename(cycle)}"'
    )
    response.headers["Cache-Control"] = PRIVATE_DOWNLOAD
    return response
