"""Who may see and who may change a submission; used by routes, templates and tests."""

from __future__ import annotations

from pmg.auth.models import User
from pmg.core.permissions import Role
from pmg.institutions.queries import found_visible
from pmg.submissions.models import Submission, SubmissionState

EDITABLE_STATES = frozenset({SubmissionState.DRAFT, SubmissionState.OBSERVED})


def is_coordinator_of(user: User, institution_id: int) -> bool:
    return user.role is Role.COORDINATOR and (
        found_visible(user, institution_id)
        or any(institution.id == institution_id for institution in user.institutions)
    )


def can_view(user: User, submission: Submission) -> bool:
    """Coordinators see their institutions' submissions; the other roles see all."""
    if user.role is Role.COORDINATOR:
        return is_coordinator_of(user, submission.institution_id)
    return True


def can_edit(user: User, submission: Submission) -> bool:
    """Only a coordinator of the institution, and only while the content is open."""
    return (
        is_coordinator_of(user, submission.institution_id)
        and submission.state in EDITABLE_STATES
        and submission.cycle.is_current
    )
