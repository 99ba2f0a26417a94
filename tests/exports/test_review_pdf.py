"""The «Revisión» section of a version: in its PDF and on its page."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pmg.cycles.models import Cycle
from pmg.exports.documents.pdf import render_version_pdf
from pmg.extensions import db
from pmg.review.operations import take
from tests.exports.reviews import (
    ANSWER,
    NOT_APPLICABLE_NOTE,
    OBSERVATION,
    Loop,
    answer_and_resubmit,
    approve,
    observe,
    start,
)
from tests.exports.test_pdf import flat, pages_text
from tests.factories import create_cycle, create_institution, load_starting_catalog

NOT_REVIEWED = "Esta versión aún no ha sido revisada."


def _text(version: Any) -> str:
    return flat("\n".join(pages_text(render_version_pdf(version))))


def _review_part(text: str) -> str:
    """From the section's title to the warnings that end the document."""
    return text[text.index("Revisión Catálogo") : text.rindex("Advertencias")]


@pytest.fixture
def cycle(app: Flask) -> Cycle:
    cycle = create_cycle(2026)
    load_starting_catalog(cycle)
    return cycle


@pytest.fixture
def loop(cycle: Cycle) -> Loop:
    return start(cycle, create_institution("1306", "Servicio Nacional de Prueba"))


def test_a_version_never_reviewed_says_so(loop: Loop) -> None:
    text = _text(loop.first)
    assert f"Revisión {NOT_REVIEWED}" in text
    assert "Ninguna observación se refiere a esta versión." in text
    assert "Carla Coordinadora Envío presentado Borrador › Enviado 1" in text


def test_observed_version_shows_verdicts_observation_answer_and_decision(loop: Loop) -> None:
    observe(loop, note="Hay requisitos por corregir.")
    second = answer_and_resubmit(loop)
    approve(loop, note="Todo en orden.")

    first = _review_part(_text(loop.first))
    assert NOT_REVIEWED not in first
    assert "Catálogo de requisitos técnicos Versión 1 Revisor/a Rosa Revisora" in first
    assert "Decisión Con observaciones Decidida por Rosa Revisora, el " in first
    assert "Fundamento Hay requisitos por corregir. Plazo para corregir y reenviar" in first
    assert f"R01 Responsable del sistema y equipo de trabajo No cumple {OBSERVATION}" in first
    assert "R02 Trámites y servicios relevantes identificados Cumple —" in first
    assert "R05" not in first  # not applicable to an institution without MESU
    # The observation's whole life: raised, answered by the coordinator, resolved in v2.
    assert f"Rosa Revisora Observación 1 {OBSERVATION}" in first
    assert f"Carla Coordinadora Respuesta 1 {ANSWER}" in first
    assert "Rosa Revisora Resuelta 2 —" in first
    # Its history up to the decision about it, and nothing of version 2.
    assert (
        "Rosa Revisora Envío observado En revisión › Con observaciones 1 "
        "Hay requisitos por corregir."
    ) in first
    assert "Reenviado" not in first

    last = _review_part(_text(second))
    assert "Decisión Aprobado Decidida por Rosa Revisora, el " in last
    assert "Fundamento Todo en orden." in last
    assert "Plazo para corregir" not in last
    assert f"R04 Canales de atención caracterizados No aplica {NOT_APPLICABLE_NOTE}" in last
    assert f"Carla Coordinadora Respuesta 1 {ANSWER}" in last
    assert "Carla Coordinadora Envío corregido y reenviado Con observaciones › Reenviado 2" in last
    assert (
        "Carla Coordinadora Envío corregido devuelto a quien lo revisó Reenviado › En revisión 2 "
        "Volvió automáticament"  # the note goes on, wrapped in its cell
    ) in last
    assert "Rosa Revisora Envío aprobado En revisión › Aprobado 2 Todo en orden." in last


def test_a_version_resubmitted_and_not_yet_decided_shows_the_answered_observation(
    loop: Loop,
) -> None:
    observe(loop)
    second = answer_and_resubmit(loop)

    text = _text(second)
    # Back with its reviewer: the review is in progress.
    assert "Revisor/a Rosa Revisora La revisión de esta versión está en curso" in text
    assert "R01 · Responsable del sistema y equipo de trabajo — Respondida" in text
    assert f"Carla Coordinadora Respuesta 1 {ANSWER}" in text


def test_a_review_in_progress_shows_the_reviewer_and_no_verdicts(loop: Loop) -> None:
    submission = loop.submission
    take(submission, loop.reviewer, submission.lock_version)
    db.session.commit()

    text = _text(loop.first)
    assert "Revisor/a Rosa Revisora La revisión de esta versión está en curso" in text
    assert "Cumple" not in text
    assert "Rosa Revisora Envío tomado para revisión Enviado › En revisión 1" in text


FORMULA = '=HYPERLINK("http://example.com","clic")'


def test_text_typed_like_a_formula_or_markup_is_shown_as_typed(
    loop: Loop, client: FlaskClient, login_as: Any
) -> None:
    observe(loop, note="=1+1", text=FORMULA + " <b>negrita</b>")

    review = _review_part(_text(loop.first))
    assert "Fundamento =1+1" in review
    assert f"No cumple {FORMULA} <b>negrita</b>" in review
    login_as(loop.coordinator)
    page = client.get("/instituciones/1306/2026/diagnostico/v1").get_data(as_text=True)
    assert '<h2 id="version-revision">Revisión</h2>' in page
    assert (
        "=HYPERLINK(&#34;http://example.com&#34;,&#34;clic&#34;) &lt;b&gt;negrita&lt;/b&gt;" in page
    )
    assert "<b>negrita</b>" not in page
