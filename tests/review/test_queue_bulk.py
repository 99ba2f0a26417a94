"""Bulk approval from the queue: a box on each row the reviewer can approve now, the reason
on each other row (the same rule the approval applies), a confirmation that says what will
happen, and what became of each row, a stale one included."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pmg.auth.models import User
from pmg.core.errors import DomainError
from pmg.core.permissions import Role
from pmg.cycles.models import Cycle
from pmg.extensions import db
from pmg.review import bulk, operations
from pmg.review.models import Outcome
from pmg.submissions.models import Submission, SubmissionState
from tests.factories import create_cycle, create_user, load_starting_catalog, observe_one
from tests.review.queue_data import approved, resubmitted_and_taken, submitted, taken
from tests.review.test_routes import NO_SUCH_NUMBER


@pytest.fixture
def cycle(app: Flask) -> Cycle:
    made = create_cycle()
    load_starting_catalog(made)
    return made


@pytest.fixture
def reviewer(app: Flask) -> User:
    return create_user(Role.REVIEWER, name="Rosa Revisora")


@pytest.fixture
def other(app: Flask) -> User:
    return create_user(Role.REVIEWER, name="Bruno Revisor")


# Each situation a row can be in for Rosa, and what the queue says of it (None: a box).
SITUATIONS: dict[str, tuple[Callable[[Submission, User, User], Any], str | None]] = {
    "met": (lambda s, me, _: taken(s, me, Outcome.MEETS), None),
    "empty checklist": (
        lambda s, me, _: taken(s, me),
        "Tiene requisitos sin revisar: R01, R02, R03, R04, R06",
    ),
    "one fails": (
        lambda s, me, _: taken(s, me, Outcome.FAILS),
        "Tiene requisitos que no cumplen: R01, R02, R03, R04, R06",
    ),
    "answer not resolved": (
        lambda s, me, _: resubmitted_and_taken(s, me, resolve=False),
        "Tiene 1 observación sin resolver",
    ),
    "answer resolved (saved)": (lambda s, me, _: resubmitted_and_taken(s, me, resolve=True), None),
    "someone else's": (
        lambda s, _, them: taken(s, them, Outcome.MEETS),
        "No está asignado a usted",
    ),
    "not taken": (lambda s, me, _: s, "Falta tomarlo para revisión"),
    "observed": (lambda s, me, _: observe_one(s, me), "Espera la corrección de la institución"),
    "approved": (lambda s, me, _: approved(s, me), "Ya fue decidido: «Aprobado»"),
}


@pytest.mark.parametrize(("make", "reason"), SITUATIONS.values(), ids=SITUATIONS.keys())
def test_the_reason_a_row_cannot_be_approved_is_the_approvals_own(
    cycle: Cycle,
    reviewer: User,
    other: User,
    make: Callable[[Submission, User, User], Any],
    reason: str | None,
) -> None:
    """What the queue says of a row, and whether approving it succeeds, agree."""
    submission = submitted(cycle, "SERVICIO DE PRUEBA")
    make(submission, reviewer, other)
    db.session.expire_all()
    before = submission.state
    assert bulk.refusals(reviewer, [submission]) == {submission.id: reason}
    try:
        bulk.approve(submission, reviewer, submission.lock_version, date.today())
    except DomainError:
        refused = True
        db.session.rollback()
    else:
        refused = False
        db.session.commit()
    assert refused is (reason is not None)
    assert submission.state is (SubmissionState.APPROVED if reason is None else before)


def test_a_row_changed_since_the_page_is_refused_as_stale(cycle: Cycle, reviewer: User) -> None:
    submission = taken(submitted(cycle, "SERVICIO DE PRUEBA"), reviewer, Outcome.MEETS)
    seen = {submission.id: submission.lock_version - 1}
    [reason] = bulk.refusals(reviewer, [submission], seen=seen).values()
    assert reason is not None and "modificó este envío" in reason


def _chosen(*submissions: Submission) -> list[str]:
    return [f"{s.id}:{s.lock_version}" for s in submissions]


@pytest.fixture
def queue(cycle: Cycle, reviewer: User, other: User) -> dict[str, Submission]:
    return {
        "arica": taken(submitted(cycle, "SERVICIO DE SALUD ARICA"), reviewer, Outcome.MEETS),
        "nuble": taken(submitted(cycle, "SERVICIO DE SALUD ÑUBLE"), reviewer, Outcome.MEETS),
        "empty": taken(submitted(cycle, "SERVICIO DE SALUD AYSÉN"), reviewer),
        "theirs": taken(submitted(cycle, "SERVICIO DE SALUD MAULE"), other, Outcome.MEETS),
    }


def test_each_row_has_a_labelled_box_or_says_why_not(
    client: FlaskClient, login_as: Any, queue: dict[str, Submission], reviewer: User
) -> None:
    login_as(reviewer)
    body = client.get("/revision/").get_data(as_text=True)
    arica = queue["arica"]
    box = f'<input type="checkbox" name="chosen" value="{arica.id}:{arica.lock_version}"'
    assert box in body
    assert (
        f'<label for="marcar-{arica.id}">Marcar<span class="visually-hidden"> '
        "SERVICIO DE SALUD ARICA diagnóstico de brechas</span></label>"
    ) in body
    assert body.count('type="checkbox" name="chosen"') == 2
    assert "Tiene requisitos sin revisar: R01" in body
    assert "No está asignado a usted" in body
    assert "Aprobar los envíos marcados" in body
    assert "data-aviso-cambios" in body  # ticks are not lost to a link without a question


def test_staff_who_do_not_review_see_no_bulk_column(
    client: FlaskClient, login_as: Any, queue: dict[str, Submission]
) -> None:
    login_as(create_user(Role.ADMIN))
    body = client.get("/revision/").get_data(as_text=True)
    assert "Aprobar en bloque" not in body and 'name="chosen"' not in body
    assert "SERVICIO DE SALUD ARICA" in body


def test_bulk_approval_asks_first_then_says_what_became_of_each_row(
    client: FlaskClient, login_as: Any, queue: dict[str, Submission], reviewer: User
) -> None:
    login_as(reviewer)
    chosen = _chosen(queue["arica"], queue["nuble"], queue["empty"])
    listing = "?q=salud&orden=vence&pagina=1"
    response = client.post(f"/revision/aprobar{listing}", data={"chosen": chosen})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Se aprobarán 2 envíos:" in page
    assert "<li>SERVICIO DE SALUD ARICA · Diagnóstico de brechas</li>" in page
    assert "<li>SERVICIO DE SALUD ÑUBLE · Diagnóstico de brechas</li>" in page
    assert "SERVICIO DE SALUD AYSÉN · Diagnóstico de brechas: Tiene requisitos sin revisar" in page
    kept = re.findall(r'<input type="hidden" name="chosen" value="([^"]+)">', page)
    assert kept == _chosen(queue["arica"], queue["nuble"])
    assert 'action="/revision/aprobar?q=salud&amp;orden=vence&amp;pagina=1"' in page
    back = f"/revision/?q=salud&amp;orden=vence&amp;pagina=1&amp;marcado={queue['arica'].id}"
    assert back in page
    db.session.expire_all()
    assert queue["arica"].state is SubmissionState.IN_REVIEW  # nothing yet

    response = client.post(f"/revision/aprobar{listing}", data={"chosen": kept, "confirmar": "si"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/revision/{listing}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "Se aprobaron 2 envíos: SERVICIO DE SALUD ARICA · Diagnóstico de brechas; "
        "SERVICIO DE SALUD ÑUBLE · Diagnóstico de brechas."
    ) in page
    db.session.expire_all()
    assert [queue[k].state for k in ("arica", "nuble", "empty")] == [
        SubmissionState.APPROVED,
        SubmissionState.APPROVED,
        SubmissionState.IN_REVIEW,
    ]
    assert "Ya fue decidido: «Aprobado»" in page


def test_going_back_from_the_confirmation_keeps_the_boxes_ticked(
    client: FlaskClient, login_as: Any, queue: dict[str, Submission], reviewer: User
) -> None:
    login_as(reviewer)
    arica, theirs = queue["arica"], queue["theirs"]
    body = client.get(f"/revision/?marcado={arica.id}&marcado={theirs.id}").get_data(as_text=True)
    assert f'value="{arica.id}:{arica.lock_version}" id="marcar-{arica.id}" checked>' in body
    assert f'id="marcar-{queue["nuble"].id}">' in body  # not chosen: not ticked
    assert body.count(" checked>") == 1  # theirs has no box to tick


def test_a_row_decided_by_someone_else_meanwhile_is_refused_by_name(
    client: FlaskClient,
    login_as: Any,
    queue: dict[str, Submission],
    reviewer: User,
    other: User,
) -> None:
    """Rosa confirms two rows; meanwhile an admin gave one to Bruno, who approved it."""
    login_as(reviewer)
    arica, nuble = queue["arica"], queue["nuble"]
    chosen = _chosen(arica, nuble)
    operations.assign(nuble, other, create_user(Role.ADMIN), nuble.lock_version)
    db.session.commit()
    approved(nuble, other)
    response = client.post(
        "/revision/aprobar", data={"chosen": chosen, "confirmar": "si"}, follow_redirects=True
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Se aprobó 1 envío: SERVICIO DE SALUD ARICA · Diagnóstico de brechas." in page
    assert "No se aprobó SERVICIO DE SALUD ÑUBLE · Diagnóstico de brechas: " in page
    assert "Bruno Revisor modificó este envío" in page and "«Aprobado»" in page
    db.session.expire_all()
    assert (arica.state, nuble.state) == (SubmissionState.APPROVED, SubmissionState.APPROVED)


def test_the_confirmation_lists_a_row_that_changed_since_the_queue(
    client: FlaskClient, login_as: Any, queue: dict[str, Submission], reviewer: User
) -> None:
    login_as(reviewer)
    arica = queue["arica"]
    chosen = _chosen(arica)
    approved(arica, reviewer)
    page = client.post("/revision/aprobar", data={"chosen": chosen}).get_data(as_text=True)
    assert "Ninguno de los envíos marcados se puede aprobar en bloque." in page
    assert "Rosa Revisora modificó este envío" in page
    assert 'name="confirmar"' not in page and 'type="hidden" name="chosen"' not in page


def test_nothing_chosen_goes_back_to_the_same_queue(
    client: FlaskClient, login_as: Any, queue: dict[str, Submission], reviewer: User
) -> None:
    login_as(reviewer)
    response = client.post("/revision/aprobar?q=salud&pagina=2", data={})
    assert response.status_code == 302
    assert response.headers["Location"] == "/revision/?q=salud&pagina=2"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Marque al menos un envío para aprobar." in page


@pytest.mark.parametrize("value", NO_SUCH_NUMBER.values(), ids=NO_SUCH_NUMBER.keys())
@pytest.mark.parametrize("template", ["{value}:1", "{submission}:{value}"])
def test_bulk_approval_of_a_value_no_page_writes_approves_nothing(
    client: FlaskClient,
    login_as: Any,
    queue: dict[str, Submission],
    reviewer: User,
    template: str,
    value: str,
) -> None:
    login_as(reviewer)
    submission = queue["arica"]
    chosen = template.format(value=value, submission=submission.id)
    for confirmed in ({}, {"confirmar": "si"}):
        response = client.post(
            "/revision/aprobar?tipo=diagnostic", data={"chosen": [chosen], **confirmed}
        )
        assert response.status_code == 302
        assert response.headers["Location"] == "/revision/?tipo=diagnostic"
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "Marque al menos un envío para aprobar." in page
    db.session.expire_all()
    assert submission.state is SubmissionState.IN_REVIEW


def test_bulk_approval_of_the_largest_id_says_it_is_not_in_the_queue(
    client: FlaskClient, login_as: Any, reviewer: User, cycle: Cycle
) -> None:
    login_as(reviewer)
    for confirmed in ({}, {"confirmar": "si"}):
        response = client.post(
            "/revision/aprobar",
            data={"chosen": ["2147483647:1"], **confirmed},
            follow_redirects=True,
        )
        assert response.status_code == 200
        assert "Envío 2147483647: No está en la cola de revisión del ciclo vigente" in (
            response.get_data(as_text=True)
        )
