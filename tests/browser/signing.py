"""Signing in through the login page, as a person does."""

from __future__ import annotations

from typing import Any

from pmg.auth.models import User
from tests.factories import PASSWORD


def sign_in(page: Any, user: User, path: str) -> None:
    """Open ``path``, which asks to sign in first, and sign in as ``user``."""
    page.goto(path)
    page.get_by_label("Correo electrónico").fill(user.email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
