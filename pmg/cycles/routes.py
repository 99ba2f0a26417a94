"""Admin pages for cycles and their windows; the current cycle on every page and its windows
table on the home page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from pmg.core.permissions import Role, roles_required
from pmg.core.transactions import transaction
from pmg.cycles import operations
from pmg.cycles.forms import CycleForm, NewCycleForm
from pmg.cycles.models import Cycle, WindowKind
from pmg.cycles.operations import default_execution
from pmg.cycles.queries import (
    WindowRow,
    all_cycles,
    chile_today,
    current_cycle,
    get_cycle,
    suggested_year,
    window_states,
)

bp = Blueprint("cycles", __name__, url_prefix="/admin/ciclos")


@bp.app_context_processor
def layout_context() -> dict[str, object]:
    """What the base layout shows on every page: the current cycle."""
    return {"current_cycle": current_cycle() if current_user.is_authenticated else None}


@bp.app_template_global()
def cycle_windows(cycle: Cycle) -> list[WindowRow]:
    """The windows of ``cycle`` with their state today, for ``cycles/_windows.html``."""
    return window_states(cycle, chile_today())


def _get_cycle_or_404(year: int) -> Cycle:
    cycle = get_cycle(year)
    if cycle is None:
        abort(404)
    return cycle


def _render_form(form: CycleForm, cycle: Cycle | None) -> str | tuple[str, int]:
    page = render_template("cycles/form.html", form=form, cycle=cycle)
    return (page, 422) if request.method == "POST" else page


@bp.route("/")
@roles_required(Role.ADMIN)
def index() -> str:
    return render_template("cycles/index.html", cycles=all_cycles(), window_kinds=list(WindowKind))


@bp.route("/nuevo", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new() -> str | tuple[str, int] | Response:
    form = NewCycleForm()
    if request.method == "GET":
        form.year.data = suggested_year(chile_today())
        form.execution_start.data, form.execution_end.data = default_execution(form.year.data)
    if form.validate_on_submit():
        with transaction(operations.InvalidCycle) as outcome:
            cycle = operations.create_cycle(
                form.year.data,
                reference_year=form.reference_year.data,
                windows=form.windows(),
                execution=form.execution(),
                make_current=form.make_current.data,
                actor=current_user._get_current_object(),
            )
        if outcome.refusal is not None:
            form.show_problems(outcome.refusal.problems)
        else:
            state = " y quedó como ciclo vigente" if cycle.is_current else ""
            flash(f"Se creó el ciclo {cycle.year}{state}.", "success")
            return redirect(url_for("cycles.index"))
    return _render_form(form, None)


@bp.route("/<int:year>/editar", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit(year: int) -> str | tuple[str, int] | Response:
    cycle = _get_cycle_or_404(year)
    form = CycleForm(obj=cycle)
    if form.validate_on_submit():
        with transaction(operations.InvalidCycle) as outcome:
            operations.update_cycle(
                cycle,
                year=form.year.data,
                reference_year=form.reference_year.data,
                windows=form.windows(),
                execution=form.execution(),
                actor=current_user._get_current_object(),
            )
        if outcome.refusal is not None:
            form.show_problems(outcome.refusal.problems)
        else:
            flash(f"Se guardaron los cambios del ciclo {cycle.year}.", "success")
            return redirect(url_for("cycles.index"))
    return _render_form(form, cycle)


@bp.route("/<int:year>/vigente", methods=["POST"])
@roles_required(Role.ADMIN)
def make_current(year: int) -> Response:
    cycle = _get_cycle_or_404(year)
    with transaction():
        operations.set_current_cycle(cycle, actor=current_user._get_current_object())
    flash(f"El ciclo {cycle.year} quedó como ciclo vigente.", "success")
    return redirect(url_for("cycles.index"))
