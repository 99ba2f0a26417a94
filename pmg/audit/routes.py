"""The audit trail for admins: browse and filter it, download it as Excel."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

from flask import Blueprint, render_template, request
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from pmg.audit.forms import AuditFilterForm
from pmg.audit.models import AuditEntry
from pmg.audit.queries import search_entries
from pmg.audit.workbook import export_trail
from pmg.core.caching import cached, data_stamp
from pmg.core.filters import format_datetime
from pmg.core.fragments import render_fragment
from pmg.core.models import utcnow
from pmg.core.pagination import requested_page
from pmg.core.permissions import Role, roles_required
from pmg.core.security import PRIVATE_DOWNLOAD
from pmg.core.transactions import transaction
from pmg.core.xlsx import XLSX_MIMETYPE

bp = Blueprint("audit", __name__, url_prefix="/admin")


@bp.app_template_filter("datetime_seconds_es")
def format_datetime_seconds(value: datetime | None) -> str:
    """``3 de marzo de 2026, 14:05:09`` in Chilean time."""
    if value is None:
        return "—"
    return f"{format_datetime(value)}:{value:%S}"


@bp.route("/auditoria")
@roles_required(Role.ADMIN)
def index() -> tuple[str, int]:
    form = AuditFilterForm(request.args)
    form.validate()
    filters, number = form.filters(), requested_page()

    def table() -> Markup:
        page, rows = search_entries(filters, page=number)
        return render_fragment("audit/_table.html", page=page, rows=rows, args=filters.as_args())

    # Kept until an entry is added (the trail's own stamp) or anything it names changes.
    vary = (filters, number, data_stamp())
    kept = cached("audit.table", vary, table, tables=(AuditEntry.__tablename__,))
    status = 422 if form.errors else 200
    return render_template(
        "audit/index.html", form=form, table=kept, args=filters.as_args()
    ), status


@bp.route("/auditoria.xlsx")
@roles_required(Role.ADMIN)
def export() -> Response | tuple[str, int]:
    form = AuditFilterForm(request.args)
    if not form.validate():
        return index()
    buffer = BytesIO()
    with transaction():
        export_trail(form.filters(), buffer, current_user._get_current_object())
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    response = Response(buffer.getvalue(), mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="auditoria_{stamp}.xlsx"'
    response.headers["Cache-Control"] = PRIVATE_DOWNLOAD
    return response
