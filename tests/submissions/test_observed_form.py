"""The coordinator's form after observations: the reviewer's decision at the top, and each
observation beside what it points at (a section, a field, a field of one row)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pmg.core.filters import format_date
from pmg.core.permissions import Role
from pmg.diagnostics.schema import SECTIONS
from pmg.extensions import db
from pmg.submission_pages.observations import locate
from pmg.submissions.forms import content_form_class
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
    diagnostic_draft,
    load_starting_catalog,
    observe,
    with_gap_keys,
)

FORM = "/instituciones/1306/diagnostico"
# Where each observation points, by requirement code.
PATHS = {
    "R01": "responsible.team",  # a field
    "R02": "",  # the requirement as a whole: its first section, procedures
    "R03": "complaints.received",  # a field of the indicator table
    "R04": "channels",  # a section
    "R06": "gaps.brecha-2.causes",  # a field of one row, by the row's key
}


@pytest.mark.parametrize(
    ("path", "concerns", "section", "field_id", "where"),
    [
        ("complaints", [], "complaints", None, "Reclamos"),
        (
            "complaints.received",
            [],
            "complaints",
            "complaints-received",
            "Reclamos · Reclamos recibidos en el año",
        ),
        ("gaps.brecha-2.causes", [], "gaps", "gaps-1-causes", "Brecha 2 · Causas"),
        (
            "channels.1.volume",
            [],
            "channels",
            "channels-1-volume",
            "Canal 2 · Atenciones en el año",
        ),
        ("", ["satisfaction", "complaints", "saip"], "complaints", None, "Reclamos"),
        ("gaps.brecha-9.causes", [], "gaps", None, "Brechas"),  # a row removed since
        ("gaps.brecha-1.key", [], "gaps", None, "Brechas"),  # a row's key is no field
        ("responsible.nothing", [], "responsible", None, "Responsable y equipo de trabajo"),
        ("satisfaction.0.analysis", ["gaps"], "gaps", None, "Brechas"),  # not asked
        ("", [], None, None, ""),
    ],
)
def test_an_observation_points_at_its_section_or_field(
    app: Flask,
    path: str,
    concerns: list[str],
    section: str | None,
    field_id: str | None,
    where: str,
) -> None:
    sections = tuple(s for s in SECTIONS if s.key != "satisfaction")
    with app.test_request_context():
        form = content_form_class(sections)(data=with_gap_keys(diagnostic_draft()))
        place = locate(form, sections, path, concerns)
    assert (place.section.key if place.section else None) == section
    assert (place.field.id if place.field is not None else None) == field_id
    assert place.where == where


@pytest.fixture
def observed(app: Flask) -> dict[str, Any]:
    """A diagnostic sent back with an observation on R01, R02, R03, R04 and R06, each
    pointing where :data:`PATHS` says."""
    cycle = create_cycle(2026)
    load_starting_catalog(cycle)
    institution = create_institution("1306")
    coordinator = create_user(Role.COORDINATOR, institutions=[institution])
    reviewer = create_user(Role.REVIEWER, name="Rosa Revisora")
    draft = with_gap_keys(diagnostic_draft())
    submission = create_submitted_diagnostic(institution, cycle, coordinator, draft).submission
    observations = observe(submission, reviewer, {code: f"Corrija {code}." for code in PATHS})
    by_code = {o.requirement.code: o for o in observations}
    for code, path in PATHS.items():
        by_code[code].path = path
    db.session.commit()
    return {"coordinator": coordinator, "submission": submission, "by_code": by_code}


def _form(client: FlaskClient, login_as: Any, observed: dict[str, Any]) -> str:
    """The form page as the coordinator of ``observed`` sees it."""
    login_as(observed["coordinator"])
    return client.get(FORM).get_data(as_text=True)


def _section(page: str, key: str) -> str:
    start = page.index(f'<section id="seccion-{key}"')
    return page[start : page.index("</section>", start)]


def _described_by(page: str, field_id: str) -> list[str]:
    tag = re.search(rf'<(?:input|textarea|select)[^>]*\bid="{field_id}"[^>]*>', page)
    assert tag, field_id
    described = re.search(r'aria-describedby="([^"]*)"', tag.group(0))
    return described.group(1).split() if described else []


def test_the_decision_and_every_observation_open_the_form(
    client: FlaskClient, login_as, observed: dict[str, Any]
) -> None:
    page = _form(client, login_as, observed)
    panel = page[page.index('<section aria-labelledby="observaciones"') :]
    panel = panel[: panel.index("</section>")]
    assert page.index('id="observaciones"') < page.index('id="seccion-responsible"')
    text = " ".join(re.sub(r"<[^>]+>", " ", panel).split())
    assert "Decisión Con observaciones" in text
    assert "Fundamento Hay requisitos por corregir." in text
    assert "Decidida por Rosa Revisora, el " in text
    deadline = format_date(observed["submission"].correction_deadline)
    assert f"Plazo para corregir y reenviar hasta el {deadline}" in text
    for code, observation in observed["by_code"].items():
        assert f'<article id="observacion-{observation.id}"' in panel
        assert f"Corrija {code}." in panel
        assert f'<textarea id="respuesta-{observation.id}"' in panel


def test_each_observation_links_to_its_section_and_field(
    client: FlaskClient, login_as, observed: dict[str, Any]
) -> None:
    page = _form(client, login_as, observed)
    by_code = observed["by_code"]

    def place(code: str) -> str:
        article = page[page.index(f'<article id="observacion-{by_code[code].id}"') :]
        article = article[: article.index("</article>")]
        found = re.search(r'<p class="observation-place">(.*?)</p>', article, re.S)
        assert found, code
        return " ".join(found.group(1).split())

    note = "#observacion-{}-nota"
    assert place("R01") == (
        'Dónde: <a href="#seccion-responsible">Responsable y equipo de trabajo</a> › '
        f'<a href="{note.format(by_code["R01"].id)}">Responsable y equipo de trabajo · '
        "Equipo de trabajo</a>"
    )
    assert place("R06") == (
        f'Dónde: <a href="#seccion-gaps">Brechas</a> › '
        f'<a href="{note.format(by_code["R06"].id)}">Brecha 2 · Causas</a>'
    )
    assert place("R04") == 'Dónde: <a href="#seccion-channels">Canales de atención</a>'
    assert place("R02") == (
        'Dónde: <a href="#seccion-procedures">Trámites y servicios relevantes</a>'
    )


@pytest.mark.parametrize(
    ("code", "field_id"),
    [("R01", "responsible-team"), ("R03", "complaints-received"), ("R06", "gaps-1-causes")],
)
def test_a_field_shows_its_observation_beside_its_input(
    client: FlaskClient, login_as, observed: dict[str, Any], code: str, field_id: str
) -> None:
    page = _form(client, login_as, observed)
    observation = observed["by_code"][code]
    note = f'<p id="observacion-{observation.id}-nota">'
    assert page.count(note) == 1
    assert f"observacion-{observation.id}-nota" in _described_by(page, field_id)
    start = page.index(note)
    tag = re.compile(rf'<(?:input|textarea)[^>]*\bid="{field_id}"')
    between = page[start : tag.search(page, start).start()]
    assert f"Corrija {code}." in between
    assert "<input" not in between and "<textarea" not in between  # the next input is its own
    assert f'href="#observacion-{observation.id}"' in between  # and back to the answer


@pytest.mark.parametrize(("code", "section"), [("R02", "procedures"), ("R04", "channels")])
def test_an_observation_on_a_section_shows_at_its_top(
    client: FlaskClient, login_as, observed: dict[str, Any], code: str, section: str
) -> None:
    page = _form(client, login_as, observed)
    observation = observed["by_code"][code]
    top = _section(page, section)
    top = top[: top.index("<fieldset")]
    assert f'<p id="observacion-{observation.id}-nota">' in top
    assert f"Corrija {code}." in top


def test_a_field_with_no_observation_is_described_as_before(
    client: FlaskClient, login_as, observed: dict[str, Any]
) -> None:
    page = _form(client, login_as, observed)
    assert _described_by(page, "responsible-name") == []
    assert _described_by(page, "complaints-mean_days") == ["complaints-mean_days-ayuda"]
    assert _described_by(page, "gaps-0-causes") == []


def test_a_resolved_observation_leaves_the_fields(
    client: FlaskClient, login_as, observed: dict[str, Any]
) -> None:
    from pmg.review.models import ObservationState

    observed["by_code"]["R01"].state = ObservationState.RESOLVED
    db.session.commit()
    page = _form(client, login_as, observed)
    observation = observed["by_code"]["R01"]
    assert f'id="observacion-{observation.id}-nota"' not in page
    assert _described_by(page, "responsible-team") == ["responsible-team-ayuda"]
    resolved = page[page.index('<details class="resolved-observations">') :]
    assert f'<article id="observacion-{observation.id}"' in resolved
