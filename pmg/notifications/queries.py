"""Who receives mail, which mail is waiting, and the outbox as the admin reads it."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import selectinload

from pmg.auth.models import User
from pmg.core.models import LabelledEnum
from pmg.core.pagination import paginate
from pmg.core.permissions import Role
from pmg.cycles.models import Cycle
from pmg.extensions import db
from pmg.institutions.models import Institution, user_institutions
from pmg.notifications.models import OutgoingMail
from pmg.submissions.models import Submission, SubmissionKind, SubmissionState

# A mail that failed this many times is left for a person to look at in the outbox.
MAX_ATTEMPTS = 10


def coordinators_with_pending_submission(
    cycle: Cycle, kind: SubmissionKind
) -> list[tuple[Institution, User]]:
    """Each active coordinator of a committed institution whose ``kind`` for ``cycle`` is
    not started or still a draft, with that institution."""
    query = (
        select(Institution, User)
        .join(user_institutions, user_institutions.c.institution_id == Institution.id)
        .join(User, User.id == user_institutions.c.user_id)
        .outerjoin(
            Submission,
            and_(
                Submission.institution_id == Institution.id,
                Submission.cycle_id == cycle.id,
                Submission.kind == kind,
            ),
        )
        .where(
            Institution.active.is_(True),
            Institution.commits_system.is_(True),
            User.role == Role.COORDINATOR,
            User.active.is_(True),
            or_(Submission.id.is_(None), Submission.state == SubmissionState.DRAFT),
        )
        .order_by(Institution.code, User.id)
    )
    return [(row[0], row[1]) for row in db.session.execute(query)]


def observed_submissions_due(first: date, last: date) -> list[Submission]:
    """Submissions waiting for corrections whose deadline (as extended with the cycle's
    correction window) falls between both days."""
    observed = db.session.scalars(
        select(Submission)
        .where(Submission.state == SubmissionState.OBSERVED, Submission.correction_due.is_not(None))
        .options(selectinload(Submission.cycle))
        .order_by(Submission.id)
    )
    due = [
        s
        for s in observed
        if (deadline := s.correction_deadline) is not None and first <= deadline <= last
    ]
    return sorted(due, key=lambda submission: (submission.correction_deadline, submission.id))


class MailState(LabelledEnum):
    """Where a mail stands; the values are what the outbox page's query string carries."""

    PENDING = ("pendiente", "Pendientes")
    SENT = ("enviado", "Enviados")
    GIVEN_UP = ("sin-enviar", "No enviados tras agotar los intentos")


def _filtered(state: MailState | None) -> Select[OutgoingMail]:
    query = select(OutgoingMail)
    if state is MailState.PENDING:
        query = query.where(OutgoingMail.sent_at.is_(None), OutgoingMail.attempts < MAX_ATTEMPTS)
    elif state is MailState.SENT:
        query = query.where(OutgoingMail.sent_at.is_not(None))
    elif state is MailState.GIVEN_UP:
        query = query.where(OutgoingMail.sent_at.is_(None), OutgoingMail.attempts >= MAX_ATTEMPTS)
    return query


def next_mail_query(tried: Collection[int] = ()) -> Select[OutgoingMail]:
    """The next unsent mail still worth trying and not in ``tried``: the least tried first,
    oldest first among equals.

    ``FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite ignores it) claims the row until the
    transaction ends, so two runs at once never take the same mail: the second one skips it.
    """
    return (
        _filtered(MailState.PENDING)
        .where(OutgoingMail.id.not_in(list(tried)))
        .order_by(OutgoingMail.attempts, OutgoingMail.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        # A row already in the session is read again, not trusted as it was.
        .execution_options(populate_existing=True)
    )


def claim_next_mail(tried: Collection[int] = ()) -> OutgoingMail | None:
    """Lock and return the next mail to send (see :func:`next_mail_query`), or ``None``.

    The lock lasts until the caller commits or rolls back."""
    return db.session.scalars(next_mail_query(tried)).first()


def count_mail(state: MailState | None = None) -> int:
    return db.session.scalar(select(func.count()).select_from(_filtered(state).subquery())) or 0


def outbox_page(state: MailState | None, page: int = 1) -> Pagination:
    """One page of the outbox, newest first."""
    return paginate(_filtered(state).order_by(OutgoingMail.id.desc()), page)
