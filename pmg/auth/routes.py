"""Login, logout, one's own password (changed, forgotten, or set with a mailed link), and
the admin pages for users (their import from a spreadsheet included)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from pmg.auth import links, operations
from pmg.auth.forms import (
    ChangeOwnPasswordForm,
    CoordinatorsUploadForm,
    ForgotPasswordForm,
    LoginForm,
    NewPasswordForm,
    NewUserForm,
    UserForm,
)
from pmg.auth.importer import COLUMNS, MAX_ROWS, import_coordinators
from pmg.auth.models import PasswordLinkPurpose, User
from pmg.auth.queries import list_users
from pmg.auth.sessions import start_session
from pmg.core.errors import DomainError, TooManyAttempts
from pmg.core.imports import import_upload
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


def _address() -> str:
    return request.remote_addr or "desconocida"


@bp.route("/ingresar", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated:
        return redirect(safe_next(form.next.data))
    error = None
    if form.validate_on_submit():
        address = _address()
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


# --- A forgotten password, and the pages a mailed link opens -----------------------------

FROM_LOGIN = "desde_ingreso"


@bp.route("/cuenta/recuperar", methods=["GET", "POST"])
def forgot_password() -> str | Response | tuple[str, int]:
    """Ask for a link to set a new password. The answer is the same whether or not the
    e-mail is an account's; the login page's button posts here what was typed there."""
    if request.method == "POST" and FROM_LOGIN in request.form:
        # Only the e-mail typed on the login page is kept (the password is not).
        form = ForgotPasswordForm(formdata=None, data={"email": request.form.get("email", "")})
        return render_template("auth/forgot_password.html", form=form)
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        with transaction(TooManyAttempts) as outcome:
            links.request_link(form.email.data, _address())
        if outcome.refusal is None:
            hours = _hours(current_app.config["PMG_RESET_LINK_VALID"])
            flash(
                f"Si {operations.normalize_email(form.email.data)} es el correo de una cuenta "
                "habilitada, le enviamos un enlace para crear una nueva contraseña. Sirve una "
                f"sola vez y durante {hours}. Si no llega en unos minutos, revise la carpeta "
                "de correo no deseado.",
                "info",
            )
            return redirect(url_for("auth.login"))
        form.email.errors = [outcome.refusal.message]
        return render_template("auth/forgot_password.html", form=form), 429
    status = 422 if form.errors else 200
    return render_template("auth/forgot_password.html", form=form), status


def _hours(validity: timedelta) -> str:
    hours = int(validity.total_seconds() // 3600)
    return "1 hora" if hours == 1 else f"{hours} horas"


@bp.route("/cuenta/activar/<token>", methods=["GET", "POST"])
def activate_account(token: str) -> str | Response | tuple[str, int]:
    """The page a new account's link opens: the person sets their first password."""
    return _password_link_page(PasswordLinkPurpose.INVITATION, token)


@bp.route("/cuenta/restablecer/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> str | Response | tuple[str, int]:
    """The page a forgotten password's link opens."""
    return _password_link_page(PasswordLinkPurpose.RESET, token)


def _password_link_page(
    purpose: PasswordLinkPurpose, token: str
) -> str | Response | tuple[str, int]:
    """Set a password with a link; then the person is signed in (as the only session)."""
    try:
        link = links.open_link(purpose, token)
    except links.InvalidLink as invalid:
        return _invalid_link(invalid)
    form = NewPasswordForm()
    if form.validate_on_submit():
        with transaction(links.InvalidLink) as outcome:
            user = links.use_link(purpose, token, form.password.data, _address())
        if outcome.refusal is not None:
            return _invalid_link(outcome.refusal)
        logout_user()  # whoever was signed in on this browser
        login_user(user)
        start_session()
        flash(
            "Su contraseña quedó guardada y su sesión está iniciada. Desde ahora ingrese "
            "con su correo y esta contraseña.",
            "success",
        )
        return redirect(url_for("workspace.home"))
    status = 422 if form.errors else 200
    return render_template(
        "auth/set_password.html", form=form, account=link.user, purpose=purpose
    ), status


def _invalid_link(invalid: links.InvalidLink) -> tuple[str, int]:
    page = render_template("auth/link_invalid.html", message=invalid.message)
    return page, invalid.status_code


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


@bp.route("/admin/usuarios/<int:user_id>/enlace", methods=["POST"])
@roles_required(Role.ADMIN)
def send_password_link(user_id: int) -> Response:
    """Mail the account a new link to set its password (the earlier ones stop working)."""
    user = _get_user_or_404(user_id)
    with transaction(DomainError) as outcome:
        links.send_link(user, actor=current_user._get_current_object())
    if outcome.refusal is not None:
        flash(outcome.refusal.message, "error")
    else:
        flash(
            f"Se envió a {user.email} un enlace para crear su contraseña; los enlaces "
            "anteriores dejaron de servir.",
            "success",
        )
    return redirect(url_for("auth.edit_user", user_id=user.id))


@bp.route("/admin/usuarios/importar", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def import_users() -> tuple[str, int]:
    form = CoordinatorsUploadForm()
    actor = current_user._get_current_object()
    result = import_upload(form, lambda data: import_coordinators(data, actor=actor))
    status = 422 if form.errors else 200
    return render_template(
        "auth/import.html", form=form, result=result, columns=COLUMNS, max_rows=MAX_ROWS
    ), status


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

