"""Breadcrumbs: the trail of each page from its endpoint and URL values, and the layout that
shows it."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pmg.core.permissions import Role
from pmg.institutions.models import Institution
from pmg.workspace.navigation import TRAILS, Crumb, trail
from tests.factories import create_cycle, create_institution, create_user

RIEGO = "COMISION NACIONAL DE RIEGO"
HOME = Crumb("Inicio", "/")
INSTITUTIONS = Crumb("Instituciones", "/instituciones/")


@pytest.fixture
def riego(app: Flask) -> Institution:
    create_cycle(2026)
    return create_institution("1306", RIEGO)


def trail_of(app: Flask, user: Any, endpoint: str | None, **args: Any) -> list[Crumb]:
    with app.test_request_context():
        return trail(endpoint, args, user)


def test_a_version_sits_under_its_submission_and_institution(
    app: Flask, riego: Institution
) -> None:
    coordinator = create_user(Role.COORDINATOR, institutions=[riego])

    version = {"code": "1306", "year": 2026, "slug": "diagnostico", "number": 2}

    crumbs = trail_of(app, coordinator, "submissions.version", **version)

    assert crumbs == [
        HOME,
        INSTITUTIONS,
        Crumb(RIEGO, "/instituciones/1306"),
        Crumb("Diagnóstico 2026", "/instituciones/1306/2026/diagnostico/"),
        Crumb("Versión 2", "/instituciones/1306/2026/diagnostico/v2"),
    ]


def test_the_form_is_the_current_cycles_submission(app: Flask, riego: Institution) -> None:
    coordinator = create_user(Role.COORDINATOR, institutions=[riego])

    crumbs = trail_of(app, coordinator, "submissions.check", code="1306", slug="plan")

    assert crumbs == [
        HOME,
        INSTITUTIONS,
        Crumb(RIEGO, "/instituciones/1306"),
        Crumb("Plan de mejora 2026", "/instituciones/1306/plan"),
        Crumb("Revisar y enviar", "/instituciones/1306/plan/revisar"),
    ]


def test_a_review_sits_under_the_queue(app: Flask, riego: Institution) -> None:
    reviewer = create_user(Role.REVIEWER)

    crumbs = trail_of(app, reviewer, "review.page", code="1306", year=2026, slug="diagnostico")

    assert crumbs == [
        HOME,
        Crumb("Revisión", "/revision/"),
        Crumb(f"{RIEGO} · Diagnóstico 2026", "/revision/1306/2026/diagnostico"),
    ]


@pytest.mark.parametrize(
    ("endpoint", "args", "labels"),
    [
        ("dashboard.institutions", {}, ["Instituciones"]),
        ("institutions.edit", {"code": "1306"}, ["Instituciones", RIEGO, "Editar"]),
        ("institutions.import_catalog", {}, ["Instituciones", "Importar catálogo"]),
        ("auth.edit_user", {"user_id": 7}, ["Usuarios", "Editar usuario"]),
        ("auth.import_users", {}, ["Usuarios", "Importar coordinadores"]),
        (
            "submissions.confirm",
            {"code": "1306", "slug": "diagnostico"},
            ["Instituciones", RIEGO, "Diagnóstico 2026", "Revisar y enviar", "Confirmar el envío"],
        ),
        ("cycles.edit", {"year": 2026}, ["Ciclos", "Editar ciclo 2026"]),
        ("requirements.edit", {"year": 2026}, ["Requisitos técnicos", "Ciclo 2026", "Editar"]),
        ("audit.index", {}, ["Auditoría"]),
    ],
)
def test_trails_of_pages_below_home(
    app: Flask, riego: Institution, endpoint: str, args: dict[str, Any], labels: list[str]
) -> None:
    crumbs = trail_of(app, create_user(Role.ADMIN), endpoint, **args)

    assert [crumb.label for crumb in crumbs] == ["Inicio", *labels]


@pytest.mark.parametrize(
    ("endpoint", "args"),
    [
        ("workspace.home", {}),
        ("auth.login", {}),
        ("static", {"filename": "css/app.css"}),
        (None, {}),
        ("submissions.versions", {"code": "1306", "year": 2026, "slug": "otro"}),
        ("institutions.detail", {"code": "0000"}),
    ],
)
def test_home_unknown_pages_and_missing_objects_have_no_trail(
    app: Flask, riego: Institution, endpoint: str | None, args: dict[str, Any]
) -> None:
    assert trail_of(app, create_user(Role.ADMIN), endpoint, **args) == []


def test_another_coordinators_institution_has_no_trail(app: Flask, riego: Institution) -> None:
    stranger = create_user(Role.COORDINATOR)

    assert trail_of(app, stranger, "institutions.detail", code="1306") == []


def test_every_trail_is_of_a_route(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}

    assert set(TRAILS) <= endpoints


def test_the_layout_shows_the_trail_with_the_current_page_last(
    client: FlaskClient, login_as: Any, riego: Institution
) -> None:
    login_as(create_user(Role.ADMIN))

    html = client.get("/instituciones/1306/editar").get_data(as_text=True)

    assert '<nav aria-label="Ruta de navegación" class="wrap breadcrumbs">' in html
    assert f'<li><a href="/instituciones/1306">{RIEGO}</a></li>' in html
    assert '<li><a href="/instituciones/1306/editar" aria-current="page">Editar</a></li>' in html


def test_an_error_page_shows_no_trail(
    client: FlaskClient, login_as: Any, riego: Institution
) -> None:
    """An error page has no trail: the URL of a 404 may name what does not exist."""
    login_as(create_user(Role.ADMIN))

    response = client.get("/instituciones/1306/2026/diagnostico/v9")

    assert response.status_code == 404
    assert "Ruta de navegación" not in response.get_data(as_text=True)
    assert RIEGO not in response.get_data(as_text=True)
