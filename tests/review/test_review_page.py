"""The review page as one place: the content beside its checklist, the changes marked in
it, a resubmission back with its reviewer, observations pointing at a field, and a decision
taken only once confirmed."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from pmg.audit.models import AuditEntry
from pmg.core.errors import DomainError
from pmg.core.filters import format_date
from pmg.core.permissions import Role
from pmg.diagnostics.schema import SECTIONS as DIAGNOSTIC_SECTIONS
from pmg.extensions import db
from pmg.plans.schema import PROCEDURE_TARGETS
from pmg.review import content, operations
from pmg.review.confirmation import confirmation
from pmg.review.fields import field_choices, observable_fields
from pmg.review.models import Decision, ObservationAction, ObservationState, Outcome, Review
from pmg.review.observations import answer_observation
from pmg.review.operations import VerdictInput
from pmg.review.queries import current_review, observations_of
from pmg.submissions.models import Action, SubmissionState, SubmissionVersion
from pmg.submissions.operations import save_draft, submit
from pmg.submissions.queries import history_of
from tests.exports.queries import counting_queries
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
    diagnostic_draft,
    load_starting_catalog,
    observe_one,
    with_gap_keys,
    with_value,
)
from tests.notifications.mail import outbox

TODAY = date.today()
FIELD = "Responsable y equipo de trabajo · Equipo de trabajo"
URL = "/revision/1306/{year}/diagnostico"


@pytest.fixture
def world(app: Flask) -> dict:
    cycle = create_cycle()
    load_starting_catalog(cycle)
    institution = create_institution("1306", name="Servicio de Prueba")
    coordinator = create_user(Role.COORDINATOR, institutions=[institution])
    reviewer = create_user(Role.REVIEWER, name="Rosa Revisora")
    draft = with_gap_keys(diagnostic_draft())
    version = create_submitted_diagnostic(institution, cycle, coordinator, draft)
    return {
        "cycle": cycle,
        "coordinator": coordinator,
        "reviewer": reviewer,
        "submission": version.submission,
        "url": URL.format(year=cycle.year),
    }


def _resubmit(world: dict, path: str, value: str) -> None:
    """Answer every observation, change ``path`` and send the diagnostic again."""
    submission, coordinator = world["submission"], world["coordinator"]
    for observation in observations_of(submission):
        answer_observation(observation, "Corregido.", coordinator)
    save_draft(
        submission, with_value(submission.draft, path, value), coordinator, submission.lock_version
    )
    submit(submission, coordinator, TODAY, submission.lock_version)
    db.session.commit()


def _form(review, outcome: Outcome = Outcome.MEETS, **values: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    data = {"lock_version": str(review.submission.lock_version)}
    for verdict in review.verdicts:
        data[f"outcome_{verdict.requirement_id}"] = outcome.value
        data[f"note_{verdict.requirement_id}"] = ""
    return {**data, **values}


def _taken(world: dict) -> Review:
    """The world's diagnostic, taken by its reviewer."""
    submission = world["submission"]
    review = operations.take(submission, world["reviewer"], submission.lock_version)
    db.session.commit()
    return review


def _digest(page: str) -> str:
    """What the confirmation on ``page`` said, as it sends it back."""
    found = re.search(r'name="confirmado" value="([0-9a-f]+)"', page)
    assert found is not None
    return found.group(1)


def _requirement_id(review, code: str) -> int:  # type: ignore[no-untyped-def]
    return next(v.requirement_id for v in review.verdicts if v.requirement.code == code)


# --- A resubmission goes back to its reviewer -----------------------------------------------


RETURNED = "Volvió automáticamente a Rosa Revisora, que revisó la versión anterior."


