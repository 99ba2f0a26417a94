"""Changing one's own password: proven with the current one, refused without it."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.security import check_password_hash

from pmg.auth import operations
from pmg.core.permissions import Role
from pmg.extensions import db
from tests.factories import PASSWORD, create_user

NEW_PASSWORD = "otra-clave-segura-1"


def test_change_own_password_with_the_current_one_sets_the_new_one(app: Flask) -> None:
    user = create_user(Role.REVIEWER)
    token = user.session_token
    operations.change_own_password(user, PASSWORD, NEW_PASSWORD)
    assert check_password_hash(user.password_hash, NEW_PASSWORD)
    assert user.session_token != token


def test_change_own_password_refuses_a_wrong_current_one(app: Flask) -> None:
    user = create_user(Role.REVIEWER)
    hashed, token = user.password_hash, user.session_token
    with pytest.raises(operations.WrongPassword) as refused:
        operations.change_own_password(user, "no-es-la-clave", NEW_PASSWORD)
    assert refused.value.message == "La contraseña actual no es correcta."
    assert (user.password_hash, user.session_token) == (hashed, token)


def test_the_page_shows_a_wrong_current_password_at_its_field(
    client: FlaskClient, login_as
) -> None:
    user = login_as(create_user(Role.REVIEWER))
    response = client.post(
        "/cuenta/contrasena",
        data={"current": "no-es-la-clave", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "La contraseña actual no es correcta." in response.get_data(as_text=True)
    db.session.refresh(user)
    assert check_password_hash(user.password_hash, PASSWORD)
