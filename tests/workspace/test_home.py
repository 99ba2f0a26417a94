"""Each person's home page through HTTP: a coordinator's cards, the dashboard of the
Secretaría and DIPRES (in depth: tests/dashboard/test_home.py) with what waits for a
reviewer, the steps on an institution's page, and a fixed number of queries."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from pmg.core.filters import format_date
from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.review.operations import take
from pmg.submissions.models import SubmissionKind
from pmg.submissions.operations import open_submission
from pmg.workspace.status import NO_CYCLE, NO_INSTITUTION
from tests.exports.queries import counting_computed
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_submitted_plan,
    create_user,
    load_starting_catalog,
    observe,
)


def page_text(client: FlaskClient, path: str = "/") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def squeezed(html: str) -> str:
    """The page's text with single spaces, for sentences split by markup or line breaks."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def current_steps(html: str) -> list[str]:
    """The text of each step marked as the current one."""
    found = re.findall(r'<li class="step step-current" aria-current="step">(.*?)</li>', html, re.S)
    return [squeezed(step).strip() for step in found]


# --- A coordinator's home ----------------------------------------------------------------


def test_coordinator_sees_a_card_per_institution_with_its_next_step(
    app: Flask, client: FlaskClient, login_as: Any
) -> None:
    cycle = create_cycle()
    load_starting_catalog(cycle)
    observed = create_institution("1306", name="Servicio Observado")
    fresh = create_institution("2201", name="Servicio Nuevo")
    coordinator = create_user(Role.COORDINATOR, institutions=[observed, fresh])
    submission = create_submitted_diagnostic(observed, cycle, coordinator).submission
    first, second = observe(
        submission, create_user(Role.REVIEWER), {"R01": "Falta el equipo.", "R06": "Sin causas."}
    )
    due = format_date(submission.correction_deadline)
    login_as(coordinator)

    html = page_text(client)
    text = squeezed(html)

    assert f"Responda 2 observaciones del diagnóstico de brechas antes del {due}." in text
    assert f'href="/instituciones/1306/diagnostico#observacion-{first.id}"' in html
    assert f'href="/instituciones/1306/diagnostico#observacion-{second.id}"' in html
    assert "Falta el equipo." in text and "Sin causas." in text
    assert "Última versión Versión 1 del diagnóstico de brechas, enviada el" in text
    end = format_date(cycle.diagnostic_end)
    assert f"Complete el diagnóstico de brechas: el plazo de envío vence el {end}." in text
    assert 'href="/instituciones/2201/diagnostico">Completar el diagnóstico de brechas</a>' in html
    assert html.count('aria-current="step"') == 2
    assert current_steps(html) == [  # the institutions by name
        "Diagnóstico: En curso · Sin comenzar",
        "Diagnóstico: En curso · Con observaciones, versión 1",
    ]


def test_coordinator_without_institutions_is_told_to_ask_for_one(
    app: Flask, client: FlaskClient, login_as: Any
) -> None:
    create_cycle()
    coordinator = create_user(Role.COORDINATOR)
    coordinator.institutions = []
    db.session.commit()
    login_as(coordinator)
    assert NO_INSTITUTION in page_text(client)


def test_coordinator_without_a_current_cycle_is_told_there_is_nothing_to_send(
    app: Flask, client: FlaskClient, login_as: Any
) -> None:
    create_cycle(current=False)
    login_as(create_user(Role.COORDINATOR))
    html = page_text(client)
    assert NO_CYCLE in html
    assert "progress-card" not in html


# --- The Secretaría and DIPRES ------------------------------------------------------------


def _queue_world() -> dict[str, Any]:
    """Three sent diagnostics: one taken by Rosa, one by another reviewer, one by nobody;
    and one draft."""
    cycle = create_cycle()
    load_starting_catalog(cycle)
    rosa, other = create_user(Role.REVIEWER, name="Rosa"), create_user(Role.REVIEWER)
    submissions = [
        create_submitted_diagnostic(create_institution(), cycle).submission for _ in range(3)
    ]
    take(submissions[0], rosa, submissions[0].lock_version)
    take(submissions[1], other, submissions[1].lock_version)
    open_submission(create_institution(), cycle, SubmissionKind.DIAGNOSTIC)
    db.session.commit()
    return {"cycle": cycle, "rosa": rosa, "submissions": submissions}


