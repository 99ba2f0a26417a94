"""Admin pages for each cycle's requirement catalog: see it, its versions, and load a new one."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from pmg.core.errors import DomainError
from pmg.core.permissions import Role, roles_required
from pmg.core.transactions import transaction
from pmg.cycles.models import Cycle
from pmg.cycles.queries import get_cycle
from pmg.institutions.models import Stage
from pmg.requirements.catalog import CatalogProblems, starting_catalog_text
from pmg.requirements.forms import CatalogForm
from pmg.requirements.models import Requirement
from pmg.requirements.operations import LoadOutcome, load_catalog
from pmg.requirements.queries import catalogs_by_cycle, catalogs_of, current_catalog, is_answered

bp = Blueprint("requirements", __name__, url_prefix="/admin/requisitos")


@bp.app_template_global()
def requirement_stages(requirement: Requirement) -> str:
    """``Todas`` or ``Etapa 2, Etapa 3``."""
    if not requirement.stages:
        return "Todas"
    return ", ".join(stage.label for stage in Stage if stage.value in requirement.stages)


def _get_cycle_or_404(year: int) -> Cycle:
    cycle = get_cycle(year)
    if cycle is None:
        abort(404)
    return cycle


@bp.route("/")
@roles_required(Role.ADMIN)
def index() -> str:
    return render_template("requirements/index.html", rows=catalogs_by_cycle())


@bp.route("/<int:year>")
@roles_required(Role.ADMIN)
def detail(year: int) -> str:
    cycle = _get_cycle_or_404(year)
    versions = catalogs_of(cycle)
    return render_template(
        "requirements/detail.html",
        cycle=cycle,
        catalog=versions[0] if versions else None,
        versions=[(catalog, is_answered(catalog)) for catalog in versions],
    )


@bp.route("/<int:year>/editar", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit(year: int) -> str | tuple[str, int] | Response:
    cycle = _get_cycle_or_404(year)
    current = current_catalog(cycle)
    form = CatalogForm()
    if request.method == "GET":
        form.source.data = current.source if current else starting_catalog_text()
    if form.validate_on_submit():
        with transaction(DomainError) as outcome:
            result = load_catalog(cycle, form.source.data, current_user._get_current_object())
        refused = outcome.refusal
        if refused is None:
            unchanged = result.outcome is LoadOutcome.UNCHANGED
            flash(result.summary, "info" if unchanged else "success")
            return redirect(url_for("requirements.detail", year=cycle.year))
        problems = refused.problems if isinstance(refused, CatalogProblems) else [refused.message]
        form.source.errors = [*form.source.errors, *problems]
    page = render_template("requirements/form.html", form=form, cycle=cycle, current=current)
    return (page, 422) if request.method == "POST" else page
