"""Who calls the API: the account of the bearer token, never a session.

Every view of the API is wrapped by :func:`read_only`: it reads ``Authorization: Bearer
<token>`` (a session cookie is ignored, so a page of another site cannot use one), keeps
the account in ``g`` for this request only (no session is opened, no cookie is set), and
documents the errors every view shares.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, g, request
from flask_smorest import Blueprint

from pmg.api import operations
from pmg.auth.models import User
from pmg.core.permissions import ALL_ROLES, Role
from pmg.core.transactions import transaction

F = TypeVar("F", bound=Callable[..., Any])

_USER = "api_user"
MISSING = "Envíe un token de la API en el encabezado «Authorization: Bearer <token>»."
# What every view of the API may answer besides its own, for the OpenAPI document (its
# If-None-Match is a parameter of each path: see pmg.api.endpoints.route).
SHARED_DOC: dict[str, Any] = {
    "security": [{"token": []}],
    "responses": {
        200: {"headers": {"ETag": "ETAG"}},
        304: "NOT_MODIFIED",
        401: "UNAUTHORIZED",
        429: "TOO_MANY_REQUESTS",
    },
}


class MissingToken(operations.InvalidToken):
    """No bearer token at all."""


def _presented() -> str:
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise MissingToken(MISSING)
    return credentials.strip()


def api_user() -> User:
    """The account whose token this request carries (set by :func:`read_only`)."""
    user: User = g.get(_USER)
    return user


def read_only(blueprint: Blueprint, roles: Iterable[Role] = ALL_ROLES) -> Callable[[F], F]:
    """A view of ``blueprint`` for the tokens of ``roles`` (by default, any): the account is
    :func:`api_user` and sees what it sees on the web (each view reads through the
    visibility queries). Another role's token is answered 404, as whatever the account may
    not see."""
    allowed = frozenset(roles)

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            presented = _presented()
            address = request.remote_addr or "desconocida"
            # A refused token is kept too: it counts toward the throttle.
            with transaction(operations.InvalidToken, commit_refused=True) as outcome:
                user = operations.authenticate(presented, address)
            if outcome.refusal is not None:
                raise outcome.refusal
            if user.role not in allowed:
                abort(404)
            g.setdefault(_USER, user)
            return view(*args, **kwargs)

        wrapper.allowed_roles = allowed  # type: ignore[attr-defined]
        return cast(F, blueprint.doc(**SHARED_DOC)(wrapper))

    return decorator
