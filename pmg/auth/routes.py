"""Login, logout, one's own password, and the admin pages for users."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.security import check_password_hash
from werkzeug.wrappers import Response

from pmg.auth import operations
from pmg.auth.forms import ChangeOwnPasswordForm, LoginForm, NewPasswordForm, NewUserForm, UserForm
from pmg.auth.models import Role, User
from pmg.auth.queries import list_users
from pmg.auth.sessions import start_session
from pmg.core.errors import DomainError
from pmg.core.pagination import requested_page
from pmg.core.permissions import ALL_ROLES, roles_required
from pmg.extensions import db
from pmg.institutions.queries import institution_choices, institutions_by_ids

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """A path on this site to go to after login; anything else leads home."""
    if not target:
        return url_for("core.home")
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(char) < 32 for char in target)
    ):
        return url_for("core.home")
    return target


@bp.route("/ingresar", methods=["GET", "POST"])
def login() -> str | Response:
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated:
        return redirect(safe_next(form.next.data))
    error = None
    if form.validate_on_submit():
        try:
            user = operations.authenticate(
                form.email.data, form.password.data, request.remote_addr or "desconocida"
            )
        except DomainError as refused:
            db.session.commit()  # keep the failed attempt for throttling
            error = refused.message
            status = refused.status_code
            return render_template("auth/login.html", form=form, error=error), status
        db.session.commit()
        login_user(user)
        start_session()
        return redirect(safe_next(form.next.data))
    return render_template("auth/login.html", form=form, error=error)


@bp.route("/salir", methods=["POST"])
@roles_required(*ALL_ROLES)
def logout() -> Response:
    operations.sign_out(current_user._get_current_object())
    db.session.commit()
    logout_user()
    flash("Cerró su sesión.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/cuenta/contrasena", methods=["GET", "POST"])
@roles_required(*ALL_ROLES)
def change_own_password() -> str | Response:
    form = ChangeOwnPasswordForm()
    if form.validate_on_submit():
        if not check_password_hash(current_user.password_hash, form.current.data):
            form.current.errors = ["La contraseña actual no es correcta."]
        else:
            user = current_user._get_current_object()
            operations.set_password(user, form.password.data, actor=user)
            db.session.commit()
            login_user(user)  # this session continues with the new token; others end
            start_session()
            flash("Su contraseña fue cambiada. Las demás sesiones abiertas se cerraron.", "success")
            return redirect(url_for("core.home"))
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
        try:
            user = _save_user_form(form, None)
        except DomainError as refused:
            db.session.rollback()
            form.email.errors = [refused.message]
        else:
            db.session.commit()
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
        try:
            _save_user_form(form, user)
        except DomainError as refused:
            db.session.rollback()
            form.email.errors = [refused.message]
        else:
            db.session.commit()
            flash(f"Se guardaron los cambios de {user.name}.", "success")
            return redirect(url_for("auth.users"))
    return render_template(
        "auth/user_form.html", form=form, user=user, password_form=NewPasswordForm()
    )


@bp.route("/admin/usuarios/<int:user_id>/contrasena", methods=["POST"])
@roles_required(Role.ADMIN)
def set_user_password(user_id: int) -> str | Response:
    user = _get_user_or_404(user_id)
    form = NewPasswordForm()
    if form.validate_on_submit():
        admin = current_user._get_current_object()
        operations.set_password(user, form.password.data, actor=admin)
        db.session.commit()
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
    try:
        operations.set_active(user, active, actor=current_user._get_current_object())
    except DomainError as refused:
        db.session.rollback()
        flash(refused.message, "error")
    else:
        db.session.commit()
        state = "habilitada" if active else "deshabilitada"
        flash(f"La cuenta de {user.name} quedó {state}.", "success")
    return redirect(url_for("auth.users"))