def test_reviewer_sees_what_waits_for_them_and_what_nobody_took(
    app: Flask, client: FlaskClient, login_as: Any
) -> None:
    world = _queue_world()
    rosa = world["rosa"]
    login_as(rosa)
    html = page_text(client)
    text = squeezed(html)
    assert "Tiene 1 envío asignado que espera su revisión." in text
    assert "En revisión por usted: 1" in text
    assert "Reenviados con correcciones: 0" in text
    assert "Sin asignar: 1" in text
    mine = f"/revision/?estado=in_review&amp;revisor={rosa.id}"
    assert f'href="{mine}"' in html
    assert 'href="/revision/?revisor=0"' in html
    assert "Avance del ciclo" in text  # the dashboard, under what waits for them

    queue = page_text(client, mine.replace("&amp;", "&"))
    assert world["submissions"][0].institution.name in queue
    assert world["submissions"][1].institution.name not in queue
    unassigned = page_text(client, "/revision/?revisor=0")
    assert world["submissions"][2].institution.name in unassigned
    assert world["submissions"][0].institution.name not in unassigned


def test_dipres_sees_the_institutions_by_state_and_kind(
    app: Flask, client: FlaskClient, login_as: Any
) -> None:
    world = _queue_world()
    login_as(create_user(Role.DIPRES))
    html = page_text(client)
    table = html[
        html.index('id="por-estado"') : html.index("</table>", html.index('id="por-estado"'))
    ]
    # Diagnóstico, plan: each cell's number (a link also names what it counts, hidden).
    rows = {
        squeezed(match.group(1)).strip(): [
            squeezed(cell).split()[0] for cell in re.findall(r"<td[^>]*>(.*?)</td>", match.group(2))
        ]
        for match in re.finditer(r'<th scope="row">(.*?)</th>(.*?)</tr>', table, re.S)
    }
    assert rows["Sin iniciar"] == ["0", "4"]
    assert rows["Borrador"] == ["1", "0"]
    assert rows["Enviado"] == ["1", "0"] and rows["En revisión"] == ["2", "0"]
    year = world["cycle"].year
    assert f'href="/instituciones/?ciclo={year}&amp;diagnostico=in_review"' in html
    assert f'href="/instituciones/?ciclo={year}&amp;plan=sin_iniciar"' in html
    assert "Sin asignar" not in html  # DIPRES assigns nothing


def test_admin_sees_the_counts_and_what_is_unassigned(
    app: Flask, client: FlaskClient, login_as: Any
) -> None:
    _queue_world()
    login_as(create_user(Role.ADMIN))
    text = squeezed(page_text(client))
    assert "Sin asignar: 1 (enviados que nadie ha tomado; puede asignarlos)" in text
    assert "Avance del ciclo" in text and "Carga de revisión" in text


# --- The institution's page ----------------------------------------------------------------


def test_institution_page_shows_the_steps(app: Flask, client: FlaskClient, login_as: Any) -> None:
    cycle = create_cycle()
    institution = create_institution("1306")
    coordinator = create_user(Role.COORDINATOR, institutions=[institution])
    create_submitted_plan(institution, cycle, coordinator)
    login_as(coordinator)
    html = page_text(client, "/instituciones/1306")
    assert current_steps(html) == ["Revisión: En curso · Esperando revisión"]
    assert "Espere la revisión del diagnóstico de brechas (enviado el" in squeezed(html)


def test_staff_see_the_steps_without_the_coordinators_next_step(
    app: Flask, client: FlaskClient, login_as: Any
) -> None:
    create_cycle()
    create_institution("1306")
    login_as(create_user(Role.DIPRES))
    html = page_text(client, "/instituciones/1306")
    assert current_steps(html) == ["Diagnóstico: En curso · Sin comenzar"]
    assert "Próximo paso" not in html


# --- A fixed number of queries ------------------------------------------------------------


def _coordinator_of(count: int, cycle: Any) -> Any:
    """A coordinator of ``count`` institutions, each with an observed diagnostic and a plan
    draft."""
    institutions = [create_institution() for _ in range(count)]
    coordinator = create_user(Role.COORDINATOR, institutions=institutions)
    reviewer = create_user(Role.REVIEWER)
    codes = ["R01", "R02", "R03", "R04", "R06"]  # a different pair of requirements each
    for number, institution in enumerate(institutions):
        submission = create_submitted_diagnostic(institution, cycle, coordinator).submission
        pair = codes[number % 5], codes[(number + 1) % 5]
        observe(submission, reviewer, {code: f"Corrija {code}." for code in pair})
        open_submission(institution, cycle, SubmissionKind.PLAN)
    db.session.commit()
    return coordinator


def _statements(client: FlaskClient, login_as: Any, coordinator: Any) -> int:
    client.post("/salir")
    login_as(coordinator)
    db.session.expire_all()
    with counting_computed() as statements:
        html = page_text(client)
    assert "Responda 2 observaciones" in html
    return len(statements)


def test_home_runs_as_many_queries_for_many_institutions_as_for_one(
    app: Flask, client: FlaskClient, login_as: Any
) -> None:
    cycle = create_cycle()
    load_starting_catalog(cycle)
    one, four = _coordinator_of(1, cycle), _coordinator_of(4, cycle)
    assert _statements(client, login_as, one) == _statements(client, login_as, four)
