"""Evidence packages asked for in the application: one job per selection under way, built by
a worker that tells its progress, cancelled at its next step, taken up again when its
worker died, failed after too many attempts, removed when asked or expired."""

from __future__ import annotations

import hashlib
import zipfile
from datetime import timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from pmg.audit.models import AuditEntry
from pmg.core.errors import Conflict, DomainError
from pmg.core.jobs import queue
from pmg.core.models import utcnow
from pmg.core.permissions import Role
from pmg.core.transactions import transaction
from pmg.extensions import db
from pmg.packages import operations
from pmg.packages.builder import PackageError
from pmg.packages.models import EvidencePackage, PackageState
from pmg.packages.operations import (
    MAX_ATTEMPTS,
    cancel_package,
    package_files,
    purge_expired,
    remove_package,
    request_package,
    resume_stalled,
)
from pmg.packages.queries import Selection
from pmg.submissions.models import SubmissionKind, SubmissionState
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
)
from tests.jobs import run_jobs, waiting_jobs

JOB = "pmg.packages.operations.build_package_job"
EVERY_VERSION = Selection(cycle_year=2026, all_versions=True)
DIAGNOSTIC = SubmissionKind.DIAGNOSTIC


@pytest.fixture
def asked(app: Flask) -> tuple[Any, EvidencePackage]:
    """A DIPRES analyst's package of cycle 2026, where two institutions sent a diagnostic."""
    cycle = create_cycle(2026)
    for code in ("1306", "201"):
        create_submitted_diagnostic(create_institution(code), cycle)
    run_jobs()  # their PDFs, stored
    analyst = create_user(Role.DIPRES)
    with transaction():
        package, _ = request_package(analyst, cycle, Selection(cycle_year=2026))
    return analyst, package


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_a_request_waits_for_a_worker_and_the_same_request_shares_its_job(
    asked: tuple[Any, EvidencePackage],
) -> None:
    analyst, package = asked
    assert package.state is PackageState.WAITING
    assert (package.done, package.total) == (0, 3)  # two versions and the workbook
    assert waiting_jobs() == [(JOB, (package.id,))]
    with transaction():
        again, shared = request_package(analyst, package.cycle, Selection(cycle_year=2026))
    assert shared and again.id == package.id and waiting_jobs() == [(JOB, (package.id,))]
    with transaction():
        other, shared = request_package(analyst, package.cycle, EVERY_VERSION)
    assert not shared and other.id != package.id
    assert _actions().count("package.request") == 2


def test_a_worker_builds_it_telling_its_progress_then_stores_it_until_it_expires(
    app: Flask, asked: tuple[Any, EvidencePackage]
) -> None:
    _, package = asked
    run_jobs()
    db.session.refresh(package)
    assert package.state is PackageState.READY
    assert (package.done, package.total, package.versions, package.files) == (3, 3, 2, 2)
    assert package.stored_name is not None and package.claim is None
    data = package_files.read(package.stored_name)
    assert package.size == len(data) and package.sha256 == hashlib.sha256(data).hexdigest()
    assert package.finished_at is not None and package.expires_at is not None
    kept_for = timedelta(days=app.config["PMG_PACKAGE_DAYS"])
    assert package.expires_at - package.finished_at == kept_for
    with zipfile.ZipFile(BytesIO(data)) as archive:
        assert "manifest.json" in archive.namelist()


def test_a_package_cancelled_while_it_waits_is_never_built(
    asked: tuple[Any, EvidencePackage],
) -> None:
    analyst, package = asked
    with transaction():
        cancel_package(package, analyst)
    run_jobs()
    db.session.refresh(package)
    assert package.state is PackageState.CANCELLED and package.stored_name is None
    with pytest.raises(Conflict, match="está «Cancelado»: ya no se puede cancelar"):
        cancel_package(package, analyst)


