"""The admin upload of the official consolidated indicators."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from pmg.core.imports import import_upload
from pmg.core.permissions import Role, roles_required
from pmg.indicators.forms import IndicatorsUploadForm
from pmg.indicators.importer import import_indicators as run_import

bp = Blueprint("indicators", __name__, url_prefix="/admin/indicadores")


@bp.route("/importar", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def import_indicators() -> tuple[str, int]:
    form = IndicatorsUploadForm()
    actor = current_user._get_current_object()
    result = import_upload(
        form, lambda data: run_import(data, cycle_year=form.cycle_year.data, actor=actor)
    )
    status = 422 if form.errors else 200
    return render_template("indicators/import.html", form=form, result=result), status
