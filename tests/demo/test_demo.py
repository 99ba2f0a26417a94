from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from pmg.auth.models import User
from pmg.core.permissions import Role
from pmg.cycles.models import Cycle, WindowKind
from pmg.cycles.queries import chile_today, current_cycle
from pmg.demo.operations import ACCOUNTS, CATALOG, load_demo, open_demo_cycle
from pmg.extensions import db
from pmg.indicators.models import ComplaintFigures, CycleTargets, Procedure, SaipFigures
from pmg.institutions.importer import import_catalog
from pmg.institutions.models import Institution
from pmg.plans.rules import evaluate as evaluate_plan
from pmg.review import bulk
from pmg.review.models import Observation
from pmg.submissions.evaluation import SubmissionContext
from pmg.submissions.models import (
    StateChange,
    Submission,
    SubmissionKind,
    SubmissionState,
    SubmissionVersion,
)
from pmg.submissions.operations import open_submission, save_draft
from pmg.submissions.queries import find_submission
from tests.conftest import BrowserLikeClient
from tests.factories import create_cycle, create_user, diagnostic_draft, plan_draft

TODAY = date(2026, 4, 15)
EMAILS = [
    "admin@demo.pmg.cl",
    "revisor@demo.pmg.cl",
    "dipres@demo.pmg.cl",
    "coordinador@demo.pmg.cl",
]


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def demo_user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def logs_in(app: Flask, email: str, password: str) -> bool:
    """Whether a fresh browser signs in with these credentials and reaches the home page."""
    app.test_client_class = BrowserLikeClient
    client = app.test_client()
    response = client.post("/ingresar", data={"email": email, "password": password})
    if response.status_code != 302:
        return False
    return "Bienvenido/a" in client.get("/").get_data(as_text=True)


def test_demo_loads_the_catalog_a_current_cycle_and_four_accounts(app: Flask) -> None:
    result = load_demo(TODAY)
    db.session.commit()
    assert count(Institution) == 166
    assert result.catalog_summary == "created 166, updated 0, unchanged 0, skipped 2"
    cycle = current_cycle()
    assert cycle is result.cycle
    assert (cycle.year, cycle.reference_year) == (2026, 2025)
    for kind in WindowKind:
        assert cycle.window_is_open(kind, TODAY) is (kind is not WindowKind.CLOSE)
    assert [(account.role, account.email) for account in result.accounts] == [
        (Role.ADMIN, "admin@demo.pmg.cl"),
        (Role.REVIEWER, "revisor@demo.pmg.cl"),
        (Role.DIPRES, "dipres@demo.pmg.cl"),
        (Role.COORDINATOR, "coordinador@demo.pmg.cl"),
    ]
    assert all(len(account.password) >= 12 for account in result.accounts)
    assert len({account.password for account in result.accounts}) == 4


def test_demo_coordinator_manages_exactly_1306_and_1303(app: Flask) -> None:
    load_demo(TODAY)
    db.session.commit()
    coordinator = demo_user("coordinador@demo.pmg.cl")
    assert sorted((i.code, i.name) for i in coordinator.institutions) == [
        ("1303", "INSTITUTO DE DESARROLLO AGROPECUARIO"),
        ("1306", "COMISION NACIONAL DE RIEGO"),
    ]
    for email in EMAILS[:3]:
        assert demo_user(email).institutions == []


def test_demo_passwords_log_in(app: Flask) -> None:
    result = load_demo(chile_today())
    db.session.commit()
    for account in result.accounts:
        assert logs_in(app, account.email, account.password), account.email


def test_demo_runs_twice_without_duplicates_and_with_new_passwords(app: Flask) -> None:
    first = load_demo(TODAY)
    db.session.commit()
    second = load_demo(TODAY + timedelta(days=3))
    db.session.commit()
    assert second.catalog_summary == "created 0, updated 0, unchanged 166, skipped 2"
    assert count(Institution) == 166
    assert count(Cycle) == 1
    assert count(User) == 4 + 3  # and the coordinators of the other institutions in flight
    assert second.cycle is first.cycle
    assert second.cycle.diagnostic_start == TODAY + timedelta(days=3) - timedelta(days=30)
    assert len(demo_user("coordinador@demo.pmg.cl").institutions) == 2
    for old, new in zip(first.accounts, second.accounts, strict=True):
        assert old.password != new.password
        assert not logs_in(app, old.email, old.password)
        assert logs_in(app, new.email, new.password)


