"""Each version's PDF stored once per moment it shows: by a job when the version is sent
and when its review section changes, never replaced, found again rather than rendered."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DatabaseError

from pmg.core.permissions import Role
from pmg.exports.documents import stored
from pmg.exports.documents.models import StoredPdf
from pmg.exports.documents.stored import current_pdfs, pdf_files, store_current_pdf, store_pdf
from pmg.extensions import db
from pmg.review.observations import answer_observation
from tests.factories import (
    create_user,
    observe_one,
)
from tests.jobs import run_jobs, waiting_jobs

VERSION_PAGE = "/instituciones/1306/2026/diagnostico/v1"
PREPARING = "El PDF de esta versión se está preparando"
JOB = "pmg.exports.documents.stored.store_current_pdf"


def _stored(version: Any) -> list[StoredPdf]:
    return list(
        db.session.scalars(
            select(StoredPdf).where(StoredPdf.version_id == version.id).order_by(StoredPdf.id)
        )
    )


def test_a_sent_version_has_its_pdf_stored_by_a_job(
    app: Flask, version: Any, client: FlaskClient, login_as: Any, renders: list[str]
) -> None:
    assert waiting_jobs() == [(JOB, (version.id,))]
    login_as(create_user(Role.REVIEWER))
    assert PREPARING in client.get(VERSION_PAGE).get_data(as_text=True)

    assert run_jobs() == [JOB]
    [kept] = _stored(version)
    data = pdf_files.read(kept.stored_name)
    assert data.startswith(b"%PDF") and kept.size == len(data)
    assert kept.sha256 == hashlib.sha256(data).hexdigest()
    name = kept.stored_name
    assert (Path(app.config["PMG_PDF_DIR"]) / name[:2] / name).read_bytes() == data
    assert kept.shows_as_of == version.submitted_at
    assert PREPARING not in client.get(VERSION_PAGE).get_data(as_text=True)

    downloaded = client.get(f"{VERSION_PAGE}.pdf")
    assert downloaded.data == data and len(renders) == 1  # served as stored


def test_a_review_step_stores_a_pdf_of_its_own_and_keeps_the_earlier_one(
    version: Any, renders: list[str]
) -> None:
    run_jobs()
    [first] = _stored(version)
    first_bytes = pdf_files.read(first.stored_name)
    observation = observe_one(version.submission, create_user(Role.REVIEWER))
    run_jobs()
    earlier, observed = _stored(version)
    assert earlier.id == first.id and pdf_files.read(earlier.stored_name) == first_bytes
    assert observed.shows_as_of > earlier.shows_as_of and observed.sha256 != earlier.sha256

    answer_observation(observation, "Se completó el equipo.", version.submitted_by)
    db.session.commit()
    assert waiting_jobs() == [(JOB, (version.id,))]  # the answer shows in the review section
    run_jobs()
    assert len(_stored(version)) == 3 and len(renders) == 3
    # What the moment is read from alone (a package's lookup) agrees with what was rendered.
    latest = _stored(version)[-1]
    assert current_pdfs([version]) == {version.id: latest}
    assert store_pdf(version).id == latest.id and len(renders) == 3


def test_a_pdf_already_stored_for_the_moment_is_not_rendered_again(
    version: Any, renders: list[str]
) -> None:
    run_jobs()
    store_current_pdf(version.id)
    assert store_pdf(version).id == _stored(version)[0].id
    assert len(renders) == 1


def test_the_same_moment_stored_meanwhile_by_another_process_is_the_one_kept(
    app: Flask, version: Any, renders: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    theirs = store_pdf(version)
    looked_up = stored.stored_pdf
    looks: list[Any] = []

    def racing(*arguments: Any) -> Any:
        looks.append(arguments)  # this process's first look finds nothing: the other not done
        return None if len(looks) == 1 else looked_up(*arguments)

    monkeypatch.setattr(stored, "stored_pdf", racing)
    assert store_pdf(version).id == theirs.id
    assert len(renders) == 2 and len(_stored(version)) == 1
    folder = Path(app.config["PMG_PDF_DIR"])
    assert [path.name for path in folder.rglob("*") if path.is_file()] == [theirs.stored_name]


def test_the_database_refuses_to_change_or_remove_a_stored_pdf(version: Any) -> None:
    kept = store_pdf(version)
    for statement in (
        update(StoredPdf).where(StoredPdf.id == kept.id).values(sha256="0" * 64),
        delete(StoredPdf).where(StoredPdf.id == kept.id),
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(statement)
        db.session.rollback()
    assert _stored(version)[0].sha256 == kept.sha256


def test_a_job_for_a_version_that_does_not_exist_does_nothing(
    app: Flask, renders: list[str]
) -> None:
    store_current_pdf(987654)
    assert renders == []
