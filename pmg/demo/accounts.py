"""The demo's accounts: created the first time, brought back to their demo state after."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from pmg.auth import operations as auth
from pmg.auth.models import User
from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.institutions.models import Institution


@dataclass(frozen=True)
class AccountSpec:
    role: Role
    email: str
    name: str


def demo_user(spec: AccountSpec, institutions: Sequence[Institution], password: str | None) -> User:
    """The account of ``spec``, created or reset to it (active, its role and, for a
    coordinator, exactly ``institutions``); with ``password``, that is its new password;
    without, a new account cannot sign in and an existing one keeps its password."""
    linked = list(institutions) if spec.role is Role.COORDINATOR else []
    user = db.session.scalar(select(User).where(User.email == spec.email))
    if user is None:
        return auth.create_user(
            email=spec.email,
            name=spec.name,
            role=spec.role,
            password=password,
            institutions=linked,
        )
    auth.update_user(user, email=spec.email, name=spec.name, role=spec.role, institutions=linked)
    if password is not None:
        auth.set_password(user, password)
    if not user.active:
        auth.set_active(user, True, actor=user)
    return user