def test_demo_reopens_the_cycle_of_the_year_and_makes_it_current(app: Flask) -> None:
    create_cycle(2025)
    create_cycle(
        2026,
        current=False,
        diagnostic_start=date(2026, 1, 5),
        diagnostic_end=date(2026, 1, 31),
        plan_start=date(2026, 2, 2),
        plan_end=date(2026, 2, 28),
    )
    load_demo(TODAY)
    db.session.commit()
    current = db.session.scalars(select(Cycle.year).where(Cycle.is_current.is_(True))).all()
    assert current == [2026]
    cycle = current_cycle()
    assert cycle.window_is_open(WindowKind.DIAGNOSTIC, TODAY)
    assert cycle.window_is_open(WindowKind.PLAN, TODAY)


def test_demo_resets_an_account_that_was_changed(app: Flask) -> None:
    load_demo(TODAY)
    db.session.commit()
    coordinator = demo_user("coordinador@demo.pmg.cl")
    coordinator.role = Role.DIPRES
    coordinator.institutions = []
    coordinator.active = False
    db.session.commit()
    result = load_demo(TODAY)
    db.session.commit()
    coordinator = demo_user("coordinador@demo.pmg.cl")
    assert (coordinator.role, coordinator.active) == (Role.COORDINATOR, True)
    assert sorted(i.code for i in coordinator.institutions) == ["1303", "1306"]
    assert logs_in(app, coordinator.email, result.accounts[-1].password)


def test_demo_command_prints_the_accounts_and_where_to_go(app: Flask, runner: Any) -> None:
    outcome = runner.invoke(args=["pmg", "demo"])
    assert outcome.exit_code == 0, outcome.output
    output = outcome.output
    assert "Catálogo de instituciones: created 166, updated 0, unchanged 0, skipped 2" in output
    year = chile_today().year
    assert f"Ciclo vigente: {year} (año de referencia {year - 1})" in output
    printed = dict(re.findall(r"^\s+.+?\s{2,}(\S+@demo\.pmg\.cl)\s{2,}(\S+)$", output, re.M))
    assert sorted(printed) == sorted(spec.email for spec in ACCOUNTS)
    for email, password in printed.items():
        assert len(password) >= 12
        assert logs_in(app, email, password), email
    assert "coordinador@demo.pmg.cl gestiona 1306 COMISION NACIONAL DE RIEGO" in output
    assert "coordinacion-" not in output  # the other coordinators do not sign in
    to_try = output[output.index("Para probar:") :].splitlines()[1:4]
    assert [line.split(" tiene ")[0].split(",")[0].strip() for line in to_try] == [
        "revisor@demo.pmg.cl",
        "coordinador@demo.pmg.cl",
        "coordinador@demo.pmg.cl",
    ]
    assert output.rstrip().endswith("Abra http://127.0.0.1:5000")


@pytest.mark.parametrize(
    "today", [date(2026, 11, 30), date(2026, 12, 31), date(2027, 1, 1), date(2026, 4, 15)]
)
def test_a_first_plan_with_actions_in_the_coming_months_is_accepted(
    app: Flask, today: date
) -> None:
    """Whatever the day the demo is loaded, the dates a new user naturally types pass."""
    cycle = load_demo(today).cycle
    start, end = today + timedelta(days=7), today + timedelta(days=180)
    assert cycle.execution_start <= today and cycle.execution_end >= end
    draft = plan_draft()
    for action in draft["actions"]:
        action["start_date"], action["end_date"] = start.isoformat(), end.isoformat()
    institution = db.session.scalar(select(Institution).where(Institution.code == "1306"))
    context = SubmissionContext(institution, cycle, {"content": diagnostic_draft()})
    result = evaluate_plan(draft, context, complete=False)
    assert [f for f in result.errors + result.warnings if "fecha" in f.message.lower()] == []
    assert [f for f in result.warnings if "cierre" in f.message] == []


