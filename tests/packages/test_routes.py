"""The evidence packages page: a reviewer, DIPRES or an admin asks for a package, follows
its progress, downloads it, cancels or removes it; a package is its requester's (and an
admin's): anyone else gets 404."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from pmg.audit.models import AuditEntry
from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.packages.models import EvidencePackage, PackageState
from pmg.packages.operations import package_files
from tests.conftest import BrowserLikeClient, login
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
)
from tests.jobs import run_jobs

PAGE = "/paquetes/"


@pytest.fixture
def analyst(app: Flask, client: FlaskClient, login_as: Any) -> Any:
    cycle = create_cycle(2026)
    create_submitted_diagnostic(create_institution("1306"), cycle)
    run_jobs()
    return login_as(create_user(Role.DIPRES))


def _ask(client: FlaskClient, **choices: str) -> Any:
    data = {"ciclo": "2026", "ministerio": "", "etapa": "", "tipo": "", "estado": "",
            "versiones": "", **choices}
    return client.post(PAGE, data=data)


def _package() -> EvidencePackage:
    db.session.expire_all()
    return db.session.scalars(select(EvidencePackage)).one()


def _text(response: Any) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def test_a_package_asked_for_is_listed_with_its_progress_then_downloaded(
    analyst: Any, client: FlaskClient
) -> None:
    assert client.get(PAGE).status_code == 200
    asked = _ask(client, tipo="diagnostic")
    assert asked.status_code == 302 and asked.headers["Location"].endswith(PAGE)
    page = _text(client.get(PAGE))
    assert "Se pidió el paquete n.º 1." in page
    assert "Ciclo 2026 · Diagnóstico de brechas · última versión" in page
    assert "En cola" in page and "Esperando su turno" in page
    assert "Ya había pedido este paquete: es el n.º 1" in _text(
        client.get(_ask(client, tipo="diagnostic").headers["Location"])
    )

    [row] = client.get("/paquetes/avance").get_json()
    assert (row["id"], row["state"], row["done"], row["total"]) == (1, "waiting", 0, 2)

    run_jobs()
    page = _text(client.get(PAGE))
    assert "Listo" in page and "Descargar el paquete n.º 1" in page
    downloaded = client.get("/paquetes/1/descargar")
    assert downloaded.status_code == 200
    disposition = downloaded.headers["Content-Disposition"]
    assert disposition == "attachment; filename=paquete_evidencia_2026_1.zip"
    assert downloaded.headers["Content-Length"] == str(len(downloaded.data))
    package = _package()
    assert downloaded.data == package_files.read(package.stored_name or "")
    assert downloaded.headers["ETag"] == f'"{package.sha256}"'
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert {"package.request", "package.download"} <= set(actions)


def test_a_choice_not_in_the_list_is_said_at_its_field(analyst: Any, client: FlaskClient) -> None:
    refused = _ask(client, ciclo="1999", estado="borrador")
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert page.count("Elija una opción de la lista.") >= 2
    assert db.session.scalars(select(EvidencePackage)).first() is None


def test_cancel_then_cancel_again_says_it_is_already_cancelled(
    analyst: Any, client: FlaskClient
) -> None:
    _ask(client)
    client.post("/paquetes/1/cancelar")
    assert "Se canceló el paquete n.º 1." in _text(client.get(PAGE))
    assert _package().state is PackageState.CANCELLED
    client.post("/paquetes/1/cancelar")
    assert "está «Cancelado»: ya no se puede cancelar" in _text(client.get(PAGE))


def test_a_removed_package_has_no_file_to_download(analyst: Any, client: FlaskClient) -> None:
    _ask(client)
    run_jobs()
    client.post("/paquetes/1/eliminar")
    assert "Se eliminó el paquete n.º 1." in _text(client.get(PAGE))
    refused = client.get("/paquetes/1/descargar")
    assert refused.status_code == 302
    assert "está «Eliminado»: no hay archivo" in _text(client.get(PAGE))


def test_only_its_requester_and_an_admin_see_a_package(
    app: Flask, analyst: Any, client: FlaskClient
) -> None:
    _ask(client)
    run_jobs()
    other = BrowserLikeClient(app)
    assert login(other, create_user(Role.DIPRES).email).status_code == 302
    for path in ("/paquetes/1/descargar", "/paquetes/99999999999999999999/descargar"):
        assert other.get(path).status_code == 404
    for action in ("eliminar", "cancelar"):
        assert other.post(f"/paquetes/1/{action}").status_code == 404
    assert "Todavía no hay paquetes pedidos." in _text(other.get(PAGE))
    assert other.get("/paquetes/avance").get_json() == []

    admin = BrowserLikeClient(app)
    assert login(admin, create_user(Role.ADMIN).email).status_code == 302
    assert admin.get("/paquetes/1/descargar").status_code == 200
    assert analyst.name in _text(admin.get(PAGE))  # the admin sees who asked


@pytest.mark.parametrize("role", [Role.COORDINATOR])
def test_a_coordinator_cannot_ask_for_packages(
    app: Flask, client: FlaskClient, login_as: Any, role: Role
) -> None:
    institution = create_institution("1306")
    login_as(create_user(role, institutions=[institution]))
    assert client.get(PAGE).status_code == 403
    assert client.get("/paquetes/avance").status_code == 403


def test_a_request_without_its_form_token_is_refused(analyst: Any, client: FlaskClient) -> None:
    refused = client.post(PAGE, data={"ciclo": "2026"}, csrf=False)
    assert refused.status_code == 400
    assert db.session.scalars(select(EvidencePackage)).first() is None


def test_a_refused_request_is_said_above_the_form(analyst: Any, client: FlaskClient) -> None:
    refused = _ask(client, tipo="plan")
    assert refused.status_code == 422
    assert "Ninguna versión enviada del ciclo coincide con lo elegido" in _text(refused)
    assert db.session.scalars(select(EvidencePackage)).first() is None


def test_a_package_whose_file_is_gone_says_so_instead_of_failing(
    app: Flask, analyst: Any, client: FlaskClient
) -> None:
    _ask(client)
    run_jobs()
    name = _package().stored_name or ""
    (Path(app.config["PMG_PACKAGE_DIR"]) / name[:2] / name).unlink()
    assert client.get("/paquetes/1/descargar").status_code == 302
    assert "El archivo del paquete n.º 1 ya no está: pídalo de nuevo." in _text(client.get(PAGE))
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "package.download" not in actions
