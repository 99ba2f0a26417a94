"""Imports every domain's models so the metadata (and Alembic) sees all tables."""

from pmg.api.models import ApiToken, ApiTokenFailure
from pmg.audit.models import AuditEntry
from pmg.auth.models import LoginAttempt, PasswordLink, PasswordLinkRequest, PreservedForm, User
from pmg.core.caching import DataStamp
from pmg.cycles.models import Cycle
from pmg.diagnostics.models import DismissedSuggestion
from pmg.evidence.models import EvidenceFile
from pmg.exports.documents.models import StoredPdf
from pmg.exports.workbook.models import StoredWorkbook
from pmg.indicators.models import (
    ComplaintFigures,
    CycleTargets,
    Procedure,
    ProcedureFigures,
    SaipFigures,
)
from pmg.institutions.models import Institution, Ministry, user_institutions
from pmg.notifications.models import OutgoingMail
from pmg.packages.models import EvidencePackage
from pmg.requirements.models import Requirement, RequirementCatalog
from pmg.review.models import Observation, ObservationEntry, Review, Verdict
from pmg.submissions.models import StateChange, Submission, SubmissionVersion

__all__ = [
    "ApiToken",
    "ApiTokenFailure",
    "AuditEntry",
    "ComplaintFigures",
    "Cycle",
    "CycleTargets",
    "DataStamp",
    "DismissedSuggestion",
    "EvidenceFile",
    "EvidencePackage",
    "Institution",
    "LoginAttempt",
    "Ministry",
    "Observation",
    "ObservationEntry",
    "OutgoingMail",
    "PasswordLink",
    "PasswordLinkRequest",
    "PreservedForm",
    "Procedure",
    "ProcedureFigures",
    "Requirement",
    "RequirementCatalog",
    "Review",
    "SaipFigures",
    "StateChange",
    "StoredPdf",
    "StoredWorkbook",
    "Submission",
    "SubmissionVersion",
    "User",
    "Verdict",
    "user_institutions",
]
