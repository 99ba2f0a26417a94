"""Each version's PDF, rendered once and stored: the evidence DIPRES downloads.

A version's PDF shows the version and its «Revisión» section as of the last change
among them (:meth:`~pmg.exports.documents.queries.VersionReviewData.last_change`): the
same moment, the same document. It is rendered in the background when the version is
sent and whenever its review section changes (:func:`store_current_pdf`, a job), and
stored in ``PMG_PDF_DIR`` (or the bucket of ``PMG_STORAGE_URL``) with its size and
SHA-256 (:class:`StoredPdf`). A download serves the stored file, tagged by its SHA-256;
one that finds none yet for the current moment renders it then, once, and stores it for
the next.

A stored PDF is never replaced: a later moment of the review gets a PDF of its own and
the earlier one stays, with the moment it shows. A change of the print stylesheet or of
WeasyPrint therefore leaves the PDFs already stored as they were handed out.

Importing this module does not import WeasyPrint; rendering does (:mod:`.pdf`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from pmg.core.jobs import enqueue, job
from pmg.core.storage import FileStore
from pmg.core.transactions import transaction
from pmg.exports.documents.models import StoredPdf
from pmg.exports.documents.queries import load_version_reviews
from pmg.extensions import db
from pmg.review.signals import answered
from pmg.submissions.models import Submission, SubmissionVersion
from pmg.submissions.signals import frozen, transitioned

pdf_files = FileStore("pdfs", "PMG_PDF_DIR")


def current_pdfs(versions: Sequence[SubmissionVersion]) -> dict[int, StoredPdf]:
    """The stored PDF of each of ``versions`` as it reads now, by version id: of those
    stored. In a few queries, however many versions there are."""
    loaded = load_version_reviews(versions, moments_only=True)
    moments = {version.id: loaded[version.id].last_change(version) for version in versions}
    stored = db.session.scalars(select(StoredPdf).where(StoredPdf.version_id.in_(moments)))
    return {pdf.version_id: pdf for pdf in stored if pdf.shows_as_of == moments[pdf.version_id]}


def stored_pdf(version: SubmissionVersion, as_of: datetime | None = None) -> StoredPdf | None:
    """The stored PDF of ``version`` as of ``as_of`` (by default, now), if it is stored."""
    if as_of is None:
        return current_pdfs([version]).get(version.id)
    return db.session.scalar(
        select(StoredPdf).where(StoredPdf.version_id == version.id, StoredPdf.shows_as_of == as_of)
    )


def store_pdf(version: SubmissionVersion) -> StoredPdf:
    """The stored PDF of ``version`` as it reads now: found, or rendered and stored in a
    transaction of its own. Another process storing the same moment first wins; this one's
    file is then removed and theirs returned."""
    found = stored_pdf(version)
    if found is not None:
        return found
    from pmg.exports.documents.pdf import version_html, write_pdf  # WeasyPrint: on first use

    made_from = version_html(version)
    data = write_pdf(made_from.html)
    try:
        with transaction():
            stored = StoredPdf(
                version_id=version.id,
                shows_as_of=made_from.as_of,
                stored_name=pdf_files.store(data),
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
            )
            db.session.add(stored)
    except IntegrityError:  # the same moment, stored by another process meanwhile
        stored_first = stored_pdf(version, made_from.as_of)
        if stored_first is None:
            raise
        return stored_first
    return stored


def read_pdf(stored: StoredPdf) -> bytes:
    return pdf_files.read(stored.stored_name)


@job()
def store_current_pdf(version_id: int) -> None:
    """Store the PDF of the version ``version_id`` as it reads now, if not yet stored."""
    version = db.session.get(SubmissionVersion, version_id)
    if version is not None:
        store_pdf(version)


def store_pdfs_of(submission: Submission, **_: object) -> None:
    """Ask for the PDF of each version of ``submission`` as it reads once the change being
    made is committed: a transition or an answer may change what several versions' review
    sections show (an observation shows its whole life). A PDF already stored for that
    moment is not rendered again."""
    for version in submission.versions:
        enqueue(store_current_pdf, version.id)


def store_pdf_of(version: SubmissionVersion, **_: object) -> None:
    """Ask for the PDF of the new ``version`` once it is committed."""
    enqueue(store_current_pdf, version.id)


def subscribe() -> None:
    """Store a new version's PDF, and the PDFs again after every transition and every
    answer to an observation."""
    frozen.connect(store_pdf_of)
    transitioned.connect(store_pdfs_of)
    answered.connect(store_pdfs_of)
