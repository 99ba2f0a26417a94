"""A page costs the same SQL statements whatever the data: none issues a query per row.

Each page of :data:`PAGES` is read by its reader (its role; a coordinator, of the
institution the page concerns) with one institution in each situation of :data:`STORIES`
(submissions in each state, indicator history, targets), then again after 34 more
institutions like them and a richer history of the institution whose page is read (more
years, more procedures). Both times the statements are counted (a ``before_cursor_execute``
event) of a request that computes the page (what :mod:`pmg.core.caching` kept cleared
first) and of the next one, which reads what that one kept: each count must be the same
with more data, and for a page that keeps something the second smaller than the first.
``benchmarks/pages.py`` measures the same pages' speed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pmg.auth.models import User
from pmg.core.permissions import Role
from pmg.cycles.models import Cycle
from pmg.extensions import cache, db
from pmg.indicators.models import (
    ComplaintFigures,
    CycleTargets,
    Procedure,
    ProcedureFigures,
    SaipFigures,
    TimeUnit,
)
from pmg.institutions.models import Institution, Ministry, Stage
from pmg.review.models import Outcome
from pmg.submissions.models import Submission, SubmissionKind
from pmg.submissions.operations import open_submission, save_draft
from tests.conftest import BrowserLikeClient, empty_database, login, make_app
from tests.exports.queries import counting_queries
from tests.factories import (
    create_cycle,
    create_institution,
    create_ministry,
    create_submitted_diagnostic,
    create_submitted_plan,
    create_user,
    diagnostic_draft,
    load_starting_catalog,
    observe_one,
)
from tests.review.queue_data import approved, resubmitted_and_taken, taken


@dataclass(frozen=True)
class Page:
    path: str  # ``{code}``: the first institution of ``story``; ``{year}``: the cycle's
    role: Role  # a coordinator: of that institution
    story: str = "_approved_with_plan"  # the institution with the most behind it
    keeps: bool = False  # keeps what it computed (pmg.core.caching): the next reads less

    @property
    def reader(self) -> tuple[Role, str]:
        return (self.role, self.story if self.role is Role.COORDINATOR else "")


DIAGNOSTIC = "/instituciones/{code}/diagnostico"
# One line per page.
PAGES = (
    Page("/", Role.DIPRES, keeps=True),
    Page("/", Role.COORDINATOR, "_draft"),
    Page("/instituciones/", Role.DIPRES, keeps=True),
    Page("/instituciones/{code}", Role.DIPRES, keeps=True),
    Page(DIAGNOSTIC, Role.COORDINATOR, "_nothing"),
    Page(DIAGNOSTIC, Role.COORDINATOR, "_draft"),
    Page(DIAGNOSTIC + "/revisar", Role.COORDINATOR, "_draft"),
    Page("/instituciones/{code}/plan", Role.COORDINATOR, "_approved"),
    Page("/instituciones/{code}/plan", Role.COORDINATOR, keeps=True),  # sent: a document
    Page("/instituciones/{code}/{year}/diagnostico/v1", Role.DIPRES, "_met", keeps=True),
    Page("/revision/", Role.REVIEWER, keeps=True),
    Page("/revision/{code}/{year}/diagnostico", Role.REVIEWER, "_met"),
    Page("/admin/auditoria", Role.ADMIN, keeps=True),
    Page("/reportes/", Role.DIPRES),
)
MORE = 34


@dataclass(frozen=True)
class Cast:
    cycle: Cycle
    reviewer: User  # the one who reads the queue: some rows are theirs to approve
    ministries: tuple[Ministry, ...]


# --- Indicator history ------------------------------------------------------------------


def _history(institution: Institution, cycle: Cycle, years: range, procedures: int) -> None:
    """Complaints and SAIP of ``years``, ``procedures`` procedures with their figures, and
    the cycle's targets (once)."""
    for year in years:
        figures: dict[str, Any] = {
            "received": 120 + year % 7,
            "answered": 110,
            "mean_days": 8.5,
            "median_days": 7.0,
            "min_days": 1.0,
            "max_days": 30.0,
            "answered_over_20": 5,
        }
        db.session.add(ComplaintFigures(institution=institution, year=year, **figures))
        within = {"answered_within_10": 60, "answered_within_15": 90, "answered_within_20": 105}
        db.session.add(SaipFigures(institution=institution, year=year, **figures, **within))
    known = len(db.session.scalars(db.select(Procedure).filter_by(institution=institution)).all())
    for number in range(known, known + procedures):
        procedure = Procedure(
            institution=institution,
            name=f"Trámite de prueba {number + 1}",
            start_milestone="Ingreso de la solicitud",
            end_milestone="Notificación de la resolución",
            expected_time=10.0,
            time_unit=TimeUnit.BUSINESS_DAYS,
        )
        db.session.add(procedure)
        for year in range(cycle.reference_year - 3, cycle.reference_year + 1):
            db.session.add(
                ProcedureFigures(
                    procedure=procedure,
                    year=year,
                    mean=9.0,
                    median=8.0,
                    minimum=1.0,
                    maximum=40.0,
                    handled_late=12,
                    handled=400,
                )
            )
    if not db.session.scalar(db.select(CycleTargets).filter_by(institution=institution)):
        db.session.add(
            CycleTargets(
                institution=institution,
                cycle=cycle,
                complaints_answered_pct=97.0,
                complaints_late_pct=5.0,
                complaints_mean_days=8.0,
                saip_answered_pct=100.0,
                saip_late_pct=0.0,
                saip_mean_days=10.0,
            )
        )
    db.session.commit()


