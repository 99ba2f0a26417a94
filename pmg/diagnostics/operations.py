"""Accepting a suggested gap into the draft's gaps, or dismissing it for good."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError

from pmg.auth.models import User
from pmg.diagnostics.models import DismissedSuggestion
from pmg.diagnostics.schema import GAPS
from pmg.diagnostics.suggestions import Suggestion
from pmg.extensions import db
from pmg.submissions.models import Submission

Draft = dict[str, Any]


def accept_suggestion(draft: Draft, suggestion: Suggestion) -> Draft | None:
    """``draft`` with ``suggestion`` as its last gap; ``None`` when the gaps are full."""
    gaps = list(draft.get(GAPS.key) or [])
    if len(gaps) >= GAPS.max_rows:
        return None
    return {**draft, GAPS.key: [*gaps, suggestion.gap_row()]}


def dismiss_suggestion(submission: Submission, key: str, actor: User) -> None:
    """Record that ``key`` is not to be proposed again for ``submission``.

    Like the rest of a draft's changes it leaves no audit entry; the row says who and when.
    """
    try:
        with db.session.begin_nested():
            db.session.add(
                DismissedSuggestion(submission_id=submission.id, key=key, dismissed_by=actor)
            )
    except IntegrityError:
        pass  # already dismissed (from another page meanwhile): the same outcome
