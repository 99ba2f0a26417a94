"""Nothing typed on the form page is lost, whichever way out of it is taken: «Revisar y
enviar», attaching or removing a file, answering observations, or leaving the page.
Each path: type, take that way out, come back, find everything typed."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from pmg.auth.models import User
from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.submissions.models import SubmissionKind
from pmg.submissions.operations import open_submission, save_draft
from tests.browser.leaving import dialogs_on_leaving
from tests.browser.signing import sign_in
from tests.browser.test_coordinator_plan import MINIMAL_PDF
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
    diagnostic_draft,
    load_starting_catalog,
    observe,
)

pytestmark = pytest.mark.browser

FORM = "/instituciones/1306/diagnostico"


def open_form(page: Any, user: User) -> None:
    sign_in(page, user, FORM)
    page.get_by_role("heading", name=re.compile("Diagnóstico de brechas")).wait_for()


@pytest.fixture
def drafted(app: Any) -> User:
    """A coordinator of 1306 with a complete diagnostic draft saved."""
    institution = create_institution("1306", "COMISION NACIONAL DE RIEGO")
    cycle = create_cycle(date.today().year)
    coordinator = create_user(Role.COORDINATOR, institutions=[institution])
    submission = open_submission(institution, cycle, SubmissionKind.DIAGNOSTIC)
    save_draft(submission, diagnostic_draft(), coordinator, submission.lock_version)
    db.session.commit()
    return coordinator


def test_check_and_send_checks_what_was_just_typed_and_keeps_it(page: Any, drafted: User) -> None:
    open_form(page, drafted)
    page.locator("#responsible-name").fill("Nombre escrito antes de revisar")
    page.locator("#gaps-0-description").fill("")
    page.get_by_role("button", name="Revisar y enviar").click()
    page.get_by_role("heading", name=re.compile("Revisar y enviar")).wait_for()
    errors = page.get_by_role("region", name=re.compile("Errores"))
    assert "Errores (1)" in errors.inner_text()
    assert "Brecha 1 · Descripción de la brecha" in errors.inner_text()
    page.get_by_role("link", name="← Volver al formulario").click()
    assert page.locator("#responsible-name").input_value() == "Nombre escrito antes de revisar"


def test_attaching_and_removing_a_file_keep_what_was_typed(
    page: Any, drafted: User, tmp_path: Path
) -> None:
    open_form(page, drafted)
    page.locator("#responsible-position").fill("Jefa de Planificación")
    page.locator("#gaps-1-causes").fill("Causas escritas\nen dos líneas")
    evidence = tmp_path / "acta del comité.pdf"
    evidence.write_bytes(MINIMAL_PDF)
    panel = page.get_by_role("region", name="Medios de verificación")
    panel.get_by_label("Archivo").set_input_files(str(evidence))
    panel.get_by_role("button", name="Adjuntar archivo").click()
    page.wait_for_url(re.compile("#evidencia$"))
    panel = page.get_by_role("region", name="Medios de verificación")
    assert "acta del comité.pdf" in panel.inner_text()
    assert page.locator("#responsible-position").input_value() == "Jefa de Planificación"
    assert page.locator("#gaps-1-causes").input_value() == "Causas escritas\nen dos líneas"

    page.locator("#responsible-team").fill("Equipo escrito antes de eliminar")
    panel.get_by_role("button", name="Eliminar acta del comité.pdf").click()
    page.wait_for_load_state()
    panel = page.get_by_role("region", name="Medios de verificación")
    assert "Aún no hay archivos adjuntos." in panel.inner_text()
    assert page.locator("#responsible-team").input_value() == "Equipo escrito antes de eliminar"


@pytest.fixture
def observed(app: Any) -> User:
    """A diagnostic sent back with observations on R01 and R03; returns its coordinator."""
    institution = create_institution("1306", "COMISION NACIONAL DE RIEGO")
    cycle = create_cycle(date.today().year)
    load_starting_catalog(cycle)
    coordinator = create_user(Role.COORDINATOR, institutions=[institution])
    reviewer = create_user(Role.REVIEWER)
    submission = create_submitted_diagnostic(institution, cycle, coordinator).submission
    observe(submission, reviewer, {"R01": "Complete el equipo.", "R03": "Informe el año."})
    return coordinator


def test_answers_are_kept_by_the_form_and_by_each_answer_button(
    page: Any, observed: User
) -> None:
    open_form(page, observed)
    page.get_by_label("Respuesta a R01").fill("Se completó el equipo.")
    page.get_by_label("Respuesta a R03").fill("Se informó el año.")
    page.locator("#responsible-team").fill("Equipo corregido")
    page.get_by_role("button", name="Guardar borrador").click()
    page.wait_for_load_state()
    assert page.get_by_label("Respuesta a R01").input_value() == "Se completó el equipo."
    assert page.get_by_label("Respuesta a R03").input_value() == "Se informó el año."
    assert page.locator("#responsible-team").input_value() == "Equipo corregido"

    page.get_by_label("Respuesta a R03").fill("Se informó el año de referencia completo.")
    page.locator("#responsible-name").fill("Nombre escrito antes de responder")
    page.get_by_role("button", name="Guardar respuesta a R01").click()
    page.wait_for_url(re.compile("#observacion-"))
    assert page.get_by_label("Respuesta a R03").input_value() == (
        "Se informó el año de referencia completo."
    )
    assert page.get_by_label("Respuesta a R01").input_value() == "Se completó el equipo."
    assert page.locator("#responsible-name").input_value() == "Nombre escrito antes de responder"


def test_leaving_with_unsaved_changes_asks_first(page: Any, drafted: User) -> None:
    open_form(page, drafted)
    page.locator("#responsible-name").fill("Cambio sin guardar")
    back = page.get_by_role("link", name="← COMISION NACIONAL DE RIEGO")
    assert dialogs_on_leaving(page, back) == ["beforeunload"]
    assert page.url.endswith(FORM)
    assert page.locator("#responsible-name").input_value() == "Cambio sin guardar"

    page.get_by_role("button", name="Guardar borrador").click()  # saving never asks
    page.wait_for_load_state()
    assert page.locator("#responsible-name").input_value() == "Cambio sin guardar"


def test_a_save_with_errors_opens_at_the_summary_and_the_bar_never_hides_a_field(
    page: Any, drafted: User
) -> None:
    open_form(page, drafted)
    page.set_viewport_size({"width": 1024, "height": 700})
    page.locator("#complaints-received").fill("mil")
    page.get_by_role("button", name="Guardar borrador").click()
    page.wait_for_url(re.compile("#resumen-errores$"))
    assert page.evaluate("document.activeElement.id") == "resumen-errores"
    summary = page.get_by_role("alert")
    summary.get_by_role("link", name="Reclamos · Reclamos recibidos en el año").click()
    assert page.locator("#complaints-received").is_visible()

    # Tab from one field to the next one, which starts just above the bottom of the window:
    # the browser scrolls it into view, and not under the sticky action bar.
    pairs = (
        ("responsible-email", "responsible-team"),
        ("channels-0-description", "channels-0-volume"),
        ("gaps-1-expected_value", "gaps-1-causes"),
    )
    for previous, field_id in pairs:
        page.evaluate(
            """([previous, next]) => {
                const top = document.getElementById(next).getBoundingClientRect().top;
                window.scrollBy(0, top - window.innerHeight + 10);
                document.getElementById(previous).focus({preventScroll: true});
            }""",
            [previous, field_id],
        )
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == field_id
        box = page.locator(f"#{field_id}").bounding_box()
        bar = page.locator(".form-actions").bounding_box()
        assert box["y"] + box["height"] <= bar["y"], field_id


@pytest.mark.parametrize("app_config", [{"PMG_MAX_UPLOAD_BYTES": 1024}])
def test_a_file_too_large_is_stopped_at_its_field_before_anything_is_sent(
    page: Any, drafted: User, tmp_path: Path
) -> None:
    open_form(page, drafted)
    page.locator("#responsible-position").fill("Escrito antes de elegir un archivo grande")
    large = tmp_path / "informe.pdf"
    large.write_bytes(MINIMAL_PDF + bytes(2048))
    panel = page.get_by_role("region", name="Medios de verificación")
    panel.get_by_label("Archivo").set_input_files(str(large))
    panel.get_by_role("button", name="Adjuntar archivo").click()
    assert "El archivo supera el tamaño máximo" in panel.get_by_role("alert").inner_text()
    assert page.evaluate("document.activeElement.id") == "evidencia-file"

    # Another button sends the form without the chosen file: saved, and nothing refused.
    page.get_by_role("button", name="Guardar borrador").click()
    page.wait_for_load_state()
    assert page.locator("#responsible-position").input_value() == (
        "Escrito antes de elegir un archivo grande"
    )
    assert "no se adjuntó" not in page.locator("main").inner_text()
