"""Admin pages for cycles and their windows, and the windows table shown on the home page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from pmg.auth.models import Role
from pmg.core.permissions import roles_required
from pmg.cycles import operations
from pmg.cycles.forms import CycleForm, NewCycleForm
from pmg.cycles.models import Cycle, WindowKind
from pmg.cycles.operations import default_execution
from pmg.cycles.queries import (
    WindowRow,
    all_cycles,
    chile_today,
    get_cycle,
    suggested_year,
    window_states,
)
from pmg.extensions import db

bp = Blueprint("cycles", __name__, url_prefix="/admin/ciclos")


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
        try:
            cycle = operations.create_cycle(
                form.year.data,
                reference_year=form.reference_year.data,
                windows=form.windows(),
                execution=form.execution(),
                make_current=form.make_current.data,
                actor=current_user._get_current_object(),
            )
        except operations.InvalidCycle as refused:
            db.session.rollback()
            form.show_problems(refused.problems)
        else:
            db.session.commit()
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
        try:
            operations.update_cycle(
                cycle,
                year=form.year.data,
                reference_year=form.reference_year.data,
                windows=form.windows(),
                execution=form.execution(),
                actor=current_user._get_current_object(),
            )
        except operations.InvalidCycle as refused:
            db.session.rollback()
            form.show_problems(refused.problems)
        else:
            db.session.commit()
            flash(f"Se guardaron los cambios del ciclo {cycle.year}.", "success")
            return redirect(url_for("cycles.index"))
    return _render_form(form, cycle)


@bp.route("/<int:year>/vigente", methods=["POST"])
@roles_required(Role.ADMIN)
def make_current(year: int) -> Response:
    cycle = _get_cycle_or_404(year)
    operations.set_current_cycle(cycle, actor=current_user._get_current_object())
    db.session.commit()
    flash(f"El ciclo {cycle.year} quedó como ciclo vigente.", "success")
    return redirect(url_for("cycles.index"))
