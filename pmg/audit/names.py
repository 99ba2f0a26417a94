"""The trail's objects named as people know them, never by a database id.

An entry keeps its object's type and id, hashed and never changed; its name is found when
the trail is read: for a page, or a batch of the export, one query per kind of object in
it, never one per entry. An object deleted since, or of a kind not known here, is named
by its kind and id: ``Versión #12``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, Select, select

from pmg.audit.operations import EntryFields
from pmg.auth.models import LoginAttempt, User
from pmg.core.routing import parse_db_int
from pmg.cycles.models import Cycle
from pmg.evidence.models import EvidenceFile
from pmg.extensions import db
from pmg.institutions.models import Institution
from pmg.requirements.models import Requirement, RequirementCatalog
from pmg.review.models import Observation, Review
from pmg.submissions.models import Submission, SubmissionKind, SubmissionVersion

OBJECT_LABELS = {
    "User": "Cuenta",
    "LoginAttempt": "Intento de ingreso",
    "Institution": "Institución",
    "ImportedFile": "Archivo importado",
    "Cycle": "Ciclo",
    "RequirementCatalog": "Catálogo de requisitos",
    "Submission": "Envío",
    "SubmissionVersion": "Versión",
    "EvidenceFile": "Archivo de evidencia",
    "Review": "Revisión",
    "Observation": "Observación",
    "AuditTrail": "Registro de auditoría",
}
KIND_NAMES = {SubmissionKind.DIAGNOSTIC: "Diagnóstico", SubmissionKind.PLAN: "Plan de mejora"}
HASH_PREFIX = 12


def submission_name(row: Any) -> str:
    """``Diagnóstico 2026 · 1306``: kind, cycle and institution code."""
    return f"{KIND_NAMES[row.kind]} {row.cycle_year} · {row.institution_code}"


def _of_submission(model: Any, submission_id: Any, *columns: Any) -> Select[Any]:
    """``model``'s id and ``columns``, with what names its submission (see
    :func:`submission_name`)."""
    query = select(
        model.id,
        *columns,
        Submission.kind,
        Cycle.year.label("cycle_year"),
        Institution.code.label("institution_code"),
    )
    if model is not Submission:
        query = query.join(Submission, Submission.id == submission_id)
    return query.join(Cycle, Cycle.id == Submission.cycle_id).join(
        Institution, Institution.id == Submission.institution_id
    )


@dataclass(frozen=True)
class _Namer:
    """How one kind of object is looked up (``id`` first) and named from its row."""

    model: Any
    query: Callable[[], Select[Any]]
    name: Callable[[Row[Any]], str]


_NAMERS = {
    "User": _Namer(User, lambda: select(User.id, User.email), lambda r: f"Cuenta {r.email}"),
    "LoginAttempt": _Namer(
        LoginAttempt,
        lambda: select(LoginAttempt.id, LoginAttempt.email),
        lambda r: f"Intento de ingreso con {r.email}",
    ),
    "Institution": _Namer(
        Institution,
        lambda: select(Institution.id, Institution.code, Institution.name),
        lambda r: f"Institución {r.code} · {r.name}",
    ),
    "Cycle": _Namer(Cycle, lambda: select(Cycle.id, Cycle.year), lambda r: f"Ciclo {r.year}"),
    "RequirementCatalog": _Namer(
        RequirementCatalog,
        lambda: select(RequirementCatalog.id, RequirementCatalog.version, Cycle.year).join(
            Cycle, Cycle.id == RequirementCatalog.cycle_id
        ),
        lambda r: f"Catálogo de requisitos {r.year} · versión «{r.version}»",
    ),
    "Submission": _Namer(Submission, lambda: _of_submission(Submission, None), submission_name),
    "SubmissionVersion": _Namer(
        SubmissionVersion,
        lambda: _of_submission(
            SubmissionVersion, SubmissionVersion.submission_id, SubmissionVersion.number
        ),
        lambda r: f"{submission_name(r)} · versión {r.number}",
    ),
    "EvidenceFile": _Namer(
        EvidenceFile,
        lambda: _of_submission(
            EvidenceFile, EvidenceFile.submission_id, EvidenceFile.declared_name
        ),
        lambda r: f"Archivo «{r.declared_name}» · {submission_name(r)}",
    ),
    "Review": _Namer(
        Review,
        lambda: _of_submission(Review, Review.submission_id, SubmissionVersion.number).join(
            SubmissionVersion, SubmissionVersion.id == Review.version_id
        ),
        lambda r: f"Revisión de {submission_name(r)} · versión {r.number}",
    ),
    "Observation": _Namer(
        Observation,
        lambda: _of_submission(Observation, Observation.submission_id, Requirement.code).join(
            Requirement, Requirement.id == Observation.requirement_id
        ),
        lambda r: f"Observación {r.code} · {submission_name(r)}",
    ),
}

# Kinds that are not rows: their id says it all.
_NAMED_BY_ID: dict[str, Callable[[str], str]] = {
    "ImportedFile": lambda sha256: f"Archivo importado · SHA-256 {sha256[:HASH_PREFIX]}…",
    "AuditTrail": lambda last: f"Registro de auditoría hasta la entrada {last}",
}


def _row_id(object_id: str) -> int | None:
    """The id as a row's, or ``None`` when it cannot be one (then nothing is looked up)."""
    number = parse_db_int(object_id)
    return number or None


def _load(object_type: str, ids: set[int]) -> dict[int, str]:
    namer = _NAMERS[object_type]
    rows = db.session.execute(namer.query().where(namer.model.id.in_(sorted(ids))))
    return {row[0]: namer.name(row) for row in rows}


def _fallback(entry: EntryFields) -> str:
    """An object deleted since, or unknown: its kind and id; a removed file by its name."""
    if entry.object_type == "EvidenceFile":
        data = entry.before if isinstance(entry.before, dict) else entry.after
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            return f"Archivo «{data['name']}» (eliminado)"
    return f"{OBJECT_LABELS.get(entry.object_type, entry.object_type)} #{entry.object_id}"


def object_names(entries: Sequence[EntryFields]) -> list[str]:
    """The name of each entry's object, in order: one query per kind of object present."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        row_id = _row_id(entry.object_id)
        if entry.object_type in _NAMERS and row_id is not None:
            wanted.setdefault(entry.object_type, set()).add(row_id)
    found = {kind: _load(kind, ids) for kind, ids in wanted.items()}
    return [_name(entry, found.get(entry.object_type, {})) for entry in entries]


def _name(entry: EntryFields, found: dict[int, str]) -> str:
    if entry.object_type in _NAMED_BY_ID:
        return _NAMED_BY_ID[entry.object_type](entry.object_id)
    return found.get(_row_id(entry.object_id) or 0) or _fallback(entry)
