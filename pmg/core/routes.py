from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from pmg.core.permissions import ALL_ROLES, roles_required
from pmg.cycles.queries import current_cycle

bp = Blueprint("core", __name__)


@bp.app_context_processor
def layout_context() -> dict[str, object]:
    """What the base layout shows on every page: the current cycle."""
    return {"current_cycle": current_cycle() if current_user.is_authenticated else None}


@bp.route("/")
@roles_required(*ALL_ROLES)
def home() -> str:
    return render_template("core/home.html")
