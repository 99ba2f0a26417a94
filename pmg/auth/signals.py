"""What an account announces, for higher layers to react without being imported here.

Sent inside the transaction of the change, so what a receiver adds (the mail in the
outbox) commits or rolls back with it. Receivers connect once, when the application is
built (``subscribe`` in the reacting package, called from :mod:`pmg.wiring`).
"""

from __future__ import annotations

from datetime import datetime

from blinker import Namespace

from pmg.auth.models import PasswordLinkPurpose, User

_signals = Namespace()

# Sent with the user a link to set a password was just made for, with ``path`` (the page
# it opens, token included), ``purpose`` and ``expires_at``: the mail that carries it is
# queued (pmg.notifications). The token exists nowhere else: without a receiver the link
# could never be used.
password_link_issued = _signals.signal("auth-password-link-issued")


def announce_link(
    user: User, *, path: str, purpose: PasswordLinkPurpose, expires_at: datetime
) -> None:
    """Send :data:`password_link_issued`; stop if nobody receives it (the application was
    not wired by :func:`pmg.wiring.connect`, and the link would reach nobody)."""
    if not password_link_issued.receivers:
        raise RuntimeError(
            f"Nobody receives {password_link_issued.name!r}: pmg.wiring.connect() has not run."
        )
    password_link_issued.send(user, path=path, purpose=purpose, expires_at=expires_at)
