"""Logins, logouts, downloads and the command line leave their entries in the trail."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from pmg.audit import actions
from pmg.audit.actions import AuditAction, action_label, known_actions, register_action_labels
from pmg.auth.models import LoginAttempt
from pmg.core.permissions import Role
from pmg.extensions import db
from tests.audit.trail import actor_of, entries, only, trail_text
from tests.conftest import login
from tests.evidence.files import create_evidence
from tests.factories import (
    PASSWORD,
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
)
from tests.indicators.workbooks import complaints, consolidated_xlsx
from tests.institutions.workbooks import catalog_row, catalog_xlsx

WRONG_PASSWORD = "no-es-la-clave-123"
NOBODY = (None, "", "")


def _attempt_id() -> int:
    return db.session.scalar(select(LoginAttempt.id).order_by(LoginAttempt.id.desc()).limit(1))


# --- Sessions ----------------------------------------------------------------------------


def test_login_is_recorded_with_the_user_as_actor(client: FlaskClient) -> None:
    user = create_user(Role.REVIEWER, email="revisora@modernizacion.gob.cl")
    assert login(client, user.email).status_code == 302
    entry = only("auth.login")
    assert actor_of(entry) == (user.id, "revisora@modernizacion.gob.cl", "reviewer")
    assert (entry.object_type, entry.object_id, entry.institution_id) == (
        "User",
        str(user.id),
        None,
    )
    assert (entry.before, entry.after) == (None, {"address": "127.0.0.1"})


@pytest.mark.parametrize(
    ("email", "password", "active", "reason"),
    [
        ("nadie@servicio.gob.cl", WRONG_PASSWORD, True, "invalid_credentials"),
        ("persona@servicio.gob.cl", WRONG_PASSWORD, True, "invalid_credentials"),
        ("persona@servicio.gob.cl", PASSWORD, False, "account_disabled"),
    ],
    ids=["unknown e-mail", "wrong password", "disabled account"],
)
def test_failed_login_is_recorded_by_nobody_without_the_password(
    client: FlaskClient, email: str, password: str, active: bool, reason: str
) -> None:
    user = create_user(Role.DIPRES, email="persona@servicio.gob.cl", active=active)
    assert login(client, email.upper(), password).status_code == 200
    entry = only("auth.login_failed")
    assert actor_of(entry) == NOBODY
    assert (entry.object_type, entry.object_id) == ("LoginAttempt", str(_attempt_id()))
    assert entry.after == {"email": email, "address": "127.0.0.1", "reason": reason}
    assert entries("auth.login") == []
    text = trail_text()
    assert password not in text
    assert user.password_hash not in text


def test_throttled_login_attempts_are_not_recorded(client: FlaskClient) -> None:
    """Refused before the password is looked at: recording them would let anyone fill the
    trail; the five failures that led there are recorded."""
    for _ in range(6):
        login(client, "nadie@servicio.gob.cl", WRONG_PASSWORD)
    assert len(entries("auth.login_failed")) == 5


def test_logout_is_recorded(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    user = login_as(create_user(Role.DIPRES, email="analista@dipres.gob.cl"))
    client.post("/salir")
    entry = only("auth.logout")
    assert actor_of(entry) == (user.id, "analista@dipres.gob.cl", "dipres")
    assert (entry.object_type, entry.object_id) == ("User", str(user.id))


def test_own_password_change_is_recorded_without_the_password(
    client: FlaskClient,
    login_as,  # type: ignore[no-untyped-def]
) -> None:
    user = login_as(create_user(Role.COORDINATOR))
    new = "otra-clave-segura-1"
    client.post("/cuenta/contrasena", data={"current": PASSWORD, "password": new, "confirm": new})
    entry = only("user.password_set")
    assert actor_of(entry) == (user.id, user.email, "coordinator")
    assert (entry.object_type, entry.object_id) == ("User", str(user.id))
    assert entry.after == {"changed": ["password"], "sessions_ended": True}
    db.session.refresh(user)
    text = trail_text()
    assert new not in text
    assert PASSWORD not in text
    assert user.password_hash not in text


# --- Downloads ---------------------------------------------------------------------------


@pytest.fixture
def version(app) -> Any:  # type: ignore[no-untyped-def]
    return create_submitted_diagnostic(create_institution("1306"), create_cycle(2026))


def test_version_pdf_download_is_recorded(client: FlaskClient, login_as, version) -> None:  # type: ignore[no-untyped-def]
    reviewer = login_as(create_user(Role.REVIEWER))
    response = client.get("/instituciones/1306/2026/diagnostico/v1.pdf")
    assert response.status_code == 200
    entry = only("export.version_pdf")
    assert actor_of(entry) == (reviewer.id, reviewer.email, "reviewer")
    assert (entry.object_type, entry.object_id) == ("SubmissionVersion", str(version.id))
    assert entry.institution_id == version.submission.institution_id
    assert entry.after == {
        "kind": "diagnostic",
        "cycle_year": 2026,
        "number": 1,
        "content_hash": version.content_hash,
    }


def test_evidence_download_is_recorded(client: FlaskClient, login_as, version) -> None:  # type: ignore[no-untyped-def]
    coordinator = version.submitted_by
    evidence = create_evidence(version.submission, coordinator)
    login_as(coordinator)
    response = client.get(f"/instituciones/1306/2026/diagnostico/evidencia/{evidence.id}")
    assert response.status_code == 200
    entry = only("evidence.download")
    assert actor_of(entry) == (coordinator.id, coordinator.email, "coordinator")
    assert (entry.object_type, entry.object_id) == ("EvidenceFile", str(evidence.id))
    assert entry.institution_id == version.submission.institution_id
    assert entry.after == {"name": "informe.pdf", "sha256": evidence.sha256}


def test_submission_is_recorded_with_its_institution(version) -> None:  # type: ignore[no-untyped-def]
    entry = only("submission.submit")
    coordinator = version.submitted_by
    assert actor_of(entry) == (coordinator.id, coordinator.email, "coordinator")
    assert entry.institution_id == version.submission.institution_id
    assert (entry.before, entry.after["state"]) == ({"state": "draft"}, "submitted")


# --- The command line: no actor -------------------------------------------------------------


def _file(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_command_line_imports_and_exports_are_recorded_without_actor(
    runner: Any, tmp_path: Path
) -> None:
    create_cycle(2026)
    catalog = catalog_xlsx([catalog_row("1306")])
    indicators = consolidated_xlsx("reclamos", [2025], [complaints("1306", 2025)])
    for args in (
        ["import-institutions", _file(tmp_path, "catalogo.xlsx", catalog)],
        ["import-indicators", "--cycle", "2026", _file(tmp_path, "reclamos.xlsx", indicators)],
        ["export-consolidated", "--cycle", "2026", str(tmp_path / "consolidado.xlsx")],
    ):
        result = runner.invoke(args=["pmg", *args])
        assert result.exit_code == 0, result.output
    imported = only("catalog.import")
    assert imported.object_id == hashlib.sha256(catalog).hexdigest()
    assert only("indicators.import").object_id == hashlib.sha256(indicators).hexdigest()
    exported = only("export.consolidated")
    assert (exported.after["cycle_year"], exported.after["years"]) == (2026, [2025])
    for entry in entries():
        assert actor_of(entry) == NOBODY, entry.action


def test_user_created_on_the_command_line_is_recorded_without_actor(runner: Any) -> None:
    result = runner.invoke(
        args=["pmg", "create-user", "--email", "admin@modernizacion.gob.cl", "--role", "admin"],
        input=f"{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    entry = only("user.create")
    assert actor_of(entry) == NOBODY
    assert entry.after == {
        "email": "admin@modernizacion.gob.cl",
        "name": "admin@modernizacion.gob.cl",
        "role": "admin",
        "active": True,
        "institutions": [],
    }
    assert PASSWORD not in trail_text()


# --- Labels --------------------------------------------------------------------------------


def test_every_known_action_has_a_spanish_label(app) -> None:  # type: ignore[no-untyped-def]
    """With the app built, every package has registered the labels of its actions."""
    labels = [action_label(code) for code in known_actions()]
    assert all(label != code for label, code in zip(labels, known_actions(), strict=True))
    assert len(set(labels)) == len(labels)
    assert action_label("submission.submit") == "Envío presentado"
    assert action_label("otra.cosa") == "otra.cosa"
    assert {action.value for action in AuditAction} <= set(known_actions())


def test_a_registered_action_is_known_and_labelled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(actions, "_REGISTERED", {})
    register_action_labels({"receipt.issue": "Comprobante emitido"})
    assert action_label("receipt.issue") == "Comprobante emitido"
    assert action_label("receipt.void") == "receipt.void"
    assert known_actions() == [action.value for action in AuditAction] + ["receipt.issue"]