# --- What each institution has done in the cycle ------------------------------------------


def _nothing(institution: Institution, cast: Cast) -> None:
    """*Sin iniciar*."""


def _draft(institution: Institution, cast: Cast) -> None:
    coordinator = create_user(Role.COORDINATOR, institutions=[institution])
    submission = open_submission(institution, cast.cycle, SubmissionKind.DIAGNOSTIC)
    save_draft(submission, diagnostic_draft(), coordinator, submission.lock_version)
    db.session.commit()


def _sent(institution: Institution, cast: Cast) -> Submission:
    return create_submitted_diagnostic(institution, cast.cycle).submission  # type: ignore[no-any-return]


def _met(institution: Institution, cast: Cast) -> None:
    """In review with the reader of the queue, every requirement met: approvable in bulk."""
    taken(_sent(institution, cast), cast.reviewer, Outcome.MEETS)


def _failing(institution: Institution, cast: Cast) -> None:
    taken(_sent(institution, cast), create_user(Role.REVIEWER), Outcome.FAILS)


def _observed(institution: Institution, cast: Cast) -> None:
    observe_one(_sent(institution, cast), cast.reviewer)


def _corrected(institution: Institution, cast: Cast) -> None:
    resubmitted_and_taken(_sent(institution, cast), cast.reviewer, resolve=True)


def _approved(institution: Institution, cast: Cast) -> None:
    """The diagnostic approved, the plan not begun."""
    approved(_sent(institution, cast), cast.reviewer)


def _approved_with_plan(institution: Institution, cast: Cast) -> None:
    """The diagnostic approved and the plan sent."""
    create_submitted_plan(institution, cast.cycle)
    approved(open_submission(institution, cast.cycle, SubmissionKind.DIAGNOSTIC), cast.reviewer)


# The first is the institution whose page is read.
STORIES: tuple[Callable[[Institution, Cast], object], ...] = (
    _approved_with_plan,
    _met,
    _observed,
    _draft,
    _corrected,
    _nothing,
    _failing,
    _sent,
    _approved,
)
FEW = len(STORIES)  # one institution of each


def _institutions(cast: Cast, first: int, number: int) -> list[Institution]:
    made = []
    for index in range(first, first + number):
        institution = create_institution(
            ministry=cast.ministries[index % len(cast.ministries)],
            stage=(Stage.STAGE_1, Stage.STAGE_2, Stage.STAGE_3, Stage.SAIP)[index % 4],
        )
        reference = cast.cycle.reference_year
        _history(institution, cast.cycle, range(reference - 1, reference + 1), procedures=1)
        STORIES[index % len(STORIES)](institution, cast)
        made.append(institution)
    return made


# --- Counting -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Counted:
    """A page's statements when it computes everything it shows (nothing kept from an
    earlier request: pmg.core.caching's values cleared), and when it reads what the request
    before kept."""

    computed: int
    kept: int


def _statements(client: FlaskClient, path: str) -> Counted:
    assert client.get(path).status_code == 200, path  # what other caches fill once
    cache.clear()
    with counting_queries() as computing:
        assert client.get(path).status_code == 200, path
    with counting_queries() as keeping:
        assert client.get(path).status_code == 200, path
    return Counted(len(computing), len(keeping))


def _counts(
    clients: dict[tuple[Role, str], FlaskClient], codes: dict[str, str], year: int
) -> dict[Page, Counted]:
    return {
        page: _statements(clients[page.reader], page.path.format(code=codes[page.story], year=year))
        for page in PAGES
    }


def _reader(app: Flask, page: Page, institutions: dict[str, Institution]) -> FlaskClient:
    """A client signed in as the page's reader (a coordinator: of its story's institution)."""
    client = app.test_client()
    mine = [institutions[page.story]] if page.role is Role.COORDINATOR else None
    assert login(client, create_user(page.role, institutions=mine).email).status_code == 302
    return client


@pytest.fixture(scope="module")
def counted(
    migrated_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[Page, tuple[Counted, Counted]]]:
    """Each page's statements with :data:`FEW` institutions and with :data:`MORE` more."""
    folder: Path = tmp_path_factory.mktemp("query-counts")
    app: Flask = make_app(empty_database(migrated_database, folder), folder)
    app.test_client_class = BrowserLikeClient
    with app.app_context():
        cycle = create_cycle(date.today().year)
        load_starting_catalog(cycle)
        ministries = tuple(create_ministry(f"MINISTERIO {n}") for n in range(3))
        cast = Cast(cycle, create_user(Role.REVIEWER, name="Rosa Revisora"), ministries)
        made = _institutions(cast, 0, FEW)
        first = dict(zip((story.__name__ for story in STORIES), made, strict=True))
        clients = {page.reader: _reader(app, page, first) for page in PAGES}
        codes = {story: institution.code for story, institution in first.items()}
        few = _counts(clients, codes, cycle.year)
        _institutions(cast, FEW, MORE)
        reference = cycle.reference_year
        sample = first["_approved_with_plan"]
        _history(sample, cycle, range(reference - 4, reference - 1), procedures=3)
        many = _counts(clients, codes, cycle.year)
        yield {page: (few[page], many[page]) for page in PAGES}
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("page", PAGES, ids=lambda page: f"{page.path} {page.reader}")
def test_a_page_runs_as_many_statements_with_more_data(
    counted: dict[Page, tuple[Counted, Counted]], page: Page
) -> None:
    few, many = counted[page]
    assert many == few, f"{page.path}: {few} with {FEW} institutions, {many} with more"
    if page.keeps:
        assert few.kept < few.computed, f"{page.path} keeps nothing between requests"
