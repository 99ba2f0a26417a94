"""The dashboard, the home of the Secretaría, DIPRES and the administration: its figures
against counts the test makes itself from a world built through the real operations
(several ministries, stages and states; late on both sides of each deadline; reviewers'
decisions at known times), its links and the lists they open, the cycle shown, who gets it,
and a number of statements that does not grow with the data."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from html import unescape
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from pmg.auth.models import User
from pmg.core.permissions import Role
from pmg.cycles.models import Cycle
from pmg.dashboard.figures import UNKNOWN_CYCLE
from pmg.dashboard.queries import Dashboard, dashboard
from pmg.dashboard.standing import STANDINGS, late, standing_is, taking_part
from pmg.extensions import db
from pmg.institutions.models import Institution, Ministry, Stage
from pmg.submissions.kinds import KINDS
from pmg.submissions.models import SubmissionKind
from pmg.submissions.operations import open_submission
from tests.dashboard.world import COUNTED, T0, VIEW, Place, World
from tests.exports.queries import counting_queries
from tests.factories import (
    create_cycle,
    create_institution,
    create_ministry,
    create_submitted_diagnostic,
    create_user,
    load_starting_catalog,
)
from tests.review.queue_data import approved

D, P = SubmissionKind.DIAGNOSTIC, SubmissionKind.PLAN


def expected(places: list[Place], kind: SubmissionKind) -> Counter[str]:
    """How many of ``places`` are in each standing with ``kind``, counted by the test."""
    return Counter(place.diagnostic if kind is D else place.plan for place in places)


def numbers(figures: Any) -> dict[str, int]:
    return {s.value: count.number for s, count in zip(STANDINGS, figures.standings, strict=True)}


def board(world: World, today: date = VIEW) -> Dashboard:
    db.session.expire_all()
    return dashboard(world.cycle, today)


# --- The figures ----------------------------------------------------------------------------


def test_the_standings_overall_by_ministry_and_by_stage(world: World) -> None:
    shown = board(world)
    zero = {standing.value: 0 for standing in STANDINGS}
    for kind, figures in zip((D, P), shown.kinds, strict=True):
        assert numbers(figures) == {**zero, **expected(COUNTED, kind)}
        assert figures.total == len(COUNTED) == 8
    diagnostic, plan = shown.kinds
    assert (diagnostic.sent, diagnostic.approved) == (6, 1)  # A, B, C, F, G, J
    assert (str(diagnostic.sent_pct), str(diagnostic.approved_pct)) == ("75.0", "12.5")
    assert (plan.sent, str(plan.sent_pct)) == (1, "12.5")

    assert [row.label for row in shown.ministries] == [
        "MINISTERIO DE EDUCACIÓN",
        "MINISTERIO DE HACIENDA",
        "MINISTERIO DE SALUD",
    ]
    for row in shown.ministries:
        mine = [p for p in COUNTED if f"MINISTERIO DE {p.ministry}" == row.label]
        for kind, figures in zip((D, P), row.kinds, strict=True):
            assert numbers(figures) == {**zero, **expected(mine, kind)}, row.label
    assert [row.label for row in shown.stages] == ["Etapa 1", "Etapa 2", "Etapa 3", "SAIP"]
    for row in shown.stages:
        mine = [p for p in COUNTED if p.stage.label == row.label]
        assert numbers(row.kinds[0]) == {**zero, **expected(mine, D)}, row.label
        assert row.kinds[0].late.number == sum(p.diagnostic_late for p in mine)


def test_late_on_both_sides_of_each_deadline(world: World) -> None:
    shown = board(world)
    late_ones = [p.name for p in COUNTED if p.diagnostic_late]
    assert [k.late.number for k in shown.kinds] == [len(late_ones), 0]  # the plan's is open
    diagnostic, plan = shown.overdue
    # The window closed on T0 (D, E: 3 days); B's correction deadline was T0 + 1 (2 days).
    assert [(row.name, row.days) for row in diagnostic.rows] == [
        ("ESCUELA D", 3),
        ("ESCUELA E", 3),
        ("HOSPITAL B", 2),
    ]
    assert diagnostic.rows[0].standing.label == "Borrador"
    assert (plan.count.number, plan.rows) == (0, ())

    # On the diagnostic's last day nothing unsent is late yet, nor B before its deadline.
    assert [k.late.number for k in board(world, T0).kinds] == [0, 0]
    assert [k.late.number for k in board(world, T0 + timedelta(days=1)).kinds] == [2, 0]
    # The day after the plan's window: every institution without a plan sent is late.
    after = board(world, VIEW + timedelta(days=1))
    assert after.kinds[1].late.number == len(COUNTED) - 1
    assert after.kinds[0].late.number == 4  # and C's correction deadline passed


def test_each_count_is_what_the_lists_conditions_select(world: World) -> None:
    shown = board(world)

    def selected(condition: Any, **filters: Any) -> int:
        query = select(func.count(Institution.id)).where(condition)
        for column, value in filters.items():
            query = query.where(getattr(Institution, column) == value)
        return db.session.scalar(query) or 0

    cycle = world.cycle
    for spec, figures in zip(KINDS.values(), shown.kinds, strict=True):
        for standing, count in zip(STANDINGS, figures.standings, strict=True):
            assert count.number == selected(standing_is(spec, cycle, standing)), standing
    for today in (T0, T0 + timedelta(days=1), VIEW, VIEW + timedelta(days=1)):
        on_that_day = board(world, today)
        for spec, figures, overdue in zip(
            KINDS.values(), on_that_day.kinds, on_that_day.overdue, strict=True
        ):
            assert figures.late.number == selected(late(spec, cycle, today)), (spec.slug, today)
            assert len(overdue.rows) == figures.late.number  # fewer than ten: all of them
    for row in shown.ministries:
        ministry_id = int(row.kinds[0].late.link.values["ministerio"])  # type: ignore[union-attr]
        for spec, figures in zip(KINDS.values(), row.kinds, strict=True):
            for standing, count in zip(STANDINGS, figures.standings, strict=True):
                condition = standing_is(spec, cycle, standing)
                assert count.number == selected(condition, ministry_id=ministry_id)
    assert selected(taking_part(cycle)) == len(COUNTED)


def test_the_reviewers_workload_and_median_days(world: World) -> None:
    bruno, nadia, rosa = board(world).workload  # the active reviewers, by name
    assert [bruno.name, nadia.name, rosa.name] == [
        "Bruno Revisor",
        "Nadia Revisora",
        "Rosa Revisora",
    ]
    # In review, resubmitted, observed, approved, rejected.
    assert [c.number for c in rosa.states] == [1, 0, 2, 1, 0]
    assert (rosa.assigned.number, rosa.pending, rosa.decided) == (4, 1, 1)
    assert (rosa.decisions, rosa.median_days) == (3, 2.0)  # 2, 1 and 5 days
    assert rosa.states[0].link is not None
    assert rosa.states[0].link.values == {"revisor": str(world.rosa.id), "estado": "in_review"}
    assert [c.number for c in bruno.states] == [0, 0, 0, 0, 1]
    assert (bruno.decisions, bruno.median_days) == (1, 3.0)
    assert (nadia.assigned.number, nadia.decisions, nadia.median_days) == (0, 0, None)


# --- The page -------------------------------------------------------------------------------

COUNT_LINK = re.compile(
    r'<a href="([^"]+)">([\d.]+)<span class="visually-hidden"> \((.+?)\)</span></a>'
)


def counted_links(html: str) -> dict[str, tuple[int, str, dict[str, str]]]:
    """Each count that links somewhere, by what it counts: its number, path and arguments."""
    found = {}
    for href, number, label in COUNT_LINK.findall(html):
        url = urlsplit(unescape(href))
        found[unescape(label)] = (
            int(number.replace(".", "")),
            url.path,
            dict(parse_qsl(url.query)),
        )
    return found


def page(client: FlaskClient, path: str = "/", status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def squeezed(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def listed(client: FlaskClient, path: str, world: World) -> set[str]:
    """The institutions of the world the list at ``path`` shows."""
    html = page(client, path)
    return {
        name
        for name, place in world.institutions.items()
        if f'/instituciones/{place.code}"' in html
    }


@pytest.mark.usefixtures("viewed_on_view_day")
def test_every_count_links_to_the_list_of_what_it_counts(
    world: World, client: FlaskClient, login_as: Any
) -> None:
    login_as(create_user(Role.DIPRES))
    html = page(client)
    links = counted_links(html)
    year = str(world.cycle.year)
    health = str(world.ministries["SALUD"].id)

    assert links["Diagnóstico de brechas: Con observaciones"] == (
        2,
        "/instituciones/",
        {"ciclo": year, "diagnostico": "observed"},
    )
    assert links["Diagnóstico de brechas · MINISTERIO DE SALUD: Con observaciones"] == (
        2,
        "/instituciones/",
        {"ciclo": year, "ministerio": health, "diagnostico": "observed"},
    )
    assert links["Plan de mejora · Etapa 2: Sin iniciar"] == (
        3,
        "/instituciones/",
        {"ciclo": year, "etapa": "etapa_2", "plan": "sin_iniciar"},
    )
    assert links["Diagnóstico de brechas · MINISTERIO DE EDUCACIÓN: atrasadas"] == (
        2,
        "/instituciones/",
        {
            "ciclo": year,
            "ministerio": str(world.ministries["EDUCACIÓN"].id),
            "atrasadas": "diagnostico",
        },
    )
    assert "Plan de mejora: atrasadas" not in links  # none: a zero is not a link

    # Each list a count opens shows exactly the institutions counted.
    for label, (number, path, args) in links.items():
        if path != "/instituciones/":
            continue
        query = "&".join(f"{key}={value}" for key, value in args.items())
        assert len(listed(client, f"{path}?{query}", world)) == number, label
    names = listed(client, f"/instituciones/?ciclo={year}&atrasadas=diagnostico", world)
    assert names == {p.name for p in COUNTED if p.diagnostic_late}

    text = squeezed(html)
    assert "Participan 8 instituciones" in text
    assert re.search(r"Enviados al menos una vez 6 \(75,0 %\) ?1 \(12,5 %\)", text)
    assert re.search(
        r"ESCUELA D \(\S+ · MINISTERIO DE EDUCACIÓN\)\. Borrador: el plazo de envío venció el "
        r"[^,]+, hace 3 días\.",
        text,
    )
    assert "Ninguna institución atrasada con el plan de mejora." in text
    assert "Mediana de días hasta la decisión" in text


@pytest.mark.usefixtures("viewed_on_view_day")
def test_a_reviewer_gets_the_dashboard_and_what_waits_for_them(
    world: World, client: FlaskClient, login_as: Any
) -> None:
    login_as(world.rosa)
    html = page(client)
    text = squeezed(html)
    assert "Avance del ciclo" in text
    assert "Tiene 1 envío asignado que espera su revisión." in text
    assert "Sin asignar: 2" in text  # J's diagnostic and A's plan
    links = counted_links(html)
    assert links["Rosa Revisora: Con observaciones"] == (
        2,
        "/revision/",
        {"revisor": str(world.rosa.id), "estado": "observed"},
    )
    assert links["Rosa Revisora: asignados"] == (4, "/revision/", {"revisor": str(world.rosa.id)})
    queue = page(client, f"/revision/?revisor={world.rosa.id}&estado=observed")
    assert "HOSPITAL B" in queue and "HOSPITAL C" in queue and "HOSPITAL A" not in queue


@pytest.mark.parametrize(("role", "unassigned"), [(Role.DIPRES, False), (Role.ADMIN, True)])
def test_dipres_and_admins_get_the_dashboard(
    world: World, client: FlaskClient, login_as: Any, role: Role, unassigned: bool
) -> None:
    login_as(create_user(role))
    text = squeezed(page(client))
    assert "Avance del ciclo" in text and "Carga de revisión" in text
    assert "espera su revisión" not in text
    assert ("Sin asignar: 2" in text) is unassigned


def test_a_coordinator_keeps_their_home(world: World, client: FlaskClient, login_as: Any) -> None:
    login_as(create_user(Role.COORDINATOR, institutions=[world.institutions["ESCUELA D"]]))
    html = page(client)
    assert "progress-card" in html
    assert "Avance del ciclo" not in html and 'name="ciclo"' not in html


def test_an_unknown_cycle_is_said_at_the_field(
    world: World, client: FlaskClient, login_as: Any
) -> None:
    login_as(create_user(Role.DIPRES))
    for asked in ("1999", "abc", "99999999999999999999"):
        html = page(client, f"/?ciclo={asked}", status=400)
        error = re.search(r'<p class="field-error" id="ciclo-error">(.*?)</p>', html, re.S)
        assert error is not None and squeezed(error.group(1)).strip() == f"Error: {UNKNOWN_CYCLE}"
        assert 'aria-invalid="true" aria-describedby="ciclo-error"' in html
        assert f"Avance del ciclo {world.cycle.year}" in html  # the current one, meanwhile


def test_another_cycle_is_shown_when_chosen(
    world: World, client: FlaskClient, login_as: Any
) -> None:
    earlier = create_cycle(world.cycle.year - 1, current=False)
    create_submitted_diagnostic(create_institution(name="SERVICIO DEL AÑO ANTERIOR"), earlier)
    login_as(world.rosa)
    html = page(client, f"/?ciclo={earlier.year}")
    text = squeezed(html)
    assert f"Avance del ciclo {earlier.year}" in text
    assert f'<option value="{earlier.year}" selected>' in html
    assert f'<option value="{world.cycle.year}">{world.cycle.year} (vigente)</option>' in html
    links = counted_links(html)
    assert links["Diagnóstico de brechas: Enviado"] == (
        1,
        "/instituciones/",
        {"ciclo": str(earlier.year), "diagnostico": "submitted"},
    )
    # The review queue lists the current cycle only: no link to it, nor what waits there.
    assert not any(path == "/revision/" for _, path, _ in links.values())
    assert "espera su revisión" not in text
    assert "La cola de revisión muestra solo el ciclo vigente" in text


@pytest.mark.parametrize(("role", "link"), [(Role.DIPRES, False), (Role.ADMIN, True)])
def test_without_any_cycle_the_page_says_so(
    app: Flask, client: FlaskClient, login_as: Any, role: Role, link: bool
) -> None:
    login_as(create_user(role))
    html = page(client)
    assert "Aún no hay ciclos definidos" in html
    assert ('href="/admin/ciclos/nuevo"' in html) is link
    assert "Avance del ciclo" not in html


# --- A fixed number of statements -----------------------------------------------------------


def _add(cycle: Cycle, count: int, reviewer: User, ministries: list[Ministry]) -> None:
    """``count`` more institutions in every standing, across ``ministries`` and stages."""
    stages = list(Stage)
    for number in range(count):
        institution = create_institution(
            ministry=ministries[number % len(ministries)], stage=stages[number % len(stages)]
        )
        if number % 4 == 1:
            open_submission(institution, cycle, D)
            db.session.commit()
        elif number % 4 == 2:
            create_submitted_diagnostic(institution, cycle)
        elif number % 4 == 3:
            approved(create_submitted_diagnostic(institution, cycle).submission, reviewer)


def _statements(client: FlaskClient) -> int:
    page(client)  # the indicator panel builds what it keeps once
    db.session.expire_all()
    with counting_queries() as statements:
        html = page(client)
    assert "Avance del ciclo" in html
    return len(statements)


def test_the_dashboard_runs_as_many_statements_for_40_institutions_as_for_5(
    app: Flask, client: FlaskClient, login_as: Any
) -> None:
    cycle = create_cycle()
    load_starting_catalog(cycle)
    ministries = [create_ministry() for _ in range(3)]
    first = create_user(Role.REVIEWER)
    _add(cycle, 5, first, ministries)
    login_as(create_user(Role.ADMIN))
    few = _statements(client)
    more_reviewers = [create_user(Role.REVIEWER) for _ in range(3)]
    _add(cycle, 35, more_reviewers[0], [*ministries, create_ministry(), create_ministry()])
    assert _statements(client) == few
