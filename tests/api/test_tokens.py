"""Personal API tokens: issued once, stored hashed, ended by expiry or revocation,
throttled, audited; made on the account page or with ``flask pmg create-token``."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from pmg.api.models import ApiToken
from pmg.api.operations import SHAPE, InvalidToken, authenticate, issue_token, revoke_token
from pmg.core.errors import DomainError, TooManyAttempts
from pmg.core.models import utcnow
from pmg.core.permissions import Role
from pmg.extensions import db
from tests.audit.trail import entries, only, trail_text
from tests.factories import create_user

ADDRESS = "10.0.0.7"


def _issue(role: Role = Role.DIPRES, days: int = 30) -> tuple[str, ApiToken]:
    user = create_user(role)
    issued = issue_token(user, "Planilla", days, actor=user)
    db.session.commit()
    return issued.secret, issued.token


class TestIssue:
    def test_keeps_only_the_hash_of_a_token_shown_once(self, app: Flask) -> None:
        secret, token = _issue()
        match = SHAPE.fullmatch(secret)
        assert match and match.group(1) == token.prefix
        assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert secret not in trail_text()
        assert token.expires_at - token.created_at == timedelta(days=30)
        entry = only("api_token.create")
        assert entry.after["prefix"] == token.prefix and entry.after["name"] == "Planilla"

    @pytest.mark.parametrize("role", [Role.DIPRES, Role.REVIEWER, Role.ADMIN])
    def test_staff_may_hold_tokens(self, app: Flask, role: Role) -> None:
        assert _issue(role)[1].user.role is role

    def test_a_coordinator_may_not(self, app: Flask) -> None:
        coordinator = create_user(Role.COORDINATOR)
        with pytest.raises(DomainError, match="Solo estas cuentas"):
            issue_token(coordinator, "Mío", 30, actor=coordinator)

    @pytest.mark.parametrize(("name", "days"), [("", 30), ("x" * 101, 30), ("A", 0), ("A", 366)])
    def test_refuses_a_bad_name_or_validity(self, app: Flask, name: str, days: int) -> None:
        user = create_user(Role.DIPRES)
        with pytest.raises(DomainError):
            issue_token(user, name, days, actor=user)


class TestAuthenticate:
    def test_a_working_token_acts_as_its_account_and_notes_its_use(self, app: Flask) -> None:
        secret, token = _issue()
        assert authenticate(secret, ADDRESS) == token.user
        db.session.commit()
        db.session.refresh(token)
        assert token.last_used_at is not None

    @pytest.mark.parametrize(
        "spoil",
        [
            lambda token: setattr(token, "expires_at", utcnow() - timedelta(seconds=1)),
            lambda token: setattr(token, "revoked_at", utcnow()),
            lambda token: setattr(token.user, "active", False),
        ],
        ids=["expired", "revoked", "account-disabled"],
    )
    def test_an_ended_token_opens_nothing(self, app: Flask, spoil) -> None:  # type: ignore[no-untyped-def]
        secret, token = _issue()
        spoil(token)
        db.session.commit()
        with pytest.raises(InvalidToken):
            authenticate(secret, ADDRESS)

    @pytest.mark.parametrize("presented", ["", "pmg_", "otra-cosa", "pmg_000000000000_" + "A" * 43])
    def test_an_unknown_token_opens_nothing(self, app: Flask, presented: str) -> None:
        with pytest.raises(InvalidToken):
            authenticate(presented, ADDRESS)

    def test_a_wrong_secret_with_a_real_prefix_opens_nothing(self, app: Flask) -> None:
        secret, _ = _issue()
        with pytest.raises(InvalidToken):
            authenticate(secret[:-1] + ("A" if secret[-1] != "A" else "B"), ADDRESS)

    def test_failures_are_throttled_per_address_even_for_a_good_token(self, app: Flask) -> None:
        secret, _ = _issue()
        for attempt in range(app.config["PMG_LOGIN_MAX_FAILURES"]):
            with pytest.raises(InvalidToken):
                authenticate(f"pmg_{attempt:012x}_" + "A" * 43, ADDRESS)
            db.session.commit()
        with pytest.raises(TooManyAttempts):
            authenticate(secret, ADDRESS)
        assert authenticate(secret, "10.0.0.8") is not None

    def test_failures_are_throttled_per_token_prefix(self, app: Flask) -> None:
        secret, token = _issue()
        wrong = f"pmg_{token.prefix}_" + "B" * 43
        for number in range(app.config["PMG_LOGIN_MAX_FAILURES"]):
            with pytest.raises(InvalidToken):
                authenticate(wrong, f"10.0.1.{number}")
            db.session.commit()
        with pytest.raises(TooManyAttempts):
            authenticate(secret, "10.0.2.1")


def test_revoking_is_audited_and_only_of_ones_own_token(app: Flask) -> None:
    _, token = _issue()
    other = create_user(Role.DIPRES)
    with pytest.raises(DomainError):
        revoke_token(other, token.id, actor=other)
    revoke_token(token.user, token.id, actor=token.user)
    revoke_token(token.user, token.id, actor=token.user)  # once is enough
    db.session.commit()
    assert token.revoked_at is not None
    assert only("api_token.revoke").actor_id == token.user.id


def test_a_token_works_by_one_rule_in_python_and_in_sql(app: Flask) -> None:
    _, working = _issue()
    _, expired = _issue()
    _, revoked = _issue()
    now = utcnow()
    expired.expires_at = now - timedelta(seconds=1)
    revoke_token(revoked.user, revoked.id, actor=revoked.user)
    db.session.commit()
    found = set(db.session.scalars(select(ApiToken.id).where(ApiToken.working(now))))
    assert found == {working.id}
    assert [token.works(now) for token in (working, expired, revoked)] == [True, False, False]


class TestCreateTokenCommand:
    def test_prints_the_token_once(self, app: Flask, runner) -> None:  # type: ignore[no-untyped-def]
        user = create_user(Role.DIPRES, email="analista@dipres.gob.cl")
        result = runner.invoke(
            args=["pmg", "create-token", "--email", "Analista@dipres.gob.cl", "--days", "7"]
        )
        assert result.exit_code == 0, result.output
        secret = result.stdout.strip()
        assert SHAPE.fullmatch(secret)
        token = db.session.scalar(select(ApiToken))
        assert token is not None and token.user_id == user.id
        assert token.expires_at - token.created_at == timedelta(days=7)
        assert authenticate(secret, ADDRESS).id == user.id
        assert only("api_token.create").actor_id is None

    @pytest.mark.parametrize(
        ("email", "days", "message"),
        [
            ("nadie@dipres.gob.cl", "30", "No existe una cuenta"),
            ("coordinacion@servicio.gob.cl", "30", "Solo estas cuentas"),
            ("analista@dipres.gob.cl", "400", "La vigencia debe ser"),
        ],
    )
    def test_refuses(self, app: Flask, runner, email: str, days: str, message: str) -> None:  # type: ignore[no-untyped-def]
        create_user(Role.DIPRES, email="analista@dipres.gob.cl")
        create_user(Role.COORDINATOR, email="coordinacion@servicio.gob.cl")
        result = runner.invoke(args=["pmg", "create-token", "--email", email, "--days", days])
        assert result.exit_code == 1
        assert message in result.output
        assert db.session.scalar(select(ApiToken)) is None


SECRET_SHOWN = re.compile(r'id="token-secreto"[^>]*value="(pmg_[^"]+)"')


class TestAccountPage:
    def test_a_new_token_is_shown_once_then_listed_and_revoked(
        self, client: FlaskClient, login_as
    ) -> None:
        user = login_as(create_user(Role.REVIEWER))
        assert "Tokens de la API" in client.get("/").get_data(as_text=True)
        response = client.post("/cuenta/api", data={"name": "Mi planilla", "days": "10"})
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        shown = SECRET_SHOWN.search(page)
        assert shown and "no se volverá a mostrar" in page
        token = db.session.scalar(select(ApiToken))
        assert token is not None and token.user_id == user.id
        assert authenticate(shown.group(1), ADDRESS).id == user.id
        db.session.commit()
        again = client.get("/cuenta/api").get_data(as_text=True)
        assert shown.group(1) not in again and f"pmg_{token.prefix}" in again
        assert "Mi planilla" in again and "Vigente" in again
        done = client.post(f"/cuenta/api/{token.id}/revocar", follow_redirects=True)
        assert "quedó revocado" in done.get_data(as_text=True)
        db.session.refresh(token)
        assert token.revoked_at is not None

    def test_revoking_needs_the_forms_csrf_token(self, client: FlaskClient, login_as) -> None:
        user = login_as(create_user(Role.DIPRES))
        token = issue_token(user, "Planilla", 30, actor=user).token
        db.session.commit()
        response = client.post(f"/cuenta/api/{token.id}/revocar", csrf=False)
        assert response.status_code == 400
        db.session.refresh(token)
        assert token.revoked_at is None

    def test_another_persons_token_is_not_found(self, client: FlaskClient, login_as) -> None:
        owner = create_user(Role.DIPRES)
        token = issue_token(owner, "Planilla", 30, actor=owner).token
        db.session.commit()
        login_as(create_user(Role.ADMIN))
        assert client.post(f"/cuenta/api/{token.id}/revocar").status_code == 404
        assert client.post("/cuenta/api/99999999999999999999/revocar").status_code == 404
        db.session.refresh(token)
        assert token.revoked_at is None

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"name": "", "days": "30"}, "Complete este campo."),
            ({"name": "Planilla", "days": "0"}, "entre 1 y 365"),
            ({"name": "Planilla", "days": "muchos"}, "entre 1 y 365"),
        ],
    )
    def test_a_bad_form_says_why(self, client: FlaskClient, login_as, data, message) -> None:  # type: ignore[no-untyped-def]
        login_as(create_user(Role.DIPRES))
        response = client.post("/cuenta/api", data=data)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
        assert db.session.scalar(select(ApiToken)) is None
        assert entries("api_token.create") == []

    def test_coordinators_have_no_tokens_page(self, client: FlaskClient, login_as) -> None:
        login_as(create_user(Role.COORDINATOR))
        assert "Tokens de la API" not in client.get("/").get_data(as_text=True)
        assert client.get("/cuenta/api").status_code == 403
