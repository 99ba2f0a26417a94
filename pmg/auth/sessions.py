"""Server-side control of sessions: loading the user, idle and absolute timeouts.

The session cookie carries ``user id:session token``. Rotating the user's token
(logout, disable, new password) makes every earlier cookie worthless, even a
copy taken before logout.
"""

from __future__ import annotations

import hmac
from datetime import datetime

from flask import Flask, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response

from pmg.auth.models import User
from pmg.core.models import utcnow
from pmg.extensions import db, login_manager

AUTH_AT = "auth_at"
SEEN_AT = "seen_at"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or not hmac.compare_digest(user.session_token, token):
        return None
    return user


def start_session() -> None:
    """Mark the moment of login; called right after ``login_user``."""
    now = utcnow().timestamp()
    session.permanent = True
    session[AUTH_AT] = now
    session[SEEN_AT] = now


def _expired(now: datetime, app: Flask) -> bool:
    auth_at = session.get(AUTH_AT)
    seen_at = session.get(SEEN_AT)
    if auth_at is None or seen_at is None:
        return True
    stamp = now.timestamp()
    return (
        stamp - auth_at > app.config["PMG_ABSOLUTE_TIMEOUT"].total_seconds()
        or stamp - seen_at > app.config["PMG_IDLE_TIMEOUT"].total_seconds()
    )


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
            logout_user()
            session.clear()
            flash("Su sesión expiró por inactividad o duración. Inicie sesión nuevamente.", "info")
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        session[SEEN_AT] = now.timestamp()
        return None
