"""How the audit trail names evidence files, even once removed (see :mod:`pmg.audit.names`)."""

from __future__ import annotations

from pmg.audit.names import RowNamer, register_names
from pmg.audit.operations import EntryFields
from pmg.evidence.models import EvidenceFile
from pmg.submissions.audit_names import of_submission, submission_name


def removed_file_name(entry: EntryFields) -> str | None:
    """A removed file by the name its removal kept."""
    data = entry.before if isinstance(entry.before, dict) else entry.after
    if isinstance(data, dict) and isinstance(data.get("name"), str):
        return f"Archivo «{data['name']}» (eliminado)"
    return None


register_names(
    "EvidenceFile",
    "Archivo de evidencia",
    RowNamer(
        EvidenceFile,
        lambda: of_submission(EvidenceFile, EvidenceFile.submission_id, EvidenceFile.declared_name),
        lambda r: f"Archivo «{r.declared_name}» · {submission_name(r)}",
        deleted=removed_file_name,
    ),
)
