"""The evidence packages page: ask for one, watch it being built, cancel, download, remove
(reviewer, DIPRES, admin; a package is its requester's, and an admin's)."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from pmg.core.errors import DomainError
from pmg.core.models import utcnow
from pmg.core.permissions import Role, roles_required
from pmg.core.security import PRIVATE_DOWNLOAD
from pmg.core.storage import FileMissing
from pmg.core.transactions import transaction
from pmg.cycles.queries import all_cycles, default_cycle, get_cycle
from pmg.institutions.queries import ministries
from pmg.packages import operations
from pmg.packages.forms import UNKNOWN, PackageForm, package_form
from pmg.packages.operations import package_files
from pmg.packages.page import described, shown
from pmg.packages.queries import get_visible_package, visible_packages

bp = Blueprint("packages", __name__, url_prefix="/paquetes")

REQUESTERS = (Role.REVIEWER, Role.DIPRES, Role.ADMIN)
ZIP_MIMETYPE = "application/zip"


@bp.route("/", methods=["GET", "POST"])
@roles_required(*REQUESTERS)
def index() -> Response | tuple[str, int]:
    cycles = all_cycles()
    form = package_form(cycles, ministries(), default_cycle(cycles))
    refusal = _requested(form) if form.validate_on_submit() else None
    if form.is_submitted() and not form.errors and refusal is None:
        return redirect(url_for("packages.index"))
    status = 422 if form.errors or refusal else 200
    packages = visible_packages(current_user)
    now = utcnow()
    return render_template(
        "packages/index.html",
        form=form,
        packages=[(package, described(package), shown(package, now)) for package in packages],
        any_cycle=bool(cycles),
        refusal=refusal,
    ), status


def _requested(form: PackageForm) -> DomainError | None:
    """Ask for the package ``form`` chooses, saying so; the refusal, if any. A cycle removed
    since the page was shown is an error at its field."""
    selection = form.selection()
    cycle = get_cycle(selection.cycle_year)
    if cycle is None:
        form.ciclo.errors.append(UNKNOWN)
        return None
    with transaction(DomainError) as outcome:
        package, shared = operations.request_package(
            current_user._get_current_object(), cycle, selection
        )
    if outcome.refusal is None:
        flash(
            f"Ya había pedido este paquete: es el n.º {package.id}, más abajo."
            if shared
            else f"Se pidió el paquete n.º {package.id}. Aquí verá su avance; puede seguir "
            "trabajando y volver cuando esté listo.",
            "success",
        )
    return outcome.refusal


@bp.route("/avance")
@roles_required(*REQUESTERS)
def progress() -> Response:
    """Each listed package as its row shows it, for the page to update itself."""
    now = utcnow()
    return jsonify([shown(package, now) for package in visible_packages(current_user)])


@bp.route("/<int:package_id>/descargar")
@roles_required(*REQUESTERS)
def download(package_id: int) -> Response:
    package = get_visible_package(current_user, package_id)
    if package.stored_name is None:
        flash(f"El paquete n.º {package.id} está «{package.state.label}»: no hay archivo.", "error")
        return redirect(url_for("packages.index"))
    try:
        stream = package_files.open(package.stored_name)
    except FileMissing:
        flash(f"El archivo del paquete n.º {package.id} ya no está: pídalo de nuevo.", "error")
        return redirect(url_for("packages.index"))
    with transaction():
        operations.record_download(package, current_user._get_current_object())
    # Sent in pieces as it is read, from the folder or the bucket: a package may be large.
    response = send_file(
        stream,
        mimetype=ZIP_MIMETYPE,
        as_attachment=True,
        download_name=f"paquete_evidencia_{package.cycle.year}_{package.id}.zip",
        conditional=False,
        etag=package.sha256 or False,
        max_age=None,
    )
    response.headers["Content-Length"] = str(package.size)
    response.headers["Cache-Control"] = PRIVATE_DOWNLOAD
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/<int:package_id>/cancelar", methods=["POST"])
@roles_required(*REQUESTERS)
def cancel(package_id: int) -> Response:
    return _act(package_id, operations.cancel_package, "Se canceló el paquete n.º {id}.")


@bp.route("/<int:package_id>/eliminar", methods=["POST"])
@roles_required(*REQUESTERS)
def remove(package_id: int) -> Response:
    return _act(package_id, operations.remove_package, "Se eliminó el paquete n.º {id}.")


def _act(package_id: int, action: operations.PackageAction, done: str) -> Response:
    package = get_visible_package(current_user, package_id)
    with transaction(DomainError) as outcome:
        action(package, current_user._get_current_object())
    if outcome.refusal is not None:
        flash(outcome.refusal.message, "error")
    else:
        flash(done.format(id=package.id), "success")
    return redirect(url_for("packages.index"))
