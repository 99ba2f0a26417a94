"""The demo's work in flight: what each workspace finds to do after ``flask pmg demo``.

One demo is loaded for the module (the tests only read it and sign in), on the day the
pages count from, so the deadlines they print are the ones the demo set.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from pmg.audit.models import AuditEntry
from pmg.audit.operations import verify_chain
from pmg.auth.models import NO_PASSWORD, User
from pmg.core.filters import format_date
from pmg.cycles.queries import chile_today, current_cycle
from pmg.demo.operations import DemoResult, load_demo
from pmg.extensions import db
from pmg.institutions.models import Institution
from pmg.review import bulk
from pmg.review.models import Decision, ObservationState
from pmg.review.queries import current_review, observations_of
from pmg.review.queue import QueueFilters, QueueSort, review_queue
from pmg.submissions.models import Action, Submission, SubmissionKind, SubmissionState
from pmg.submissions.queries import find_submission, history_of
from tests.conftest import BrowserLikeClient, empty_database, login, make_app

S = SubmissionState
REVIEWER, COORDINATOR = "revisor@demo.pmg.cl", "coordinador@demo.pmg.cl"


@dataclass
class Demo:
    app: Flask
    result: DemoResult

    def client_of(self, email: str) -> FlaskClient:
        client = self.app.test_client()
        password = next(a.password for a in self.result.accounts if a.email == email)
        assert login(client, email, password).status_code == 302
        return client


@pytest.fixture(scope="module")
def demo(migrated_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    folder: Path = tmp_path_factory.mktemp("demo-work")
    app = make_app(empty_database(migrated_database, folder), folder)
    app.test_client_class = BrowserLikeClient
    with app.app_context():
        result = load_demo(chile_today())
        db.session.commit()
        yield Demo(app, result)
        db.session.remove()
        db.engine.dispose()


def submission(code: str, kind: SubmissionKind = SubmissionKind.DIAGNOSTIC) -> Submission:
    institution = db.session.scalar(select(Institution).where(Institution.code == code))
    found = find_submission(institution, current_cycle(), kind)
    assert found is not None, (code, kind)
    return found


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def actions(found: Submission) -> list[tuple[Action, str]]:
    return [(change.action, change.actor.email) for change in history_of(found)]


def text_of(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.get_data(as_text=True)))


def test_the_first_institution_is_observed_on_two_requirements_one_at_a_field(
    demo: Demo,
) -> None:
    diagnostic = submission("1306")
    assert (diagnostic.state, diagnostic.reviewer) == (S.OBSERVED, user(REVIEWER))
    assert actions(diagnostic) == [
        (Action.SUBMIT, COORDINATOR),
        (Action.TAKE, REVIEWER),
        (Action.OBSERVE, REVIEWER),
    ]
    observed = observations_of(diagnostic)
    assert [(o.requirement.code, o.path, o.state) for o in observed] == [
        ("R01", "responsible.team", ObservationState.OPEN),
        ("R06", "", ObservationState.OPEN),
    ]
    assert diagnostic.correction_deadline == diagnostic.cycle.correction_end
    plan = submission("1306", SubmissionKind.PLAN)
    assert (plan.state, plan.versions, plan.draft_saved_by) == (S.DRAFT, [], user(COORDINATOR))
    assert plan.draft["actions"][0]["gaps"] == ["brecha-1"]


def test_the_coordinators_home_and_form_show_the_observations(demo: Demo) -> None:
    client = demo.client_of(COORDINATOR)
    diagnostic = submission("1306")
    due = format_date(diagnostic.correction_deadline)
    home = text_of(client, "/")
    assert f"Responda 2 observaciones del diagnóstico de brechas antes del {due}." in home
    assert "Sin comenzar" not in home
    html = client.get("/instituciones/1306/diagnostico").get_data(as_text=True)
    team, gaps = observations_of(diagnostic)
    # The one with a path describes its field; the other is shown at its section.
    described = re.search(r'<textarea[^>]*name="responsible-team"[^>]*>', html)
    assert described is not None
    assert f'aria-describedby="responsible-team-ayuda observacion-{team.id}-nota"' in (
        described.group(0)
    )
    assert f'id="observacion-{gaps.id}-nota"' in html


def test_the_second_institution_has_its_diagnostic_approved_and_its_plan_sent(
    demo: Demo,
) -> None:
    diagnostic = submission("1303")
    assert diagnostic.state is S.APPROVED
    review = current_review(diagnostic)
    assert review is not None and review.decision is Decision.APPROVE
    plan = submission("1303", SubmissionKind.PLAN)
    assert (plan.state, plan.reviewer, len(plan.versions)) == (S.SUBMITTED, None, 1)
    client = demo.client_of(COORDINATOR)
    year = diagnostic.cycle.year
    assert "Aprobado" in text_of(client, f"/instituciones/1303/{year}/diagnostico/v1")
    document = client.get(f"/instituciones/1303/{year}/diagnostico/v1.pdf")
    assert document.status_code == 200
    assert document.mimetype == "application/pdf" and document.data.startswith(b"%PDF")


def test_the_queue_has_work_in_every_state_of_the_loop(demo: Demo) -> None:
    cycle = current_cycle()
    queue = review_queue(cycle, QueueFilters(), QueueSort())
    assert {state: n for state, n in queue.counts.items() if n} == {
        "submitted": 2,
        "in_review": 2,
        "observed": 1,
        "approved": 1,
    }
    unassigned = review_queue(cycle, QueueFilters(reviewer_id=0), QueueSort())
    assert sorted(
        (row.submission.institution.code, row.submission.kind) for row in unassigned.rows
    ) == [("1303", SubmissionKind.PLAN), ("1304", SubmissionKind.DIAGNOSTIC)]


def test_one_row_of_the_reviewers_queue_can_be_approved_in_bulk(demo: Demo) -> None:
    reviewer = user(REVIEWER)
    mine = review_queue(
        current_cycle(), QueueFilters(state=S.IN_REVIEW, reviewer_id=reviewer.id), QueueSort()
    )
    reasons = bulk.refusals(reviewer, mine.submissions)
    ready = [s.institution.code for s in mine.submissions if reasons[s.id] is None]
    assert ready == ["1305"]
    assert actions(submission("1305")) == [
        (Action.SUBMIT, "coordinacion-1305@demo.pmg.cl"),
        (Action.TAKE, REVIEWER),
    ]


def test_a_corrected_diagnostic_is_back_with_its_reviewer_with_its_answer(demo: Demo) -> None:
    corrected = submission("833")
    assert [action for action, _ in actions(corrected)][2:] == [
        Action.OBSERVE,
        Action.RESUBMIT,
        Action.RETURN,
    ]
    assert (corrected.state, corrected.reviewer) == (S.IN_REVIEW, user(REVIEWER))
    (observation,) = observations_of(corrected)
    assert (observation.path, observation.state) == (
        "gaps.brecha-1.expected_value",
        ObservationState.ANSWERED,
    )
    first, second = corrected.versions
    assert first.content_hash != second.content_hash
    assert second.content["content"]["gaps"][0]["expected_value"].startswith("0 solicitudes")


def test_every_step_is_in_the_audit_trail_and_every_version_keeps_its_hash(
    demo: Demo,
) -> None:
    changes = [
        change for found in db.session.scalars(select(Submission)) for change in history_of(found)
    ]
    recorded = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.action.like("submission.%"))
    ).all()
    assert sorted(recorded) == sorted(f"submission.{c.action.value}" for c in changes)
    assert verify_chain().ok
    for found in db.session.scalars(select(Submission)):
        for version in found.versions:
            digest = hashlib.sha256(version.content_json.encode("utf-8")).hexdigest()
            assert digest == version.content_hash


def test_the_extra_coordinators_cannot_sign_in(demo: Demo) -> None:
    extra = db.session.scalars(
        select(User).where(User.email.like("coordinacion-%@demo.pmg.cl")).order_by(User.email)
    ).all()
    assert [(u.email, [i.code for i in u.institutions]) for u in extra] == [
        ("coordinacion-1304@demo.pmg.cl", ["1304"]),
        ("coordinacion-1305@demo.pmg.cl", ["1305"]),
        ("coordinacion-833@demo.pmg.cl", ["833"]),
    ]
    assert all(account.password_hash == NO_PASSWORD for account in extra)


def test_the_demo_says_what_to_try(demo: Demo) -> None:
    diagnostic = submission("1306")
    due = format_date(diagnostic.correction_deadline)
    assert demo.result.to_try[0] == (
        "revisor@demo.pmg.cl tiene 4 envíos por revisar: 2 sin asignar en la cola y 2 en "
        "revisión a su nombre (1 listo para aprobar en bloque, 1 corregido por la institución)."
    )
    assert demo.result.to_try[1] == (
        "coordinador@demo.pmg.cl, 1306 COMISION NACIONAL DE RIEGO: Responda 2 observaciones "
        f"del diagnóstico de brechas antes del {due}."
    )
    assert demo.result.to_try[2].startswith(
        "coordinador@demo.pmg.cl, 1303 INSTITUTO DE DESARROLLO AGROPECUARIO: Espere la "
        "revisión del plan de mejora (enviado el "
    )
