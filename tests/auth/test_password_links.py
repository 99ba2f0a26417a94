"""Links to set a password: stored hashed, single use, time-limited, bound to their purpose,
ended by a newer link or any other change of password, and mailed with the change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from pmg.auth import links, operations
from pmg.auth.models import PasswordLink, PasswordLinkPurpose, User
from pmg.core.errors import DomainError
from pmg.core.models import utcnow
from pmg.core.permissions import Role
from pmg.core.transactions import transaction
from pmg.extensions import db
from tests.audit.trail import only, trail_text
from tests.auth.accounts import link_in, mails_to
from tests.factories import PASSWORD, create_user

NEW_PASSWORD = "una-clave-nueva-larga"
INVITATION, RESET = PasswordLinkPurpose.INVITATION, PasswordLinkPurpose.RESET


def _pending(email: str = "ana@riego.gob.cl") -> User:
    """A coordinator created without a password, as the import creates one."""
    user = create_user(Role.COORDINATOR, email=email)
    user.password_hash = ""
    db.session.commit()
    return user


def _token(user: User) -> str:
    """The token of the last link mailed to ``user``."""
    return link_in(mails_to(user.email)[-1]).rsplit("/", 1)[1]


def _send(user: User, purpose: PasswordLinkPurpose | None = None) -> str:
    links.send_link(user, purpose, actor=None)
    db.session.commit()
    return _token(user)


def test_a_link_is_mailed_and_only_its_hash_is_kept(app: Flask) -> None:
    user = _pending()
    token = _send(user)
    link = db.session.scalar(select(PasswordLink))
    assert link is not None
    assert link.purpose is INVITATION
    assert link.token_hash != token and len(link.token_hash) == 64
    assert link.expires_at - link.created_at == timedelta(days=7)
    assert token not in trail_text()
    (mail,) = mails_to(user.email)
    assert link_in(mail) == f"http://127.0.0.1:5000/cuenta/activar/{token}"


def test_the_purpose_follows_whether_the_account_has_a_password(app: Flask) -> None:
    assert links.send_link(_pending(), actor=None).purpose is INVITATION
    with_password = create_user(Role.REVIEWER)
    link = links.send_link(with_password, actor=None)
    assert link.purpose is RESET
    assert link.expires_at - link.created_at == timedelta(hours=2)
    assert "/cuenta/restablecer/" in link_in(mails_to(with_password.email)[-1])


def test_using_a_link_sets_the_password_and_ends_link_and_sessions(app: Flask) -> None:
    user = create_user(Role.COORDINATOR)
    token = _send(user, RESET)
    session_token = user.session_token

    assert links.use_link(RESET, token, NEW_PASSWORD, "10.0.0.9") is user
    db.session.commit()
    assert operations.authenticate(user.email, NEW_PASSWORD, "10.0.0.9") is user
    assert user.session_token != session_token
    link = db.session.scalar(select(PasswordLink))
    assert link is not None and link.used_at is not None
    assert only("user.password_set").after == {
        "changed": ["password"],
        "sessions_ended": True,
        "link": "reset",
    }


def test_a_link_works_once(app: Flask) -> None:
    user = _pending()
    token = _send(user)
    links.use_link(INVITATION, token, NEW_PASSWORD, "10.0.0.9")
    db.session.commit()
    with pytest.raises(links.EndedLink, match="ya se usó"):
        links.use_link(INVITATION, token, "otra-clave-distinta", "10.0.0.9")


def test_a_link_claimed_meanwhile_sets_nothing(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two requests with one token: the one that finds it claimed by the other gives up."""
    user = create_user(Role.COORDINATOR)
    token = _send(user, RESET)
    found = links.open_link(RESET, token)
    monkeypatch.setattr(links, "open_link", lambda purpose, token: found)
    db.session.execute(
        PasswordLink.__table__.update().values(used_at=utcnow())  # the other request
    )
    with pytest.raises(links.EndedLink, match="ya se usó"):
        links.use_link(RESET, token, NEW_PASSWORD, "10.0.0.9")
    db.session.rollback()
    assert operations.authenticate(user.email, PASSWORD, "10.0.0.9") is user


