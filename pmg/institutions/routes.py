"""The detail of an institution, its edition, and the catalog upload (the list, with each
submission's state, is :mod:`pmg.dashboard`)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from pmg.core.errors import DomainError
from pmg.core.imports import import_upload
from pmg.core.permissions import ALL_ROLES, Role, roles_required
from pmg.core.transactions import transaction
from pmg.institutions import operations
from pmg.institutions.forms import CatalogUploadForm, InstitutionForm
from pmg.institutions.importer import import_catalog as run_import
from pmg.institutions.panels import detail_panels
from pmg.institutions.queries import get_visible_institution, ministries

bp = Blueprint("institutions", __name__, url_prefix="/instituciones")

@bp.route("/<code>")
@roles_required(*ALL_ROLES)
def detail(code: str) -> str:
    institution = get_visible_institution(current_user, code)
    return render_template(
        "institutions/detail.html", institution=institution, panels=detail_panels(institution)
    )


@bp.route("/<code>/editar", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit(code: str) -> str | Response | tuple[str, int]:
    institution = get_visible_institution(current_user, code)
    form = InstitutionForm(obj=institution)
    by_id = {ministry.id: ministry for ministry in ministries()}
    form.ministry_id.choices = [SelectChoice(m.id, m.name) for m in by_id.values()]
    if form.validate_on_submit():
        with transaction(DomainError) as outcome:
            changes = operations.update_institution(
                institution,
                name=form.name.data,
                report_code=form.report_code.data,
                ministry=by_id[form.ministry_id.data],
                stage=form.stage.data,
                mesu=form.mesu.data,
                category=form.category.data,
                commits_system=form.commits_system.data,
                active=form.active.data,
                actor=current_user._get_current_object(),
            )
        if outcome.refusal is None:
            if changes:
                flash(f"Se guardaron los cambios de {institution.name}.", "success")
            else:
                flash("No hubo cambios que guardar.", "info")
            return redirect(url_for("institutions.detail", code=institution.code))
        form.name.errors = [outcome.refusal.message]
    status = 422 if form.errors else 200
    return render_template("institutions/edit.html", form=form, institution=institution), status


@bp.route("/importar", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def import_catalog() -> tuple[str, int]:
    form = CatalogUploadForm()
    actor = current_user._get_current_object()
    result = import_upload(form, lambda data: run_import(data, actor=actor))
    status = 422 if form.errors else 200
    return render_template("institutions/import.html", form=form, result=result), status
