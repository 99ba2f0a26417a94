"""The roles, the permission decorator every route carries, and who acts.

Anonymous visitors are sent to the login page; a signed-in user whose role is
not listed gets 403. Object-level visibility (a coordinator and another
institution's data) is decided by each domain's ``queries`` and answers 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Protocol, TypeVar, cast

from flask import abort
from flask_login import current_user, login_required

from pmg.core.models import LabelledEnum

F = TypeVar("F", bound=Callable[..., Any])


class Role(LabelledEnum):
    COORDINATOR = ("coordinator", "Coordinador/a PMG")
    REVIEWER = ("reviewer", "Revisor/a Secretaría de Modernización")
    DIPRES = ("dipres", "Analista DIPRES")
    ADMIN = ("admin", "Administrador/a")


ALL_ROLES = tuple(Role)


class Actor(Protocol):
    """Who acts, as the packages below :mod:`pmg.auth` see a user (:class:`pmg.auth.models.User`
    is one): what they may see follows from their role, and the trail records who they are."""

    @property
    def id(self) -> int: ...

    @property
    def email(self) -> str: ...

    @property
    def role(self) -> Role: ...


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Allow the view to signed-in users holding one of ``roles``."""
    allowed = frozenset(roles)

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapper.allowed_roles = allowed  # type: ignore[attr-defined]  # read by the authz tests
        return cast(F, login_required(wrapper))  # Flask-Login is untyped; it keeps the signature

    return decorator