def test_an_expired_link_does_not_work(app: Flask) -> None:
    user = _pending()
    token = _send(user)
    link = db.session.scalar(select(PasswordLink))
    assert link is not None
    link.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    with pytest.raises(links.EndedLink, match="venció"):
        links.open_link(INVITATION, token)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: token[:-1],
        lambda token: token + "A",
        lambda token: token.upper() if token != token.upper() else token.lower(),
        lambda token: "",
        lambda token: "ñ" * 43,
        lambda token: token[:20] + "/" + token[21:],
    ],
    ids=["one character", "shorter", "longer", "case", "empty", "not base64", "slash"],
)
def test_a_tampered_token_opens_nothing(app: Flask, tamper) -> None:  # type: ignore[no-untyped-def]
    token = _send(_pending())
    with pytest.raises(links.InvalidLink, match="no es válido") as refused:
        links.open_link(INVITATION, tamper(token))
    assert refused.value.status_code == 404


def test_a_link_opens_only_its_own_purpose_page(app: Flask) -> None:
    invitation = _send(_pending())
    reset = _send(create_user(Role.REVIEWER))
    with pytest.raises(links.InvalidLink, match="no es válido"):
        links.open_link(RESET, invitation)
    with pytest.raises(links.InvalidLink, match="no es válido"):
        links.use_link(INVITATION, reset, NEW_PASSWORD, "10.0.0.9")


def test_a_newer_link_ends_the_earlier_one(app: Flask) -> None:
    user = _pending()
    first = _send(user)
    second = _send(user)
    with pytest.raises(links.EndedLink, match="se envió uno más reciente"):
        links.open_link(INVITATION, first)
    assert links.open_link(INVITATION, second).user is user


@pytest.mark.parametrize(
    "change",
    [
        lambda user: operations.set_password(user, NEW_PASSWORD),
        lambda user: operations.update_user(
            user,
            email="otro@riego.gob.cl",
            name=user.name,
            role=user.role,
            institutions=user.institutions,
        ),
    ],
    ids=["password set by an admin", "e-mail changed"],
)
def test_a_change_of_password_or_e_mail_ends_the_open_link(app: Flask, change) -> None:  # type: ignore[no-untyped-def]
    user = create_user(Role.COORDINATOR)
    token = _send(user, RESET)
    change(user)
    db.session.commit()
    with pytest.raises(links.EndedLink):
        links.open_link(RESET, token)


def test_a_disabled_account_gets_no_link_and_its_open_link_ends(app: Flask) -> None:
    admin = create_user(Role.ADMIN)
    user = _pending()
    token = _send(user)
    operations.set_active(user, False, actor=admin)
    db.session.commit()
    with pytest.raises(links.EndedLink):
        links.open_link(INVITATION, token)
    with pytest.raises(DomainError, match="está deshabilitada"):
        links.send_link(user, actor=admin)
    operations.set_active(user, True, actor=admin)
    db.session.commit()
    with pytest.raises(links.EndedLink, match="ya no sirve"):
        links.open_link(INVITATION, token)


def test_the_link_and_its_mail_roll_back_together(app: Flask) -> None:
    user = _pending()
    with transaction(DomainError) as outcome:
        links.send_link(user, actor=None)
        raise DomainError("otra cosa falló")
    assert outcome.refusal is not None
    assert mails_to(user.email) == []
    assert db.session.scalar(select(PasswordLink)) is None


def test_an_account_without_password_answers_a_login_as_an_unknown_e_mail(app: Flask) -> None:
    user = _pending()
    with pytest.raises(operations.InvalidCredentials, match="Correo o contraseña incorrectos"):
        operations.authenticate(user.email, "", "10.0.0.9")
