"""Asking for, building, cancelling, handing out and removing evidence packages.

A request is a row (:class:`~pmg.packages.models.EvidencePackage`) and a job. A worker
claims a waiting row with one conditional UPDATE, builds the ZIP in a temporary file
telling its progress (each step an UPDATE that also checks the claim still holds and
moves the heartbeat: a cancelled package stops at the next step), stores it, and marks it
ready in one last conditional UPDATE. A package whose heartbeat is older than
``PMG_PACKAGE_STALL_SECONDS`` (its worker killed halfway, or its job lost while it waited)
is given back to the queue by :func:`resume_stalled`, which every worker runs when it
starts and every minute: it waits again, with a new heartbeat and no claim, and is built
from the start; after :data:`MAX_ATTEMPTS` claims it is marked as failed. Nothing
unfinished is ever offered: only a ready package has a file.

Operations that answer a person flush but never commit (the route owns the transaction);
the worker's steps commit themselves, each one at once, so that the page sees them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from pmg.audit.operations import record
from pmg.auth.models import User
from pmg.core.errors import Conflict, DomainError
from pmg.core.jobs import enqueue, job
from pmg.core.models import utcnow
from pmg.core.storage import FileStore
from pmg.cycles.models import Cycle
from pmg.extensions import db
from pmg.packages.builder import NOTHING_CHOSEN, build_package, items_of
from pmg.packages.models import UNDER_WAY, EvidencePackage, PackageState
from pmg.packages.queries import Selection, count_packaged

package_files = FileStore("packages", "PMG_PACKAGE_DIR")
MAX_ATTEMPTS = 3
MAX_UNDER_WAY = 3  # packages a person may have waiting or being built at once
# What a person does to a package of theirs: cancel it, remove it.
PackageAction = Callable[[EvidencePackage, User], None]


class Cancelled(Exception):
    """The package stopped being this worker's: cancelled, or claimed by another."""


def selection_of(package: EvidencePackage) -> Selection:
    return Selection.of(package.cycle.year, package.selection)


