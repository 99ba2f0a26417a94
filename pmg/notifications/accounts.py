"""Mail that carries a link to set a password: a new account's first one, or a new one.

Queued when :data:`pmg.auth.signals.password_link_issued` is sent, inside the transaction
that made the link: the account, its link and its mail commit or roll back together.
"""

from __future__ import annotations

from datetime import datetime

from pmg.auth.models import PasswordLinkPurpose, User
from pmg.auth.signals import password_link_issued
from pmg.notifications import messages
from pmg.notifications.models import OutgoingMail
from pmg.notifications.operations import queue_mail


def queue_password_link(
    user: User, *, path: str, purpose: PasswordLinkPurpose, expires_at: datetime
) -> OutgoingMail | None:
    """Queue the mail with the link to ``path`` (the page the link opens) for ``user``; the
    receiver of :data:`password_link_issued`, which sends it with these arguments."""
    message = messages.password_link_message(user, purpose, path, expires_at)
    return queue_mail(user.email, message.subject, message.body)


def subscribe() -> None:
    """Mail every link to set a password as it is made (the application does it once)."""
    password_link_issued.connect(queue_password_link)
