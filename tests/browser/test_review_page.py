"""A reviewer reviews on one page, on a desktop and on a phone: the content beside its
requirement, an observation pointed at a field, the confirmation of the decision, and
nothing typed lost by going back from it."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import expect

from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.review import operations
from pmg.review.queries import observations_of
from pmg.submissions.models import SubmissionState
from tests.browser.signing import sign_in
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
    load_starting_catalog,
)

pytestmark = pytest.mark.browser

NOTE = "Falta el cargo de cada integrante del equipo."
FIELD = "Responsable y equipo de trabajo · Equipo de trabajo"


def _box(locator: Any) -> dict[str, float]:
    box = locator.bounding_box()
    assert box is not None
    return box


def test_a_reviewer_observes_a_field_beside_the_content_and_confirms(screen_page: Any) -> None:
    page = screen_page
    cycle = create_cycle(date.today().year)
    load_starting_catalog(cycle)
    institution = create_institution("1306", "COMISION NACIONAL DE RIEGO")
    reviewer = create_user(Role.REVIEWER, name="Rosa Revisora")
    submission = create_submitted_diagnostic(institution, cycle).submission
    operations.take(submission, reviewer, submission.lock_version)
    db.session.commit()
    sign_in(page, reviewer, f"/revision/1306/{cycle.year}/diagnostico")

    # The content and the requirement that reviews it, side by side or one after the other.
    content = page.get_by_role("region", name="Responsable y equipo de trabajo")
    requirement = page.get_by_role("article", name=re.compile("^R01 · "))
    assert "Pedro Soto, Planificación" in content.inner_text()
    page.evaluate("document.fonts.ready.then(() => true)")  # measure after the fonts swap in
    shown, beside = _box(content), _box(requirement)
    if page.viewport_size["width"] >= 1000:
        assert beside["x"] >= shown["x"] + shown["width"]
        assert beside["y"] < shown["y"] + shown["height"]
    else:
        assert beside["y"] >= shown["y"] + shown["height"]
        assert beside["width"] == pytest.approx(shown["width"], abs=2)

    for outcome in page.get_by_role("group", name=re.compile("^Resultado de")).all():
        outcome.get_by_label("Cumple", exact=True).check()
    requirement.get_by_role("group", name="Resultado de R01").get_by_label("No cumple").check()
    requirement.get_by_label("Observación sobre R01").fill(NOTE)
    requirement.get_by_label("Campo observado (R01)").select_option(label=FIELD)
    page.get_by_label("Fundamento de la decisión").fill("Un requisito por corregir.")
    page.get_by_role("button", name="Enviar observaciones").click()

    # The confirmation says what will happen and has the focus; nothing is decided yet.
    heading = page.get_by_role("heading", name="Confirme el envío de las observaciones")
    heading.wait_for()
    expect(heading).to_be_focused()  # autofocus: applied once the page has rendered
    panel = page.locator(".confirmation")
    assert "Se enviará 1 observación nueva: R01." in panel.inner_text()
    assert "Esta decisión no se puede deshacer." in panel.inner_text()
    db.session.expire_all()
    assert submission.state is SubmissionState.IN_REVIEW

    # Going back keeps everything typed.
    page.get_by_role("button", name="Volver a la revisión").click()
    page.get_by_role("heading", name="Decisión").wait_for()
    assert page.locator(".confirmation").count() == 0
    requirement = page.get_by_role("article", name=re.compile("^R01 · "))
    assert requirement.get_by_label("Observación sobre R01").input_value() == NOTE
    chosen = requirement.get_by_label("Campo observado (R01)")
    assert chosen.evaluate("select => select.selectedOptions[0].textContent") == FIELD
    assert (
        requirement.get_by_role("group", name="Resultado de R01")
        .get_by_label("No cumple")
        .is_checked()
    )

    page.get_by_role("button", name="Enviar observaciones").click()
    page.get_by_role("button", name="Confirmar observaciones").click()
    assert "Se enviaron las observaciones" in page.locator("main").inner_text()
    db.session.expire_all()
    assert submission.state is SubmissionState.OBSERVED
    assert [(o.text, o.path) for o in observations_of(submission)] == [(NOTE, "responsible.team")]