def _key(cycle: Cycle, selection: Selection) -> str:
    canonical = json.dumps([cycle.id, selection.values()], sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


# --- A person's requests ---------------------------------------------------------------------


def request_package(
    user: User, cycle: Cycle, selection: Selection
) -> tuple[EvidencePackage, bool]:
    """A new package of ``selection`` for ``user``, waiting for a worker; or the one of the
    same selection that ``user`` already has on its way (the same request twice, at the
    same time or not, shares one job). Whether it is that one."""
    key = _key(cycle, selection)
    under_way = _under_way(user, key)
    if under_way is not None:
        return under_way, True
    if _count_under_way(user) >= MAX_UNDER_WAY:
        raise Conflict(
            f"Ya tiene {MAX_UNDER_WAY} paquetes en preparación: espere que alguno termine o "
            "cancele uno."
        )
    versions = count_packaged(cycle, selection)
    if not versions:
        raise DomainError(NOTHING_CHOSEN)
    package = EvidencePackage(
        requested_by=user,
        cycle=cycle,
        selection=selection.values(),
        selection_key=key,
        total=items_of(versions),
        heartbeat_at=utcnow(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(package)
    except IntegrityError:  # the same request, committed by another at this very moment
        shared = _under_way(user, key)
        if shared is None:
            raise
        return shared, True
    record(
        "package.request",
        package,
        actor=user,
        after={"selection": selection.described(), "steps": package.total},
    )
    enqueue(build_package_job, package.id)
    return package, False


def _count_under_way(user: User) -> int:
    query = select(func.count(EvidencePackage.id)).where(
        EvidencePackage.requested_by_id == user.id, EvidencePackage.state.in_(UNDER_WAY)
    )
    return db.session.scalar(query) or 0


def _under_way(user: User, key: str) -> EvidencePackage | None:
    return db.session.scalar(
        select(EvidencePackage).where(
            EvidencePackage.requested_by_id == user.id,
            EvidencePackage.selection_key == key,
            EvidencePackage.state.in_(UNDER_WAY),
        )
    )


def cancel_package(package: EvidencePackage, user: User) -> None:
    """Stop ``package`` while it waits or is built; its worker stops at its next step."""
    changed = _change(
        package,
        EvidencePackage.state.in_(UNDER_WAY),
        state=PackageState.CANCELLED,
        finished_at=utcnow(),
        claim=None,
    )
    if not changed:
        raise Conflict(f"El paquete está «{package.state.label}»: ya no se puede cancelar.")
    record("package.cancel", package, actor=user, after={"done": package.done})


def remove_package(package: EvidencePackage, user: User | None) -> None:
    """Remove the file of a ready ``package`` once the transaction commits (``user`` is
    ``None`` when it expired: :func:`purge_expired`)."""
    stored_name = package.stored_name
    if stored_name is None or not _change(
        package,
        EvidencePackage.state == PackageState.READY,
        state=PackageState.REMOVED,
        stored_name=None,
    ):
        raise Conflict(f"El paquete está «{package.state.label}»: no se puede eliminar.")
    package_files.delete_on_commit(stored_name)
    record(
        "package.remove" if user else "package.expire",
        package,
        actor=user,
        before={"sha256": package.sha256, "size": package.size},
    )


def record_download(package: EvidencePackage, user: User) -> None:
    record("package.download", package, actor=user, after={"sha256": package.sha256})


def purge_expired(now: datetime) -> int:
    """Remove every ready package expired by ``now``; how many. One its requester removed
    meanwhile is left to them."""
    expired = db.session.scalars(
        select(EvidencePackage).where(
            EvidencePackage.state == PackageState.READY, EvidencePackage.expires_at <= now
        )
    ).all()
    removed = 0
    for package in expired:
        with contextlib.suppress(Conflict):
            remove_package(package, None)
            removed += 1
    return removed


def _change(package: EvidencePackage, condition: Any, **values: Any) -> bool:
    """Set ``values`` on ``package`` if ``condition`` still holds in the database; whether
    it did. The row is read again either way."""
    done = db.session.execute(
        update(EvidencePackage)
        .where(EvidencePackage.id == package.id, condition)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(package)
    return bool(done.rowcount)  # type: ignore[attr-defined]


# --- The worker -------------------------------------------------------------------------------


def _stall() -> timedelta:
    return timedelta(seconds=current_app.config["PMG_PACKAGE_STALL_SECONDS"])


@job(retries=0)
def build_package_job(package_id: int) -> None:
    """Build the package ``package_id`` if it is still to be built and no live worker holds
    it; see the module's description."""
    package = db.session.get(EvidencePackage, package_id)
    if package is None:
        return
    claim, now = secrets.token_hex(16), utcnow()
    claimed = _change(
        package,
        EvidencePackage.state == PackageState.WAITING,
        state=PackageState.BUILDING,
        claim=claim,
        attempts=EvidencePackage.attempts + 1,
        started_at=now,
        heartbeat_at=now,
        done=0,
    )
    db.session.commit()
    if not claimed:
        return
    if package.attempts > MAX_ATTEMPTS:
        _finish(package, claim, state=PackageState.FAILED, problem=_GAVE_UP)
        return
    with tempfile.TemporaryDirectory(prefix="pmg-paquete-") as folder:
        target = Path(folder) / "paquete.zip"
        try:
            summary = build_package(
                package.cycle, selection_of(package), target, _progress(package, claim)
            )
        except Cancelled:
            return
        except DomainError as refused:
            _finish(package, claim, state=PackageState.FAILED, problem=refused.message)
            return
        stored_name = package_files.store_file(target)
    finished = utcnow()
    _finish(
        package,
        claim,
        state=PackageState.READY,
        stored_name=stored_name,
        size=summary.size,
        sha256=summary.sha256,
        versions=summary.versions,
        files=summary.files,
        finished_at=finished,
        expires_at=finished + timedelta(days=current_app.config["PMG_PACKAGE_DAYS"]),
    )


_GAVE_UP = f"No se pudo armar el paquete en {MAX_ATTEMPTS} intentos. Pídalo de nuevo."


def _progress(package: EvidencePackage, claim: str) -> Any:
    def told(done: int, total: int) -> None:
        if not _change(
            package,
            (EvidencePackage.claim == claim) & (EvidencePackage.state == PackageState.BUILDING),
            done=done,
            total=total,
            heartbeat_at=utcnow(),
        ):
            db.session.rollback()
            raise Cancelled
        db.session.commit()

    return told


def _finish(package: EvidencePackage, claim: str, **values: Any) -> None:
    """End this worker's build of ``package`` with ``values``, if it still holds it; if not
    (cancelled meanwhile), what this worker did goes with the rollback."""
    finished = _change(
        package,
        (EvidencePackage.claim == claim) & (EvidencePackage.state == PackageState.BUILDING),
        claim=None,
        **{"finished_at": utcnow(), **values},
    )
    if finished:
        db.session.commit()
    else:
        db.session.rollback()


@job(retries=0, periodic=True)
def resume_stalled() -> None:
    """Give back to the queue each package under way with no sign of life for too long (its
    worker killed, its job lost): waiting again, with a new heartbeat and no claim, its job
    sent again. A worker runs this when it starts and every minute; the UPDATE takes each
    such package once, however many workers run it at the same moment."""
    now = utcnow()
    given_back = db.session.scalars(
        update(EvidencePackage)
        .where(
            EvidencePackage.state.in_(UNDER_WAY),
            EvidencePackage.heartbeat_at < now - _stall(),
        )
        .values(state=PackageState.WAITING, claim=None, heartbeat_at=now)
        .returning(EvidencePackage.id)
        .execution_options(synchronize_session=False)
    ).all()
    for package_id in given_back:
        enqueue(build_package_job, package_id)
    db.session.commit()
