"""The evidence panel's buttons on a submission's form page.

The panel is part of the content form: «Adjuntar archivo» and «Eliminar» save what was
typed in the same request (:mod:`pmg.submission_pages.drafts` saves the draft first). The file
action runs in a savepoint after that save, so a refused file changes nothing and the
draft stays saved.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request
from markupsafe import Markup

from pmg.auth.models import User
from pmg.core.caching import cached
from pmg.core.errors import DomainError
from pmg.core.filters import FIELD_MESSAGE
from pmg.core.fragments import render_fragment
from pmg.core.routing import parse_db_int
from pmg.core.transactions import transaction
from pmg.evidence import operations
from pmg.evidence.checks import clean_name
from pmg.evidence.forms import PREFIX, EvidenceUploadForm
from pmg.evidence.queries import find_evidence
from pmg.submissions.models import Submission

ATTACH = "adjuntar"
REMOVE = "eliminar-archivo"
FILE_FIELD = f"{PREFIX}-file"
GONE = "El archivo ya no está adjunto a este envío."


@dataclass(frozen=True)
class FileOutcome:
    """What the page says after a file action: the message and its flash category."""

    message: str
    category: str


def files_table(
    submission: Submission | None, targets: list[tuple[str, str]], slug: str, *, editable: bool
) -> Markup:
    """The table of the submission's files (``evidence/_files.html``; ``targets``: what
    they may be attached to, :func:`~pmg.evidence.queries.evidence_targets`), rendered once
    while the data is unchanged: the files are not even read then."""

    def render() -> Markup:
        return render_fragment(
            "evidence/_files.html",
            submission=submission,
            evidence_targets=targets,
            slug=slug,
            editable=editable,
        )

    vary = (submission.id if submission else None, tuple(targets), slug, editable)
    return cached("evidence.files", vary, render)


def run_file_action(submission: Submission, action: str, actor: User) -> FileOutcome | None:
    """Attach the uploaded file (``adjuntar``) or remove one (``eliminar-archivo:<id>``);
    ``None`` for any other button."""
    verb, _, target = action.partition(":")
    if verb not in (ATTACH, REMOVE):
        return None
    with transaction(DomainError, savepoint=True) as outcome:
        if verb == ATTACH:
            message = _attach(submission, actor)
        else:
            message = _remove(submission, target, actor)
    if outcome.refusal is not None:
        category = f"{FIELD_MESSAGE}{FILE_FIELD}" if verb == ATTACH else "error"
        return FileOutcome(outcome.refusal.message, category)
    return FileOutcome(message, "success")


def unattached_file(action: str) -> str | None:
    """What to say when a file was chosen but another button pressed: it was not attached."""
    chosen = request.files.get(FILE_FIELD)
    if chosen is None or not chosen.filename or action.partition(":")[0] == ATTACH:
        return None
    return (
        f"El archivo elegido («{clean_name(chosen.filename)}») no se adjuntó: para adjuntarlo, "
        "elíjalo de nuevo y use «Adjuntar archivo»."
    )


def _attach(submission: Submission, actor: User) -> str:
    form = EvidenceUploadForm(prefix=PREFIX, meta={"csrf": False})
    if not form.validate():
        raise DomainError(" ".join(form.file.errors) or "Seleccione un archivo.")
    limit = current_app.config["PMG_MAX_UPLOAD_BYTES"]
    evidence = operations.attach(
        submission,
        form.file.data.stream.read(limit + 1),  # one byte more is enough to refuse
        form.file.data.filename or "",
        actor,
        form.action_key.data or None,
    )
    return f"Se adjuntó «{evidence.declared_name}» (SHA-256 {evidence.sha256})."


def _remove(submission: Submission, target: str, actor: User) -> str:
    evidence_id = parse_db_int(target)
    evidence = find_evidence(submission, evidence_id) if evidence_id is not None else None
    if evidence is None:
        raise DomainError(GONE)
    name = evidence.declared_name
    operations.remove(evidence, actor)
    return f"Se eliminó «{name}»."
