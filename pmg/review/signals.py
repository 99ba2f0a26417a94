"""What the review announces, for higher layers to react without being imported here.

Sent inside the transaction of the change, like :mod:`pmg.submissions.signals`.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent with the submission whose observation the coordinator just answered (between two
# transitions: what a version's document shows changed): its PDFs are stored again
# (pmg.exports.documents.stored).
answered = _signals.signal("observation-answered")
