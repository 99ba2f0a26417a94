"""The world the dashboard's tests look at: institutions of several ministries and stages
in every standing, late on both sides of each deadline, and reviewers' decisions at known
times, all made through the real operations (its fixtures: conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from pmg.auth.models import User
from pmg.core.permissions import Role
from pmg.cycles.models import Cycle
from pmg.extensions import db
from pmg.institutions.models import Institution, Ministry, Stage
from pmg.review import operations as review
from pmg.review.models import Decision, Outcome
from pmg.review.queries import current_review
from pmg.submissions.models import Submission, SubmissionKind
from pmg.submissions.operations import open_submission
from tests.factories import (
    create_cycle,
    create_institution,
    create_ministry,
    create_submitted_diagnostic,
    create_submitted_plan,
    create_user,
    load_starting_catalog,
    observe,
)
from tests.review.queue_data import approved, taken

D, P = SubmissionKind.DIAGNOSTIC, SubmissionKind.PLAN
T0 = date.today()  # when the world is made (the operations check their windows against it)
VIEW = T0 + timedelta(days=3)  # the day the dashboard is looked at
# When each transition happens (pmg.submissions.workflow.utcnow): noon in Chile, day 0.
BASE = datetime(2026, 3, 2, 15, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = BASE

    def __call__(self) -> datetime:
        return self.now

    def day(self, offset: int) -> None:
        self.now = BASE + timedelta(days=offset)


@dataclass(frozen=True)
class Place:
    """An institution of the world and what the test expects of it on :data:`VIEW`."""

    name: str
    ministry: str
    stage: Stage
    diagnostic: str  # the standing value expected
    plan: str = "sin_iniciar"
    diagnostic_late: bool = False
    counted: bool = True


PLACES = (
    Place("HOSPITAL A", "SALUD", Stage.STAGE_1, "approved", plan="submitted"),
    Place("HOSPITAL B", "SALUD", Stage.STAGE_2, "observed", diagnostic_late=True),
    Place("HOSPITAL C", "SALUD", Stage.STAGE_3, "observed"),  # due on VIEW: not late yet
    Place("ESCUELA D", "EDUCACIÓN", Stage.STAGE_1, "draft", diagnostic_late=True),
    Place("ESCUELA E", "EDUCACIÓN", Stage.SAIP, "sin_iniciar", diagnostic_late=True),
    Place("ESCUELA F", "EDUCACIÓN", Stage.STAGE_2, "in_review"),
    Place("TESORERÍA G", "HACIENDA", Stage.STAGE_3, "rejected"),
    Place("ADUANA H", "HACIENDA", Stage.STAGE_1, "sin_iniciar", counted=False),  # inactive
    Place("CASA I", "HACIENDA", Stage.STAGE_1, "sin_iniciar", counted=False),  # not committed
    Place("CASA J", "HACIENDA", Stage.STAGE_2, "submitted"),  # inactive, but it sent
)
COUNTED = [place for place in PLACES if place.counted]


@dataclass
class World:
    cycle: Cycle
    rosa: User
    bruno: User
    nadia: User
    ministries: dict[str, Ministry]
    institutions: dict[str, Institution]


def build_world(clock: Clock) -> World:
    """:data:`PLACES` made through the real operations. The diagnostic's window ends on T0
    and the plan's on VIEW; HOSPITAL B is observed with the correction deadline T0 + 1 and
    HOSPITAL C with VIEW. Rosa decides A (2 days after it was sent), B (1) and C (5) and
    holds F; Bruno rejects G (3)."""
    cycle = create_cycle(diagnostic_end=T0, plan_end=VIEW, correction_end=T0 + timedelta(days=1))
    load_starting_catalog(cycle)
    rosa = create_user(Role.REVIEWER, name="Rosa Revisora")
    bruno = create_user(Role.REVIEWER, name="Bruno Revisor")
    nadia = create_user(Role.REVIEWER, name="Nadia Revisora")
    create_user(Role.REVIEWER, name="Inés Inactiva", active=False)
    ministries = {
        name: create_ministry(f"MINISTERIO DE {name}")
        for name in ("SALUD", "EDUCACIÓN", "HACIENDA")
    }
    places = {
        place.name: create_institution(
            name=place.name, ministry=ministries[place.ministry], stage=place.stage
        )
        for place in PLACES
    }

    def sent(name: str) -> Submission:
        clock.day(0)
        version = create_submitted_diagnostic(places[name], cycle)
        return version.submission  # type: ignore[no-any-return]

    clock.day(0)
    hospital_a = create_submitted_plan(places["HOSPITAL A"], cycle)
    diagnostic_a = db.session.scalar(
        select(Submission).where(
            Submission.institution_id == places["HOSPITAL A"].id, Submission.kind == D
        )
    )
    assert hospital_a is not None and diagnostic_a is not None
    clock.day(2)
    approved(diagnostic_a, rosa)
    hospital_b = sent("HOSPITAL B")
    clock.day(1)
    observe(hospital_b, rosa)
    hospital_c = sent("HOSPITAL C")
    cycle.correction_end = VIEW
    db.session.commit()
    clock.day(5)
    observe(hospital_c, rosa)
    cycle.correction_end = T0 + timedelta(days=1)
    open_submission(places["ESCUELA D"], cycle, D)
    db.session.commit()
    taken(sent("ESCUELA F"), rosa)
    tesoreria = sent("TESORERÍA G")
    clock.day(3)
    taken(tesoreria, bruno, Outcome.FAILS)
    review_g = current_review(tesoreria)
    assert review_g is not None
    review.decide(
        review_g, Decision.REJECT, bruno, tesoreria.lock_version, T0, note="No cumple R01."
    )
    sent("CASA J")
    places["ADUANA H"].active = False
    places["CASA I"].commits_system = False
    places["CASA J"].active = False
    db.session.commit()
    return World(cycle, rosa, bruno, nadia, ministries, places)
