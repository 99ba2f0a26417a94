"""How the audit trail names reviews and observations (see :mod:`pmg.audit.names`)."""

from __future__ import annotations

from pmg.audit.names import RowNamer, register_names
from pmg.requirements.models import Requirement
from pmg.review.models import Observation, Review
from pmg.submissions.audit_names import of_submission, submission_name
from pmg.submissions.models import SubmissionVersion

register_names(
    "Review",
    "Revisión",
    RowNamer(
        Review,
        lambda: of_submission(Review, Review.submission_id, SubmissionVersion.number).join(
            SubmissionVersion, SubmissionVersion.id == Review.version_id
        ),
        lambda r: f"Revisión de {submission_name(r)} · versión {r.number}",
    ),
)
register_names(
    "Observation",
    "Observación",
    RowNamer(
        Observation,
        lambda: of_submission(Observation, Observation.submission_id, Requirement.code).join(
            Requirement, Requirement.id == Observation.requirement_id
        ),
        lambda r: f"Observación {r.code} · {submission_name(r)}",
    ),
)