def test_demo_imports_the_history_of_the_coordinators_institutions_once(app: Flask) -> None:
    first = load_demo(TODAY)
    db.session.commit()
    assert first.history == (
        "Consolidado de reclamos, años 2024, 2025. Metas del ciclo 2026.",
        "Consolidado de solicitudes de acceso a información (SAIP), años 2024, 2025. "
        "Metas del ciclo 2026.",
        "Consolidado de trámites y servicios relevantes, años 2024, 2025.",
    )
    codes = select(Institution.code, Institution.report_code).where(Institution.report_code != "")
    assert sorted(db.session.execute(codes).all()) == [("1303", "102"), ("1306", "101")]
    riego = db.session.scalar(select(Institution).where(Institution.code == "1306"))
    figures = db.session.scalar(
        select(ComplaintFigures).where(
            ComplaintFigures.institution_id == riego.id, ComplaintFigures.year == 2025
        )
    )
    assert (figures.received, figures.answered, figures.mean_days) == (135, 131, 7.9)
    counts = [count(model) for model in (ComplaintFigures, SaipFigures, Procedure, CycleTargets)]
    assert counts == [4, 4, 2, 2]
    load_demo(TODAY)
    db.session.commit()
    assert [count(model) for model in (ComplaintFigures, SaipFigures, Procedure, CycleTargets)] == (
        counts
    )


def test_a_second_run_keeps_the_work_in_flight_and_what_people_did_since(app: Flask) -> None:
    load_demo(TODAY)
    db.session.commit()
    reviewer = demo_user("revisor@demo.pmg.cl")
    coordinator = demo_user("coordinador@demo.pmg.cl")
    ready = submission_of("1305", SubmissionKind.DIAGNOSTIC)
    bulk.approve(ready, reviewer, ready.lock_version, TODAY)
    plan = submission_of("1306", SubmissionKind.PLAN)
    typed = {**plan.draft, "actions": []}
    save_draft(plan, typed, coordinator, plan.lock_version)
    db.session.commit()
    before = [count(model) for model in (Submission, SubmissionVersion, StateChange, Observation)]

    second = load_demo(TODAY + timedelta(days=3))
    db.session.commit()

    after = [count(model) for model in (Submission, SubmissionVersion, StateChange, Observation)]
    assert after == before
    assert submission_of("1305", SubmissionKind.DIAGNOSTIC).state is SubmissionState.APPROVED
    assert submission_of("1306", SubmissionKind.PLAN).draft == typed
    assert second.to_try[0] == (
        "revisor@demo.pmg.cl tiene 3 envíos por revisar: 2 sin asignar en la cola y 1 en "
        "revisión a su nombre (0 listos para aprobar en bloque, 1 corregido por la institución)."
    )


def test_an_institution_someone_started_is_left_as_it_is(app: Flask) -> None:
    """A cycle where a coordinator began the first institution's diagnostic before the demo
    made its work (an older demo's data): the draft stays, the other stories are told."""
    import_catalog(CATALOG.read_bytes())
    cycle = open_demo_cycle(TODAY)
    riego = db.session.scalar(select(Institution).where(Institution.code == "1306"))
    started = open_submission(riego, cycle, SubmissionKind.DIAGNOSTIC)
    someone = create_user(Role.COORDINATOR, institutions=[riego])
    save_draft(started, {"responsible": {"name": "Ana Pérez"}}, someone, started.lock_version)
    db.session.commit()

    load_demo(TODAY)
    db.session.commit()

    diagnostic = submission_of("1306", SubmissionKind.DIAGNOSTIC)
    assert (diagnostic.state, diagnostic.draft) == (
        SubmissionState.DRAFT,
        {"responsible": {"name": "Ana Pérez"}},
    )
    assert find_submission(riego, cycle, SubmissionKind.PLAN) is None
    assert submission_of("1303", SubmissionKind.DIAGNOSTIC).state is SubmissionState.APPROVED


def submission_of(code: str, kind: SubmissionKind) -> Submission:
    institution = db.session.scalar(select(Institution).where(Institution.code == code))
    found = find_submission(institution, current_cycle(), kind)
    assert found is not None
    return found
