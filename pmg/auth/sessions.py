"""Server-side control of sessions: loading the user, idle and absolute timeouts.

The session cookie carries ``user id:session token``. Rotating the user's token
(logout, disable, new password) makes every earlier cookie worthless, even a
copy taken before logout.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from flask import Flask, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from pmg.auth.models import PreservedForm, User
from pmg.core.caching import kept_row, watch_writes
from pmg.core.models import utcnow
from pmg.core.transactions import transaction
from pmg.extensions import db, login_manager

F = TypeVar("F", bound=Callable[..., Any])

AUTH_AT = "auth_at"
SEEN_AT = "seen_at"
PRESERVED = "preserved_form"
PRESERVED_FOR = timedelta(hours=24)


def preserves_input(view: F) -> F:
    """Mark a form view whose input survives an expired session (see :func:`take_preserved`)."""
    view.preserves_input = True  # type: ignore[attr-defined]  # a mark the session check reads
    return view


def _preserve(user: User) -> str:
    token = secrets.token_urlsafe(32)
    data = {key: values for key, values in request.form.lists() if key != "csrf_token"}
    with transaction():
        db.session.add(PreservedForm(token=token, user_id=user.id, path=request.path, data=data))
    return token


def take_preserved(user: User) -> MultiDict[str, str] | None:
    """The input this user typed on this page before their session expired, once."""
    token = session.pop(PRESERVED, None)
    if not token:
        return None
    preserved = db.session.get(PreservedForm, token)
    if preserved is None:
        return None
    db.session.delete(preserved)
    fresh = utcnow() - preserved.created_at < PRESERVED_FOR
    if preserved.user_id != user.id or preserved.path != request.path or not fresh:
        return None
    return MultiDict([(key, value) for key, values in preserved.data.items() for value in values])


# The signed-in user is read on every request and changes seldom: kept while the users are
# unchanged (a logout, a new password or a disabled account rotates or clears what the
# cookie holds, writing to users), without the password's hash.
USER_TABLES = (User.__tablename__,)
watch_writes(*USER_TABLES)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None

    def signed_in() -> User | None:
        user = db.session.get(User, int(user_id))
        if user is None or not user.active or not hmac.compare_digest(user.session_token, token):
            return None
        return user

    cookie = hashlib.sha256(session_id.encode()).hexdigest()
    return kept_row(
        User,
        "auth.user",
        (cookie,),
        signed_in,
        tables=USER_TABLES,
        leave_out=frozenset({"password_hash"}),
    )


def start_session() -> None:
    """Mark the moment of login; called right after ``login_user``."""
    now = utcnow().timestamp()
    session.permanent = True
    session[AUTH_AT] = now
    session[SEEN_AT] = now


def _expired(now: datetime, app: Flask) -> bool:
    auth_at: float | None = session.get(AUTH_AT)
    seen_at: float | None = session.get(SEEN_AT)
    if auth_at is None or seen_at is None:
        return True
    stamp = now.timestamp()
    absolute: timedelta = app.config["PMG_ABSOLUTE_TIMEOUT"]
    idle: timedelta = app.config["PMG_IDLE_TIMEOUT"]
    return stamp - auth_at > absolute.total_seconds() or stamp - seen_at > idle.total_seconds()


def init_sessions(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Inicie sesión para continuar."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @app.before_request
    def enforce_timeouts() -> Response | None:
        if request.endpoint == "static" or not current_user.is_authenticated:
            return None
        now = utcnow()
        if _expired(now, app):
            view = app.view_functions.get(request.endpoint or "")
            token = None
            if request.method == "POST" and getattr(view, "preserves_input", False):
                token = _preserve(current_user._get_current_object())
            logout_user()
            session.clear()
            if token:
                session[PRESERVED] = token
                flash("Lo que escribió se guardó y volverá a verlo al ingresar de nuevo.", "info")
            flash("Su sesión expiró por inactividad o duración. Inicie sesión nuevamente.", "info")
            target = request.full_path.rstrip("?") if request.method == "GET" else request.path
            return redirect(url_for("auth.login", next=target))
        session[SEEN_AT] = now.timestamp()
        return None
