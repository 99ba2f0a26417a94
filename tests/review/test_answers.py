"""The coordinator's answers to observations: boxes of the form page, saved with it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.review.answers import answer_observations, typed_answers
from pmg.review.models import ObservationAction, ObservationState
from pmg.review.queries import observations_of
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
    load_starting_catalog,
    observe,
)
from tests.submissions.pages import post_page, saved_draft

FORM = "/instituciones/1306/diagnostico"


@pytest.fixture
def observed(app: Flask) -> dict[str, Any]:
    """A diagnostic sent back with two observations (R01 and R03)."""
    cycle = create_cycle()
    load_starting_catalog(cycle)
    institution = create_institution("1306")
    coordinator = create_user(Role.COORDINATOR, institutions=[institution])
    reviewer = create_user(Role.REVIEWER)
    submission = create_submitted_diagnostic(institution, cycle, coordinator).submission
    notes = {"R01": "Complete el equipo.", "R03": "Falta el año de referencia."}
    first, second = observe(submission, reviewer, notes)
    return {"coordinator": coordinator, "submission": submission, "first": first, "second": second}


def _answers(observed: dict[str, Any]) -> list[tuple[ObservationState, str]]:
    db.session.expire_all()
    return [(o.state, o.answer) for o in observations_of(observed["submission"])]


def _box(observation: Any) -> str:
    return f"respuesta-{observation.id}"


def test_saving_the_form_keeps_every_answer_typed(
    client: FlaskClient, login_as, observed: dict[str, Any]
) -> None:
    login_as(observed["coordinator"])
    typed = {_box(observed["first"]): "Se agregó el equipo.", _box(observed["second"]): "Listo."}
    response = post_page(client, FORM, saved_draft(), "guardar", **typed)
    assert response.status_code == 302
    assert _answers(observed) == [
        (ObservationState.ANSWERED, "Se agregó el equipo."),
        (ObservationState.ANSWERED, "Listo."),
    ]
    page = client.get(FORM).get_data(as_text=True)
    assert re.findall(r'<p class="flash flash-success">(.*?)</p>', page) == [
        "Se guardó el borrador.",
        "Se guardó la respuesta a la observación de R01.",
        "Se guardó la respuesta a la observación de R03.",
    ]


def test_saving_one_answer_keeps_the_others_and_the_draft(
    client: FlaskClient, login_as, observed: dict[str, Any]
) -> None:
    login_as(observed["coordinator"])
    draft = saved_draft()
    draft["responsible"]["team"] = "Equipo escrito antes de responder"
    first, second = observed["first"], observed["second"]
    typed = {_box(first): "Primera respuesta.", _box(second): "Segunda, escrita a la vez."}
    response = post_page(client, FORM, draft, f"responder:{first.id}", **typed)
    assert response.headers["Location"] == f"{FORM}#observacion-{first.id}"
    assert _answers(observed) == [
        (ObservationState.ANSWERED, "Primera respuesta."),
        (ObservationState.ANSWERED, "Segunda, escrita a la vez."),
    ]
    assert saved_draft()["responsible"]["team"] == "Equipo escrito antes de responder"


def test_the_answer_button_of_an_empty_box_says_so_at_that_box(
    client: FlaskClient, login_as, observed: dict[str, Any]
) -> None:
    login_as(observed["coordinator"])
    first, second = observed["first"], observed["second"]
    typed = {_box(first): "  ", _box(second): "Respuesta a la otra."}
    response = post_page(client, FORM, saved_draft(), f"responder:{first.id}", **typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert (
        f'<p class="field-error" id="respuesta-{first.id}-error">'
        '<span class="visually-hidden">Error:</span> '
        "Escriba la respuesta: qué corrigió y en qué sección.</p>"
    ) in page
    assert f'aria-describedby="respuesta-{first.id}-ayuda respuesta-{first.id}-error"' in page
    assert "Escriba la respuesta" not in page[: page.index('id="observaciones"')]
    assert _answers(observed) == [
        (ObservationState.OPEN, ""),
        (ObservationState.ANSWERED, "Respuesta a la otra."),
    ]


def test_a_refused_answer_comes_back_as_typed_and_the_page_can_be_saved_again(
    client: FlaskClient, login_as, observed: dict[str, Any]
) -> None:
    login_as(observed["coordinator"])
    first, second = observed["first"], observed["second"]
    too_long = "Respuesta muy larga. " * 200  # 4,200 characters, past the 4,000 allowed
    typed = {_box(first): too_long, _box(second): "Respuesta corta."}
    response = post_page(client, FORM, saved_draft(), "guardar", **typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f">\n{too_long}</textarea>" in page
    assert "Respuesta: use como máximo 4000 caracteres." in page
    assert 'data-aviso-cambios="sin-guardar"' in page
    assert _answers(observed) == [
        (ObservationState.OPEN, ""),
        (ObservationState.ANSWERED, "Respuesta corta."),
    ]
    lock_version = re.search(r'name="lock_version" type="hidden" value="(\d+)"', page).group(1)
    typed[_box(first)] = "Ahora sí, breve."
    again = post_page(client, FORM, saved_draft(), "guardar", lock_version=lock_version, **typed)
    assert again.status_code == 302
    assert _answers(observed)[0] == (ObservationState.ANSWERED, "Ahora sí, breve.")


def test_an_empty_box_is_left_alone_when_the_form_is_saved(
    client: FlaskClient, login_as, observed: dict[str, Any]
) -> None:
    login_as(observed["coordinator"])
    post_page(client, FORM, saved_draft(), "guardar", **{_box(observed["first"]): ""})
    assert client.get(FORM).get_data(as_text=True).count('class="field-error"') == 0
    assert _answers(observed)[0] == (ObservationState.OPEN, "")


def test_an_unchanged_answer_is_not_recorded_again(
    client: FlaskClient, login_as, observed: dict[str, Any]
) -> None:
    login_as(observed["coordinator"])
    typed = {_box(observed["first"]): "Se agregó el equipo."}
    post_page(client, FORM, saved_draft(), "guardar", **typed)
    post_page(client, FORM, saved_draft(), "guardar", **typed)
    db.session.expire_all()
    answers = [e for e in observed["first"].entries if e.action is ObservationAction.ANSWER]
    assert len(answers) == 1


def test_the_page_shows_the_answer_boxes_inside_the_form(
    client: FlaskClient, login_as, observed: dict[str, Any]
) -> None:
    login_as(observed["coordinator"])
    first = observed["first"]
    post_page(client, FORM, saved_draft(), "guardar", **{_box(first): "Texto\nen dos líneas"})
    page = client.get(FORM).get_data(as_text=True)
    form = page[page.index('<form method="post" enctype="multipart/form-data"') :]
    box = form.index(f'<textarea id="respuesta-{first.id}" name="respuesta-{first.id}"')
    assert box < form.index("</form>")
    assert "Texto\nen dos líneas</textarea>" in form
    assert (
        f'<button type="submit" name="accion" value="responder:{first.id}" '
        'class="button secondary">Guardar respuesta'
    ) in form


@pytest.mark.parametrize(
    ("formdata", "expected"),
    [
        ({"respuesta-12": "Sí", "accion": "guardar"}, {12: "Sí"}),
        ({"respuesta-": "x", "respuesta-abc": "x", "respuesta--1": "x"}, {}),
        ({"respuesta-" + "9" * 20: "x"}, {}),
        ({"respuesta-7": "  con espacios \n"}, {7: "  con espacios \n"}),
    ],
)
def test_typed_answers_reads_only_answer_boxes(
    formdata: dict[str, str], expected: dict[int, str]
) -> None:
    assert typed_answers(formdata) == expected


def test_answers_of_another_submission_or_state_are_ignored(
    observed: dict[str, Any],
) -> None:
    submission, coordinator = observed["submission"], observed["coordinator"]
    saved = answer_observations(submission, {999_999: "Ajena"}, coordinator)
    assert (saved.answered, saved.problems) == ([], {})
    assert [state for state, _ in _answers(observed)] == [ObservationState.OPEN] * 2