def test_a_package_cancelled_while_it_is_built_stops_at_the_next_step(
    app: Flask, asked: tuple[Any, EvidencePackage], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, package = asked
    build = operations.build_package

    def cancelled_after_the_first_step(cycle: Any, selection: Any, target: Any, told: Any) -> Any:
        def step(done: int, total: int) -> None:
            told(done, total)
            with db.engine.begin() as other:  # the person, from another request
                other.execute(
                    update(EvidencePackage)
                    .where(EvidencePackage.id == package.id)
                    .values(state=PackageState.CANCELLED)
                )

        return build(cycle, selection, target, step)

    monkeypatch.setattr(operations, "build_package", cancelled_after_the_first_step)
    run_jobs()
    db.session.refresh(package)
    assert package.state is PackageState.CANCELLED and package.done == 1
    assert package.stored_name is None
    assert not _folder(app).exists()  # nothing stored


def _folder(app: Flask) -> Path:
    return Path(app.config["PMG_PACKAGE_DIR"])


def _abandoned(package: EvidencePackage, attempts: int) -> None:
    """As a worker killed halfway leaves it: building, its heartbeat old."""
    long_ago = utcnow() - timedelta(hours=1)
    db.session.execute(
        update(EvidencePackage)
        .where(EvidencePackage.id == package.id)
        .values(state=PackageState.BUILDING, heartbeat_at=long_ago, attempts=attempts, done=1)
    )
    db.session.commit()


def test_a_package_whose_worker_died_is_taken_up_again_and_ends_complete(
    asked: tuple[Any, EvidencePackage],
) -> None:
    _, package = asked
    forget_the_jobs()  # the original job: lost with its worker
    _abandoned(package, attempts=1)
    resume_stalled()
    assert waiting_jobs() == [(JOB, (package.id,))]
    run_jobs()
    db.session.refresh(package)
    assert package.state is PackageState.READY and package.attempts == 2


def forget_the_jobs() -> None:
    """Empty the queue, as a job taken by a worker killed since is gone from it."""
    queue().huey.flush()


def test_a_package_a_live_worker_builds_is_not_taken_by_another(
    asked: tuple[Any, EvidencePackage],
) -> None:
    _, package = asked
    forget_the_jobs()
    db.session.execute(
        update(EvidencePackage)
        .where(EvidencePackage.id == package.id)
        .values(state=PackageState.BUILDING, heartbeat_at=utcnow(), attempts=1, claim="a" * 32)
    )
    db.session.commit()
    resume_stalled()
    assert waiting_jobs() == []
    operations.build_package_job(package.id)  # a second job for it: it finds it taken
    db.session.refresh(package)
    assert package.state is PackageState.BUILDING and package.attempts == 1
    assert package.claim == "a" * 32


def test_a_package_whose_job_was_lost_while_it_waited_is_sent_again_once(
    asked: tuple[Any, EvidencePackage],
) -> None:
    _, package = asked
    forget_the_jobs()
    resume_stalled()
    assert waiting_jobs() == []  # its heartbeat is fresh: its job may still be on its way
    db.session.execute(
        update(EvidencePackage)
        .where(EvidencePackage.id == package.id)
        .values(heartbeat_at=utcnow() - timedelta(hours=1))
    )
    db.session.commit()
    resume_stalled()
    resume_stalled()  # another worker, at the same minute
    assert waiting_jobs() == [(JOB, (package.id,))]
    run_jobs()
    db.session.refresh(package)
    assert package.state is PackageState.READY and package.attempts == 1


def test_after_too_many_attempts_a_package_fails_saying_so(
    asked: tuple[Any, EvidencePackage],
) -> None:
    _, package = asked
    forget_the_jobs()
    _abandoned(package, attempts=MAX_ATTEMPTS)
    resume_stalled()
    run_jobs()
    db.session.refresh(package)
    assert package.state is PackageState.FAILED and package.attempts == MAX_ATTEMPTS + 1
    assert package.problem == (
        f"No se pudo armar el paquete en {MAX_ATTEMPTS} intentos. Pídalo de nuevo."
    )


def test_a_package_that_cannot_be_built_fails_with_the_reason(
    asked: tuple[Any, EvidencePackage], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, package = asked

    def refused(*_: Any) -> Any:
        raise PackageError("Falta el archivo «acta.pdf» de la versión 1 de 1306.")

    monkeypatch.setattr(operations, "build_package", refused)
    run_jobs()
    db.session.refresh(package)
    assert package.state is PackageState.FAILED
    assert package.problem == "Falta el archivo «acta.pdf» de la versión 1 de 1306."


def test_a_ready_package_is_removed_when_asked_or_once_expired(
    app: Flask, asked: tuple[Any, EvidencePackage]
) -> None:
    analyst, package = asked
    run_jobs()
    db.session.refresh(package)
    with transaction():
        later, _ = request_package(analyst, package.cycle, EVERY_VERSION)
    run_jobs()
    db.session.refresh(later)
    assert package.stored_name and later.stored_name
    files = {package.stored_name, later.stored_name}

    with transaction():
        remove_package(package, analyst)
    assert package.state is PackageState.REMOVED and package.stored_name is None
    with pytest.raises(Conflict, match="está «Eliminado»: no se puede eliminar"):
        remove_package(package, analyst)
    db.session.rollback()

    assert purge_expired(utcnow()) == 0
    with transaction():
        assert purge_expired(utcnow() + timedelta(days=30)) == 1
    db.session.refresh(later)
    assert later.state is PackageState.REMOVED
    assert not [name for name in files if (_folder(app) / name[:2] / name).exists()]
    assert _actions()[-2:] == ["package.remove", "package.expire"]


def test_a_choice_of_no_version_is_refused_when_asked(asked: tuple[Any, EvidencePackage]) -> None:
    analyst, package = asked
    nothing = Selection(cycle_year=2026, kind=SubmissionKind.PLAN)
    with pytest.raises(DomainError, match="Ninguna versión enviada del ciclo coincide"):
        request_package(analyst, package.cycle, nothing)


def test_a_person_has_at_most_three_packages_on_their_way(
    asked: tuple[Any, EvidencePackage],
) -> None:
    analyst, package = asked
    for choices in ({"all_versions": True}, {"state": SubmissionState.SUBMITTED}):
        with transaction():
            request_package(analyst, package.cycle, Selection(cycle_year=2026, **choices))
    with pytest.raises(Conflict, match="Ya tiene 3 paquetes en preparación"):
        request_package(analyst, package.cycle, Selection(cycle_year=2026, kind=DIAGNOSTIC))
    db.session.rollback()
    with transaction():
        cancel_package(package, analyst)
    with transaction():
        fourth, shared = request_package(
            analyst, package.cycle, Selection(cycle_year=2026, kind=DIAGNOSTIC)
        )
    assert not shared and fourth.state is PackageState.WAITING
