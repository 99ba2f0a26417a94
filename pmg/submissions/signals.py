"""What a submission announces, for higher layers to react without being imported here.

Each signal is sent inside the transaction of the change, so what a receiver adds to the
session commits or rolls back with it. Receivers are connected once, when the
application is built (``subscribe`` in each reacting package).
"""

from __future__ import annotations

from typing import Any

from blinker import NamedSignal, Namespace

_signals = Namespace()

# Sent with the submission once a transition is applied and recorded, with ``action``,
# ``actor`` and ``note``: mail is queued (pmg.notifications) and the versions' PDFs are
# stored again (pmg.exports.documents.stored).
transitioned = _signals.signal("submission-transitioned")

# Sent with an observed submission about to be sent again; each receiver returns why it
# cannot be, or ``None``: an observation not yet answered (pmg.review).
resubmitting = _signals.signal("submission-resubmitting")

# Sent with a submission whose version document is being written; each receiver answers
# a mapping of what the document also holds: its evidence files (pmg.evidence).
documenting = _signals.signal("submission-documenting")

# Sent with a submission about to be frozen as a new version; each receiver answers a
# mapping of what the version also records: the catalog of requirements it will be
# reviewed against (pmg.requirements).
freezing = _signals.signal("submission-freezing")

# Sent with the new version once it is built (and has its id): the files it lists become
# part of it (pmg.evidence), a corrected version goes back to its reviewer (pmg.review), and
# its PDF is stored (pmg.exports.documents.stored).
frozen = _signals.signal("submission-frozen")


def announce(signal: NamedSignal, sender: Any, **data: Any) -> list[Any]:
    """Send ``signal`` and return its receivers' answers. A signal nobody listens to means
    the application was not wired (:func:`pmg.wiring.connect`): the change would be made
    without what the layers above add to it (mail, files, catalog, checks), so it stops."""
    if not signal.receivers:
        raise RuntimeError(f"Nobody receives {signal.name!r}: pmg.wiring.connect() has not run.")
    return [answer for _, answer in signal.send(sender, **data)]


def contributions(signal: NamedSignal, sender: Any) -> dict[str, Any]:
    """What the receivers of ``signal`` add about ``sender``, merged."""
    values: dict[str, Any] = {}
    for answer in announce(signal, sender):
        values.update(answer or {})
    return values


def refusals(signal: NamedSignal, submission: Any) -> list[str]:
    """What the receivers of ``signal`` answer about ``submission``: the reasons to refuse."""
    return [answer for answer in announce(signal, submission) if answer]
