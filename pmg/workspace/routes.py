from __future__ import annotations

from flask import Blueprint, render_template

from pmg.core.permissions import ALL_ROLES, roles_required

bp = Blueprint("workspace", __name__)


@bp.route("/")
@roles_required(*ALL_ROLES)
def home() -> str:
    return render_template("workspace/home.html")
