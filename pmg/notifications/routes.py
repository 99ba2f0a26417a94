"""The outbox for admins: every mail the system wrote, whether it left, and a retry button."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from pmg.core.pagination import requested_page
from pmg.core.permissions import Role, roles_required
from pmg.notifications.operations import send_pending
from pmg.notifications.queries import MAX_ATTEMPTS, MailState, count_mail, outbox_page

bp = Blueprint("notifications", __name__, url_prefix="/admin/correo")


def _state_asked() -> MailState | None:
    """The filter in the query string; anything unknown shows all mail."""
    try:
        return MailState(request.args.get("estado", ""))
    except ValueError:
        return None


@bp.route("")
@roles_required(Role.ADMIN)
def outbox() -> str:
    state = _state_asked()
    page = outbox_page(state, requested_page())
    return render_template(
        "notifications/outbox.html",
        page=page,
        state=state,
        states=list(MailState),
        pending=count_mail(MailState.PENDING),
        embedded=not current_app.config["MAIL_SERVER"],
        max_attempts=MAX_ATTEMPTS,
        args={"estado": state.value} if state else {},
    )


@bp.route("/reintentar", methods=["POST"])
@roles_required(Role.ADMIN)
def retry() -> Response:
    """Send the pending mail now, as ``flask pmg send-mail`` does (it commits after each
    message, and stops if the server fails)."""
    report = send_pending()
    category = "info" if report.embedded else "error" if report.failed else "success"
    flash(str(report), category)
    return redirect(url_for("notifications.outbox"))
