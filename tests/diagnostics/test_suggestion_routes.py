"""The suggested gaps on the diagnostic's form page: accepting one saves what was typed and
adds the gap, dismissing one hides it for good, and nothing else reaches them."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from pmg.core.permissions import Role
from pmg.diagnostics.models import DismissedSuggestion
from pmg.diagnostics.operations import dismiss_suggestion
from pmg.diagnostics.page import NOT_PENDING
from pmg.diagnostics.schema import GAPS
from pmg.extensions import db
from pmg.institutions.models import Stage
from pmg.submissions.models import SubmissionKind
from pmg.submissions.operations import open_submission
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
    diagnostic_draft,
    load_starting_catalog,
    with_gap_keys,
)
from tests.submissions.pages import find, post_page, saved_draft
from tests.submissions.prefill_history import add_figures, add_targets

FORM = "/instituciones/1306/diagnostico"
ANSWERED = "sugerida-reclamos_respondidos"
LATE_SAIP = "sugerida-saip_fuera_de_plazo"
# diagnostic_draft types 1.200 of 1.250 complaints answered (96,0 %) and 2 SAIP answered
# after 20 business days (12,5 %).
ANSWERED_GAP = {
    "key": ANSWERED,
    "dimension": "reclamos",
    "procedure": "",
    "description": (
        "En 2025 respondió el 96,0 % de los reclamos; su meta del ciclo 2026 era 99,0 %."
    ),
    "current_value": "96,0 %",
    "expected_value": "99,0 %",
    "causes": "",
    "priority": "",
}
LATE_SAIP_TEXT = (
    "En 2025 respondió el 12,5 % de las SAIP en más de 20 días hábiles; 2 solicitudes "
    "superaron el plazo legal de 20 días hábiles (Ley 20.285)."
)


@pytest.fixture
def setting(client: FlaskClient, login_as) -> dict[str, Any]:
    institution = create_institution("1306", "COMISION NACIONAL DE RIEGO")
    cycle = create_cycle(2026)
    add_figures(institution, 2024)
    add_targets(institution, cycle, complaints_answered_pct=99.0)
    coordinator = login_as(create_user(Role.COORDINATOR, institutions=[institution]))
    return {"institution": institution, "cycle": cycle, "coordinator": coordinator}


def typed() -> dict[str, Any]:
    """The draft as typed on the page, with a name the last save did not have."""
    draft = with_gap_keys(diagnostic_draft())
    draft["responsible"]["name"] = "Rosa Fuentes"
    return draft


def kept(gaps: list[dict[str, Any]]) -> bool:
    """Whether the saved draft holds what :func:`typed` typed, with ``gaps``."""
    draft = saved_draft()
    return draft["responsible"]["name"] == "Rosa Fuentes" and draft["gaps"] == gaps


def page(client: FlaskClient) -> str:
    return client.get(FORM).get_data(as_text=True)


def dismissed() -> list[str]:
    return list(db.session.scalars(select(DismissedSuggestion.key)))


def test_the_gaps_section_lists_the_pending_suggestions_with_their_buttons(
    client: FlaskClient, setting
) -> None:
    post_page(client, FORM, typed())
    body = page(client)
    assert "<h3 id=\"brechas-sugeridas-titulo\">Brechas sugeridas</h3>" in body
    assert ANSWERED_GAP["description"] in body
    assert LATE_SAIP_TEXT in body
    assert f'value="aceptar-sugerencia:{ANSWERED}"' in body
    assert f'value="descartar-sugerencia:{LATE_SAIP}"' in body
    assert ">Agregar a las brechas</button>" in body
    assert ">Descartar</button>" in body


def test_accepting_saves_what_was_typed_and_adds_the_gap(client: FlaskClient, setting) -> None:
    post_page(client, FORM, diagnostic_draft())
    response = post_page(client, FORM, typed(), f"aceptar-sugerencia:{ANSWERED}")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{FORM}#gaps-2")
    assert kept([*typed()["gaps"], ANSWERED_GAP])
    body = page(client)
    assert (
        "Se agregó la brecha sugerida «Reclamos respondidos» como brecha 3: complete sus "
        "causas y su prioridad."
    ) in body
    assert f'value="aceptar-sugerencia:{ANSWERED}"' not in body  # no longer pending
    assert f'value="aceptar-sugerencia:{LATE_SAIP}"' in body
    assert 'id="gaps-2-description"' in body  # a gap row like any other


def test_an_accepted_gap_removed_is_suggested_again(client: FlaskClient, setting) -> None:
    post_page(client, FORM, typed(), f"aceptar-sugerencia:{ANSWERED}")
    accepted = saved_draft()
    assert f'value="aceptar-sugerencia:{ANSWERED}"' not in page(client)

    post_page(client, FORM, accepted, "quitar:gaps:2")

    assert [gap["key"] for gap in saved_draft()["gaps"]] == ["brecha-1", "brecha-2"]
    assert f'value="aceptar-sugerencia:{ANSWERED}"' in page(client)


def test_dismissing_saves_what_was_typed_and_hides_the_suggestion_for_good(
    client: FlaskClient, setting
) -> None:
    response = post_page(client, FORM, typed(), f"descartar-sugerencia:{LATE_SAIP}")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{FORM}#seccion-gaps")
    assert kept(typed()["gaps"])  # no gap added
    assert dismissed() == [LATE_SAIP]
    body = page(client)
    assert (
        "Se descartó la brecha sugerida «SAIP respondidas en más de 20 días hábiles»: no se "
        "volverá a proponer."
    ) in body
    assert LATE_SAIP_TEXT not in body
    assert f'value="aceptar-sugerencia:{ANSWERED}"' in body

    # Saving again, or accepting it from an older page, does not bring it back.
    post_page(client, FORM, typed())
    post_page(client, FORM, typed(), f"aceptar-sugerencia:{LATE_SAIP}")
    assert LATE_SAIP_TEXT not in page(client)
    assert [gap["key"] for gap in saved_draft()["gaps"]] == ["brecha-1", "brecha-2"]


@pytest.mark.parametrize(
    "action",
    [
        "aceptar-sugerencia:sugerida-no-existe",
        "aceptar-sugerencia:",
        "descartar-sugerencia:../../brechas",
        f"descartar-sugerencia:{'x' * 5000}",
    ],
)
def test_a_stale_or_made_up_target_is_a_message_and_what_was_typed_is_saved(
    client: FlaskClient, setting, action: str
) -> None:
    response = post_page(client, FORM, typed(), action)

    assert response.status_code == 302
    assert kept(typed()["gaps"])
    assert dismissed() == []
    assert NOT_PENDING in page(client)


def test_a_suggestion_the_typed_figures_no_longer_show_is_not_accepted(
    client: FlaskClient, setting
) -> None:
    draft = typed()
    draft["complaints"]["answered"] = "1.240"  # 99,2 %: above the target

    post_page(client, FORM, draft, f"aceptar-sugerencia:{ANSWERED}")

    assert saved_draft()["complaints"]["answered"] == "1.240"
    assert kept(typed()["gaps"])
    assert NOT_PENDING in page(client)


def test_accepting_into_full_gaps_is_refused_and_says_why(client: FlaskClient, setting) -> None:
    draft = typed()
    draft["gaps"] = [dict(draft["gaps"][0], key=f"b{n}") for n in range(GAPS.max_rows)]

    post_page(client, FORM, draft, f"aceptar-sugerencia:{ANSWERED}")

    assert kept(draft["gaps"])
    assert (
        "No se agregó la brecha sugerida: «Brechas» admite como máximo 20 registros. Quite "
        "una para agregarla."
    ) in page(client)


def test_without_the_form_token_nothing_is_saved_added_or_dismissed(
    client: FlaskClient, setting
) -> None:
    post_page(client, FORM, diagnostic_draft())
    before = saved_draft()
    for action in (f"aceptar-sugerencia:{ANSWERED}", f"descartar-sugerencia:{LATE_SAIP}"):
        data = {"responsible-name": "Rosa Fuentes", "accion": action, "lock_version": "2"}
        response = client.post(FORM, data=data, csrf=False)
        assert response.status_code == 400
    assert saved_draft() == before
    assert dismissed() == []


def test_another_institutions_coordinator_gets_404(client: FlaskClient, setting, login_as) -> None:
    post_page(client, FORM, diagnostic_draft())
    before = saved_draft()
    client.post("/salir")
    login_as(create_user(Role.COORDINATOR, institutions=[create_institution("2501")]))

    for action in (f"aceptar-sugerencia:{ANSWERED}", f"descartar-sugerencia:{LATE_SAIP}"):
        assert post_page(client, FORM, typed(), action).status_code == 404
    assert saved_draft() == before
    assert dismissed() == []


def test_read_only_pages_show_no_suggestions(client: FlaskClient, setting, login_as) -> None:
    institution, cycle = setting["institution"], setting["cycle"]
    load_starting_catalog(cycle)
    version = create_submitted_diagnostic(institution, cycle, setting["coordinator"])
    assert find().state.value == "submitted"

    record = page(client)
    version_page = client.get(f"/instituciones/1306/2026/diagnostico/v{version.number}")
    client.post("/salir")
    login_as(create_user(Role.REVIEWER))
    review_page = client.get("/revision/1306/2026/diagnostico")

    assert "Diagnóstico de brechas" in record
    for response in (version_page, review_page):
        assert response.status_code == 200
    for body in (record, version_page.get_data(as_text=True), review_page.get_data(as_text=True)):
        assert "Brechas sugeridas" not in body
        assert "sugerencia:" not in body


def test_a_saip_stage_institution_is_suggested_saip_gaps_only(
    client: FlaskClient, login_as
) -> None:
    institution = create_institution("2001", stage=Stage.SAIP)
    cycle = create_cycle(2026)
    add_figures(institution, 2024)
    add_targets(institution, cycle, complaints_answered_pct=99.0)
    login_as(create_user(Role.COORDINATOR, institutions=[institution]))
    url = "/instituciones/2001/diagnostico"

    post_page(client, url, typed())
    body = client.get(url).get_data(as_text=True)

    assert LATE_SAIP_TEXT in body
    assert "sugerida-reclamos" not in body


def test_dismissing_twice_keeps_one_record(app: Any) -> None:
    """Two pages dismissing the same suggestion at once: the second finds it done."""
    institution = create_institution("1306")
    cycle = create_cycle(2026)
    coordinator = create_user(Role.COORDINATOR, institutions=[institution])
    submission = open_submission(institution, cycle, SubmissionKind.DIAGNOSTIC)

    dismiss_suggestion(submission, LATE_SAIP, coordinator)
    dismiss_suggestion(submission, LATE_SAIP, coordinator)
    db.session.commit()

    assert dismissed() == [LATE_SAIP]
    row = db.session.scalar(select(DismissedSuggestion))
    assert (row.submission_id, row.dismissed_by_id) == (submission.id, coordinator.id)
