"""The whole review loop in Chromium, for both kinds: the coordinator submits, a reviewer
observes two requirements (and confirms), the coordinator answers, corrects and resubmits,
the submission goes back to that reviewer, who sees the changes in the content and beside
the observations and approves (and confirms), and the coordinator finds the notice and
downloads the PDF with the review."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from pmg.auth.models import User
from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.institutions.models import Institution
from pmg.notifications.models import OutgoingMail
from pmg.submissions.models import SubmissionKind
from pmg.submissions.operations import open_submission, save_draft
from tests.browser.signing import sign_in
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
    diagnostic_draft,
    load_starting_catalog,
    plan_draft,
)

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Loop:
    kind: SubmissionKind
    slug: str
    label: str
    observed: tuple[str, str]
    # The field the coordinator corrects, and its new value.
    field_id: str
    corrected: str


LOOPS = [
    Loop(
        SubmissionKind.DIAGNOSTIC,
        "diagnostico",
        "diagnóstico de brechas",
        ("R01", "R06"),
        "responsible-team",
        "Pedro Soto, Planificación; Ana Rojas, OIRS; Luis Díaz, Tecnologías",
    ),
    Loop(
        SubmissionKind.PLAN,
        "plan",
        "plan de mejora",
        ("R08", "R10"),
        "actions-0-verification",
        "Informe trimestral firmado por la jefatura y acta del comité",
    ),
]


@pytest.fixture
def second_page(browser: Any, live_server: str) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server, locale="es-CL")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def prepare(loop: Loop, institution: Institution, cycle: Any, coordinator: User) -> None:
    """A complete draft of ``loop.kind`` (after a submitted diagnostic, for a plan)."""
    if loop.kind is SubmissionKind.PLAN:
        create_submitted_diagnostic(institution, cycle, coordinator)
        draft = plan_draft(year=cycle.year)
    else:
        draft = diagnostic_draft()
    submission = open_submission(institution, cycle, loop.kind)
    save_draft(submission, draft, coordinator, submission.lock_version)
    db.session.commit()


def set_outcome(page: Any, code: str, outcome: str) -> None:
    page.get_by_role("group", name=f"Resultado de {code}").get_by_label(outcome, exact=True).check()


@pytest.mark.parametrize("loop", LOOPS, ids=[loop.slug for loop in LOOPS])
def test_the_whole_review_loop(page: Any, second_page: Any, loop: Loop) -> None:
    institution = create_institution("1306", "COMISION NACIONAL DE RIEGO")
    cycle = create_cycle(date.today().year)
    load_starting_catalog(cycle)
    coordinator = create_user(
        Role.COORDINATOR, institutions=[institution], name="Carla Coordinadora"
    )
    reviewer = create_user(Role.REVIEWER, name="Rosa Revisora")
    prepare(loop, institution, cycle, coordinator)
    form_path = f"/instituciones/1306/{loop.slug}"
    review_path = f"/revision/1306/{cycle.year}/{loop.slug}"
    first, second = loop.observed

    # The coordinator submits.
    sign_in(page, coordinator, f"{form_path}/revisar")
    page.get_by_role("button", name=f"Enviar {loop.label}").click()
    page.get_by_role("button", name="Confirmar envío").click()
    page.get_by_role("heading", name=re.compile("Versión 1")).wait_for()

    # The reviewer takes it from the queue and observes two requirements.
    sign_in(second_page, reviewer, "/revision/")
    second_page.get_by_role("link", name=f"COMISION NACIONAL DE RIEGO · {loop.kind.label}").click()
    second_page.get_by_role("button", name="Tomar para revisión").click()
    for requirement in second_page.get_by_role("group", name=re.compile("^Resultado de")).all():
        requirement.get_by_label("Cumple", exact=True).check()
    set_outcome(second_page, first, "No cumple")
    set_outcome(second_page, second, "No cumple")
    second_page.get_by_label(f"Observación sobre {first}").fill(f"Corrija {first}: falta detalle.")
    second_page.get_by_label(f"Observación sobre {second}").fill(f"Precise {second}.")
    second_page.get_by_role("button", name="Enviar observaciones").click()
    assert "Escriba el fundamento" in second_page.locator("main").inner_text()
    assert second_page.get_by_label(f"Observación sobre {first}").input_value() == (
        f"Corrija {first}: falta detalle."
    )
    second_page.get_by_label("Fundamento de la decisión").fill("Dos requisitos por corregir.")
    second_page.get_by_role("button", name="Enviar observaciones").click()
    second_page.get_by_role("button", name="Confirmar observaciones").click()
    assert "Se enviaron las observaciones" in second_page.locator("main").inner_text()

    # The coordinator answers each observation, corrects and resubmits.
    page.goto(form_path)
    panel = page.get_by_role("region", name="Observaciones de la revisión")
    assert f"Corrija {first}: falta detalle." in panel.inner_text()
    for code in (first, second):
        page.get_by_label(f"Respuesta a {code}").fill(f"Corregido {code} en el formulario.")
        page.get_by_role("button", name=f"Guardar respuesta a {code}").click()
        assert (
            f"Se guardó la respuesta a la observación de {code}"
            in page.locator("main").inner_text()
        )
    page.locator(f"#{loop.field_id}").fill(loop.corrected)
    page.get_by_role("button", name="Guardar borrador").click()
    page.get_by_role("button", name="Revisar y enviar").click()
    page.get_by_role("button", name=f"Reenviar {loop.label}").click()
    page.get_by_role("button", name="Confirmar envío").click()
    page.get_by_role("heading", name=re.compile("Versión 2")).wait_for()

    # Back with the reviewer, who sees the change in the content and beside the observation,
    # resolves both and approves.
    second_page.goto(review_path)
    assert second_page.get_by_role("button", name="Tomar para revisión").count() == 0
    answered = second_page.get_by_role("article", name=re.compile(f"^Observación sobre {first} ·"))
    assert f"Corregido {first} en el formulario." in answered.inner_text()
    assert loop.corrected in answered.inner_text()
    changed = second_page.locator("dd.changed", has_text=loop.corrected)
    assert changed.get_by_text("Modificado").is_visible()
    for code in (first, second):
        second_page.get_by_role(
            "group", name=f"Observación de {code} después de la corrección"
        ).get_by_label("Resuelta").check()
        set_outcome(second_page, code, "Cumple")
    second_page.get_by_role("button", name="Aprobar").click()
    second_page.get_by_role("button", name="Confirmar aprobación").click()
    assert "El envío quedó aprobado" in second_page.locator("main").inner_text()

    # The coordinator is told, and downloads the PDF with the review.
    notices = db.session.scalars(
        select(OutgoingMail).where(OutgoingMail.recipient == coordinator.email)
    ).all()
    assert any("aprobad" in mail.subject.lower() for mail in notices)
    page.goto(f"/instituciones/1306/{cycle.year}/{loop.slug}/")
    assert "Aprobado" in page.locator("main").inner_text()
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Descargar PDF de la versión 2")).click()
    data = Path(download_info.value.path()).read_bytes()
    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(data)).pages)
    text = re.sub(r"\s+", " ", text)
    for expected in (
        f"Corrija {first}: falta detalle.",
        f"Corregido {first} en el formulario.",
        "Rosa Revisora",
        "Dos requisitos por corregir.",
    ):
        assert expected in text
