"""The permission decorator every route carries.

Anonymous visitors are sent to the login page; a signed-in user whose role is
not listed gets 403. Object-level visibility (a coordinator and another
institution's data) is decided by each domain's ``queries`` and answers 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from pmg.auth.models import Role

F = TypeVar("F", bound=Callable[..., Any])

ALL_ROLES = tuple(Role)


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Allow the view to signed-in users holding one of ``roles``."""
    allowed = frozenset(roles)

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapper.allowed_roles = allowed  # type: ignore[attr-defined]
        return login_required(wrapper)  # type: ignore[return-value]

    return decorator
