"""The account page's API tokens: make one (shown once), see them, revoke one."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from pmg.api import operations
from pmg.api.forms import NewTokenForm
from pmg.api.operations import TOKEN_ROLES
from pmg.core.errors import DomainError
from pmg.core.models import utcnow
from pmg.core.permissions import roles_required
from pmg.core.transactions import transaction

bp = Blueprint("api_tokens", __name__)


@bp.route("/cuenta/api", methods=["GET", "POST"])
@roles_required(*TOKEN_ROLES)
def tokens() -> tuple[str, int]:
    """The person's tokens; a new one is shown here once, right after it is made."""
    user = current_user._get_current_object()
    form = NewTokenForm()
    issued = None
    if form.validate_on_submit():
        with transaction(DomainError) as outcome:
            issued = operations.issue_token(user, form.name.data, form.days.data, actor=user)
        if outcome.refusal is not None:
            form.name.errors = [outcome.refusal.message]
        else:
            form = NewTokenForm(formdata=None)
    page = render_template(
        "api/tokens.html",
        form=form,
        issued=issued,
        tokens=operations.tokens_of(user),
        now=utcnow(),
    )
    return page, 422 if form.errors else 200


@bp.route("/cuenta/api/<int:token_id>/revocar", methods=["POST"])
@roles_required(*TOKEN_ROLES)
def revoke(token_id: int) -> Response:
    user = current_user._get_current_object()
    with transaction():
        token = operations.revoke_token(user, token_id, actor=user)
    flash(f"El token «{token.name}» quedó revocado: ya no abre la API.", "success")
    return redirect(url_for("api_tokens.tokens"))