def test_a_resubmission_goes_back_to_the_reviewer_who_observed_it(world: dict) -> None:
    """Recorded as what happened: the coordinator's resubmission sent it back to Rosa;
    Rosa took nothing."""
    submission, reviewer, coordinator = world["submission"], world["reviewer"], world["coordinator"]
    observe_one(submission, reviewer)
    _resubmit(world, "responsible.team", "Equipo ampliado")

    assert (submission.state, submission.reviewer) == (SubmissionState.IN_REVIEW, reviewer)
    review = current_review(submission)
    assert review is not None
    assert (review.version.number, review.reviewer, review.decision) == (2, reviewer, None)
    last_two = [
        (c.action, c.to_state, c.actor, c.version_number, c.note)
        for c in history_of(submission)[-2:]
    ]
    assert last_two == [
        (Action.RESUBMIT, SubmissionState.RESUBMITTED, coordinator, 2, ""),
        (Action.RETURN, SubmissionState.IN_REVIEW, coordinator, 2, RETURNED),
    ]
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None
    assert (entry.action, entry.actor_email) == ("submission.return", coordinator.email)
    assert (entry.before, entry.after) == (
        {"state": "resubmitted"},
        {"state": "in_review", "version": 2, "note": RETURNED, "reviewer": reviewer.email},
    )
    takes = select(AuditEntry).where(AuditEntry.action == "submission.take")
    assert [entry.after["version"] for entry in db.session.scalars(takes)] == [1]  # Rosa's
    # Rosa hears of it once: the corrected version is back with her.
    to_rosa = [mail.subject for mail in outbox() if mail.recipient == reviewer.email]
    assert [subject.split(":")[0] for subject in to_rosa] == [
        "[PMG CSEU] Nuevo envío para revisión",
        "[PMG CSEU] Envío corregido",
    ]
    assert to_rosa[1].startswith("[PMG CSEU] Envío corregido: vuelve a usted: Diagnóstico")


def test_the_history_says_who_caused_the_return(client: FlaskClient, login_as, world: dict) -> None:
    submission, reviewer = world["submission"], world["reviewer"]
    observe_one(submission, reviewer)
    _resubmit(world, "responsible.team", "Equipo ampliado")
    login_as(reviewer)
    page = client.get(world["url"]).get_data(as_text=True)
    row = re.search(
        r"<td>([^<]*)</td>\s*<td>Envío corregido devuelto a quien lo revisó</td>"
        r".*?<td>([^<]*)</td>\s*</tr>",
        page[page.index('id="historial"') :],
        re.S,
    )
    assert row is not None and row.groups() == (world["coordinator"].name, RETURNED)
    # Nothing offers the return as a button: it happens by itself.
    assert 'value="return"' not in page


def test_a_resubmission_whose_reviewer_left_waits_in_the_queue(world: dict) -> None:
    submission, reviewer = world["submission"], world["reviewer"]
    observe_one(submission, reviewer)
    reviewer.active = False
    db.session.commit()
    _resubmit(world, "responsible.team", "Equipo ampliado")

    assert submission.state is SubmissionState.RESUBMITTED
    assert current_review(submission) is None


# --- Where an observation points ------------------------------------------------------------


def test_the_field_choices_name_each_place_of_the_concerned_sections() -> None:
    draft = with_gap_keys(diagnostic_draft(gaps=1))
    choices = field_choices(DIAGNOSTIC_SECTIONS, draft, ["responsible", "gaps", "channels"])
    paths = {choice.path: choice.label for choice in choices}
    assert paths["responsible"] == "Responsable y equipo de trabajo (toda la sección)"
    assert paths["responsible.team"] == "Responsable y equipo de trabajo · Equipo de trabajo"
    assert paths["gaps.brecha-1.causes"] == "Brecha 1 (Brecha de prueba 1) · Causas"
    assert paths["channels.1.volume"].startswith("Canal 2 (")
    assert "gaps.brecha-1.key" not in paths and "saip" not in paths
    assert [c.group for c in choices][:2] == ["Responsable y equipo de trabajo"] * 2


def test_a_row_key_that_does_not_fit_a_path_gives_way_to_the_row_number() -> None:
    rows = [{"procedure": "Certificado Ley N° 19.882", "on_time_pct": 90}]
    rows.append({"procedure": "T" * 300, "on_time_pct": 80})
    rows.append({"procedure": "Pago de bonos", "on_time_pct": 70})
    targets = {"procedure_targets": rows}
    choices = field_choices((PROCEDURE_TARGETS,), targets, ["procedure_targets"])
    assert [c.path for c in choices] == [
        "procedure_targets",
        "procedure_targets.0.on_time_pct",
        "procedure_targets.1.on_time_pct",
        "procedure_targets.Pago de bonos.on_time_pct",
    ]


