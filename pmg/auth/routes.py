"""Login, logout, one's own password, and the admin pages for users."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from pmg.auth import operations
from pmg.auth.forms import ChangeOwnPasswordForm, LoginForm, NewPasswordForm, NewUserForm, UserForm
from pmg.auth.models import User
from pmg.auth.queries import list_users
from pmg.auth.sessions import start_session
from pmg.core.errors import DomainError
from pmg.core.pagination import requested_page
from pmg.core.permissions import ALL_ROLES, Role, roles_required
from pmg.core.transactions import transaction
from pmg.extensions import db
from pmg.institutions.queries import institution_choices, institutions_by_ids

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """A path on this site to go to after login; anything else leads home."""
    if not target:
        return url_for("workspace.home")
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(char) < 32 for char in target)
    ):
        return url_for("workspace.home")
    return target


@bp.route("/ingresar", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated:
        return redirect(safe_next(form.next.data))
    error = None
    if form.validate_on_submit():
        address = request.remote_addr or "desconocida"
        # A refused login is kept too: the failed attempt counts toward the throttle.
        with transaction(DomainError, commit_refused=True) as outcome:
            user = operations.authenticate(form.email.data, form.password.data, address)
        if outcome.refusal is not None:
            error = outcome.refusal.message
            status = outcome.refusal.status_code
            return render_template("auth/login.html", form=form, error=error), status
        login_user(user)
        start_session()
        return redirect(safe_next(form.next.data))
    return render_template("auth/login.html", form=form, error=error)


@bp.route("/salir", methods=["POST"])
@roles_required(*ALL_ROLES)
def logout() -> Response:
    with transaction():
        operations.sign_out(current_user._get_current_object())
    logout_user()
    flash("Cerró su sesión.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/cuenta/contrasena", methods=["GET", "POST"])
@roles_required(*ALL_ROLES)
def change_own_password() -> str | Response:
    form = ChangeOwnPasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        with transaction(operations.WrongPassword) as outcome:
            operations.change_own_password(user, form.current.data, form.password.data)
        if outcome.refusal is not None:
            form.current.errors = [outcome.refusal.message]
        else:
            login_user(user)  # this session continues with the new token; others end
            start_session()
            flash("Su contraseña fue cambiada. Las demás sesiones abiertas se cerraron.", "success")
            return redirect(url_for("workspace.home"))
    return render_template("auth/change_password.html", form=form)


# --- Administration of users -------------------------------------------------------------


def _get_user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/admin/usuarios")
@roles_required(Role.ADMIN)
def users() -> str:
    page = list_users(
        search=request.args.get("q", ""),
        role=request.args.get("rol", ""),
        page=requested_page(),
    )
    return render_template("auth/users.html", page=page, roles=Role)


def _save_user_form(form: UserForm, user: User | None) -> User:
    values = {
        "email": form.email.data,
        "name": form.name.data,
        "role": Role(form.role.data),
        "institutions": institutions_by_ids(form.institutions.data or []),
        "actor": current_user._get_current_object(),
    }
    if user is None:
        return operations.create_user(password=form.password.data, **values)
    operations.update_user(user, **values)
    return user


@bp.route("/admin/usuarios/nuevo", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_user() -> str | Response:
    form = NewUserForm()
    form.institutions.choices = institution_choices()
    if form.validate_on_submit():
        with transaction(DomainError) as outcome:
            user = _save_user_form(form, None)
        if outcome.refusal is not None:
            form.email.errors = [outcome.refusal.message]
        else:
            flash(f"Se creó la cuenta de {user.name}.", "success")
            return redirect(url_for("auth.users"))
    return render_template("auth/user_form.html", form=form, user=None)


def _edit_form(user: User, **kwargs: Any) -> UserForm:
    """The edit form of ``user``: what was posted, or else the account as it is.

    Built from plain values, not ``obj=user``: WTForms would prefer the model's attribute
    ``institutions`` (objects, not ids) and check none of them.
    """
    values = {
        "name": user.name,
        "email": user.email,
        "role": user.role.value,
        "institutions": [institution.id for institution in user.institutions],
    }
    form = UserForm(data=values, **kwargs)
    form.institutions.choices = institution_choices()
    return form


@bp.route("/admin/usuarios/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_user(user_id: int) -> str | Response:
    user = _get_user_or_404(user_id)
    form = _edit_form(user)
    if form.validate_on_submit():
        with transaction(DomainError) as outcome:
            _save_user_form(form, user)
        if outcome.refusal is not None:
            form.email.errors = [outcome.refusal.message]
        else:
            flash(f"Se guardaron los cambios de {user.name}.", "success")
            return redirect(url_for("auth.users"))
    return render_template(
        "auth/user_form.html", form=form, user=user, password_form=NewPasswordForm()
    )


@bp.route("/admin/usuarios/<int:user_id>/contrasena", methods=["POST"])
@roles_required(Role.ADMIN)
def set_user_password(user_id: int) -> str | Response | tuple[str, int]:
    user = _get_user_or_404(user_id)
    form = NewPasswordForm()
    if form.validate_on_submit():
        admin = current_user._get_current_object()
        with transaction():
            operations.set_password(user, form.password.data, actor=admin)
        flash(f"Se asignó una nueva contraseña a {user.name}; sus sesiones se cerraron.", "success")
        return redirect(url_for("auth.edit_user", user_id=user.id))
    user_form = _edit_form(user, formdata=None)  # the account as it is, not this POST
    return render_template(
        "auth/user_form.html", form=user_form, user=user, password_form=form
    ), 422


@bp.route("/admin/usuarios/<int:user_id>/estado", methods=["POST"])
@roles_required(Role.ADMIN)
def set_user_active(user_id: int) -> Response:
    user = _get_user_or_404(user_id)
    active = request.form.get("activo") == "1"
    with transaction(DomainError) as outcome:
        operations.set_active(user, active, actor=current_user._get_current_object())
    if outcome.refusal is not None:
        flash(outcome.refusal.message, "error")
    else:
        state = "habilitada" if active else "deshabilitada"
        flash(f"La cuenta de {user.name} quedó {state}.", "success")
    return redirect(url_for("auth.users"))