def test_the_places_of_a_version_are_found_once_for_every_requirement(
    world: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    review = _taken(world)
    version = review.version
    parsed: list[int] = []
    content = type(version).content

    def counted(self: SubmissionVersion) -> dict:
        parsed.append(self.id)
        return content.fget(self)

    monkeypatch.setattr(type(version), "content", property(counted))
    found = {
        verdict.requirement.code: observable_fields(version, verdict.requirement)
        for verdict in review.verdicts
    }
    assert parsed == [version.id]  # once, not once per requirement
    assert [c.path for c in found["R01"]][:2] == ["responsible", "responsible.name"]
    create_user(Role.DIPRES)  # a write elsewhere: the versions never change, kept
    assert observable_fields(version, review.verdicts[0].requirement) == found["R01"]
    assert parsed == [version.id]


def test_the_checklist_is_laid_out_once_while_nothing_changes_and_never_over_what_was_typed(
    client: FlaskClient, login_as, world: dict
) -> None:
    review = _taken(world)
    r01 = _requirement_id(review, "R01")
    login_as(world["reviewer"])
    assert client.get(world["url"]).status_code == 200
    with counting_queries() as seen:
        page = client.get(world["url"]).get_data(as_text=True)
    # Laid out already: neither the checklist, nor the observations, nor the content read.
    read = " ".join(seen)
    assert "FROM verdicts" not in read and "FROM observations" not in read
    assert "content_json" not in read
    assert f'id="note_{r01}"' in page and "Falta el equipo</textarea>" not in page
    typed = _form(review, **{f"note_{r01}": "Falta el equipo", "note": "Por corregir"})
    shown = client.post(world["url"], data={**typed, "decision": "observe"})
    assert "Falta el equipo</textarea>" in shown.get_data(as_text=True)
    assert client.post(world["url"], data={**typed, "decision": "save"}).status_code == 302
    assert "Falta el equipo</textarea>" in client.get(world["url"]).get_data(as_text=True)


def test_a_path_outside_the_requirement_is_refused_and_a_saved_one_reaches_the_observation(
    world: dict,
) -> None:
    submission, reviewer, review = world["submission"], world["reviewer"], _taken(world)
    r01 = _requirement_id(review, "R01")
    r06 = _requirement_id(review, "R06")
    allowed = [c.path for c in observable_fields(review.version, review.verdicts[0].requirement)]
    assert allowed[:2] == ["responsible", "responsible.name"]
    wrong = {r01: VerdictInput(Outcome.FAILS, "Falta el equipo", "gaps.brecha-1.causes")}
    with pytest.raises(DomainError, match="R01: el campo observado no es parte"):
        operations.save_review(review, wrong, {}, reviewer)
    db.session.rollback()

    review = current_review(submission)
    assert review is not None
    checklist = {
        r01: VerdictInput(Outcome.FAILS, "Falta el equipo", "responsible.team"),
        r06: VerdictInput(Outcome.FAILS, "Precise las causas", "gaps.brecha-1.causes"),
    }
    operations.save_review(review, checklist, {}, reviewer)
    db.session.commit()
    db.session.expire_all()
    assert {v.requirement_id: v.path for v in review.verdicts if v.path} == {
        r01: "responsible.team",
        r06: "gaps.brecha-1.causes",
    }
    assert review.pending_resolutions == {}  # the paths are the verdicts' own
    # Deciding with the checklist as saved: the paths saved go with the notes.
    operations.decide(
        review, Decision.OBSERVE, reviewer, submission.lock_version, TODAY, note="Corregir"
    )
    db.session.commit()
    assert [(o.requirement.code, o.path) for o in observations_of(submission)] == [
        ("R01", "responsible.team"),
        ("R06", "gaps.brecha-1.causes"),
    ]


def test_the_form_offers_the_concerned_fields_and_refuses_any_other(
    client: FlaskClient, login_as, world: dict
) -> None:
    review = _taken(world)
    r01 = _requirement_id(review, "R01")
    login_as(world["reviewer"])
    page = client.get(world["url"]).get_data(as_text=True)
    assert f'<label for="path_{r01}">Campo observado (R01)</label>' in page
    assert f'<option value="responsible.team">{FIELD}</option>' in page

    data = _form(review, **{f"note_{r01}": "Falta el equipo", f"path_{r01}": "saip.received"})
    response = client.post(world["url"], data={**data, "decision": "save"})
    assert response.status_code == 422
    assert f'id="path_{r01}-error"' in response.get_data(as_text=True)

    data[f"path_{r01}"] = "responsible.team"
    assert client.post(world["url"], data={**data, "decision": "save"}).status_code == 302
    page = client.get(world["url"]).get_data(as_text=True)
    assert '<option selected value="responsible.team">' in page


# --- Deciding asks to confirm ---------------------------------------------------------------


def test_a_decision_is_taken_only_with_the_confirmation(
    client: FlaskClient, login_as, world: dict
) -> None:
    submission, review = world["submission"], _taken(world)
    r01 = _requirement_id(review, "R01")
    login_as(world["reviewer"])
    typed = {
        f"note_{r01}": "Falta el equipo de trabajo",
        f"path_{r01}": "responsible.team",
        f"outcome_{r01}": Outcome.FAILS.value,
        "note": "Un requisito por corregir",
    }
    data = _form(review, **typed)

    response = client.post(world["url"], data={**data, "decision": "observe"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<h2 id="confirmacion" tabindex="-1" autofocus>' in page
    due = format_date(world["cycle"].correction_end)
    assert "Se enviará 1 observación nueva: R01." in page
    assert f"reenviar a más tardar el {due}." in page
    assert '<button type="submit" name="confirmar" value="observe"' in page
    # Everything typed is still in the form, nothing is saved or decided.
    assert "Falta el equipo de trabajo</textarea>" in page
    assert '<option selected value="responsible.team">' in page
    assert re.search(rf'checked[^>]*id="outcome_{r01}-1"|id="outcome_{r01}-1"[^>]*checked', page)
    assert 'data-aviso-cambios="sin-guardar"' in page
    db.session.expire_all()
    assert submission.state is SubmissionState.IN_REVIEW
    assert review.verdicts[0].note == ""

    back = client.post(world["url"], data={**data, "decision": "back"}).get_data(as_text=True)
    assert "Falta el equipo de trabajo</textarea>" in back and 'id="confirmacion"' not in back

    assert client.post(world["url"], data={**data, "confirmar": "save"}).status_code == 400
    confirmed = {**data, "confirmar": "observe", "confirmado": _digest(page)}
    # Changed after the confirmation, the decision would do something else: asked again.
    another = {**confirmed, f"note_{_requirement_id(review, 'R06')}": "Precise las causas"}
    response = client.post(world["url"], data=another)
    again = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "confirme otra vez" in again and "Se enviarán 2 observaciones nuevas: R01, R06." in again
    db.session.expire_all()
    assert submission.state is SubmissionState.IN_REVIEW

    response = client.post(world["url"], data=confirmed)
    assert response.status_code == 302
    db.session.expire_all()
    assert submission.state is SubmissionState.OBSERVED
    assert [(o.text, o.path) for o in observations_of(submission)] == [
        ("Falta el equipo de trabajo", "responsible.team")
    ]


def test_a_decision_that_cannot_be_taken_is_refused_before_the_confirmation(
    client: FlaskClient, login_as, world: dict
) -> None:
    review = _taken(world)
    login_as(world["reviewer"])
    data = _form(review, **{f"outcome_{_requirement_id(review, 'R03')}": Outcome.FAILS.value})
    response = client.post(world["url"], data={**data, "decision": "approve"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "no cumplen: R03" in page and 'id="confirmacion"' not in page


def test_the_confirmation_says_what_each_decision_does(world: dict) -> None:
    submission, reviewer = world["submission"], world["reviewer"]
    observation = observe_one(submission, reviewer)
    _resubmit(world, "responsible.team", "Equipo ampliado")
    review = current_review(submission)
    assert review is not None
    met = {v.requirement_id: VerdictInput(Outcome.MEETS) for v in review.verdicts}
    resolved = {observation.id: (ObservationAction.RESOLVE, "")}

    approve = confirmation(review, Decision.APPROVE, met, resolved)
    assert (approve.title, approve.button) == ("Confirme la aprobación", "Confirmar aprobación")
    assert approve.consequences == (
        "Se aprobará el diagnóstico de brechas de Servicio de Prueba.",
        "La institución recibirá un correo con la decisión.",
        "Se dará por resuelta 1 observación anterior.",
        "Esta decisión no se puede deshacer.",
    )
    r02, r03 = (_requirement_id(review, code) for code in ("R02", "R03"))
    failing = {**met, r02: VerdictInput(Outcome.FAILS), r03: VerdictInput(Outcome.FAILS)}
    reject = confirmation(review, Decision.REJECT, failing, {})
    assert reject.consequences[0] == (
        "Se rechazará el diagnóstico de brechas de Servicio de Prueba: no cumple R02, R03."
    )
    noted = {**met, r02: VerdictInput(Outcome.FAILS, "a"), r03: VerdictInput(Outcome.FAILS, "b")}
    reopened = {observation.id: (ObservationAction.REOPEN, "Aún falta")}
    observe = confirmation(review, Decision.OBSERVE, noted, reopened)
    assert observe.consequences[1:3] == (
        "Se enviarán 2 observaciones nuevas: R02, R03.",
        "Se reabrirá 1 observación anterior.",
    )


# --- The content beside the checklist -------------------------------------------------------


def test_each_requirement_is_beside_the_content_it_concerns(
    client: FlaskClient, login_as, world: dict
) -> None:
    review = _taken(world)
    login_as(world["reviewer"])
    page = client.get(world["url"]).get_data(as_text=True)
    ids = {code: _requirement_id(review, code) for code in ("R01", "R03", "R06")}
    order = [
        page.index('id="contenido-responsible"'),
        page.index("María González"),
        page.index(f'id="req-{ids["R01"]}"'),
        page.index('id="contenido-complaints"'),
        page.index(f'id="req-{ids["R03"]}"'),  # R03 concerns complaints, saip and procedures
        page.index('id="contenido-saip"'),
        page.index(f'También revisa esta sección: <a href="#req-{ids["R03"]}">'),
        page.index('id="contenido-gaps"'),
        page.index(f'id="req-{ids["R06"]}"'),
        page.index('id="decision"'),
    ]
    assert order == sorted(order)
    assert '<details class="integrity">' in page


def test_the_changed_values_are_marked_in_the_content(
    client: FlaskClient, login_as, world: dict
) -> None:
    submission, reviewer = world["submission"], world["reviewer"]
    observe_one(submission, reviewer)
    _resubmit(world, "gaps.1.causes", "Causas revisadas con el equipo.")
    login_as(reviewer)
    page = client.get(world["url"]).get_data(as_text=True)
    gaps = page[page.index('id="contenido-gaps"') :]
    changed = gaps[gaps.index("Brecha 2 de 2") :]
    assert re.search(
        r'<dd class="changed"><span class="badge badge-changed">Modificado</span> '
        r"Causas revisadas con el equipo\.<br><span class=\"hint\">En la versión 1: <del>"
        r'<span class="visually-hidden">antes: </span>Falta de personal en temporada alta\.</del>',
        changed,
    )
    assert page.count("badge-changed") == 1


def test_a_page_asked_for_before_the_content_slot_is_filled_fails_loudly(
    world: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(content, "_show", [])
    with pytest.raises(RuntimeError, match=r"pmg\.wiring\.connect"):
        content.shown_content(world["submission"].latest_version)


def test_an_answered_observation_stays_beside_its_requirement(
    client: FlaskClient, login_as, world: dict
) -> None:
    submission, reviewer = world["submission"], world["reviewer"]
    observation = observe_one(submission, reviewer)
    _resubmit(world, "responsible.team", "Equipo ampliado")
    assert observation.state is ObservationState.ANSWERED
    review = current_review(submission)
    assert review is not None
    login_as(reviewer)
    page = client.get(world["url"]).get_data(as_text=True)
    requirement = page.index(f'id="req-{_requirement_id(review, "R01")}"')
    answered = page.index(f'id="obs-{observation.id}"')
    assert requirement < answered < page.index('id="contenido-complaints"')
