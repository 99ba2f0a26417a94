"""The dashboard's tables, rendered once per cycle, day and state of the data.

Counting every institution's standing, grouping by ministry and stage and rendering some
600 linked counts is most of what the dashboard costs, and it is the same for everyone
who asks on the same day while nothing changes: :func:`board` keeps the rendered tables
(``templates/dashboard/_board.html``) and the per-reviewer counts each person's own
blocks are made of (:func:`pmg.dashboard.workload.own_work`) under the data stamp
(:mod:`pmg.core.caching`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from pmg.core.caching import cached
from pmg.core.fragments import render_fragment
from pmg.cycles.models import Cycle
from pmg.dashboard.queries import dashboard
from pmg.dashboard.standing import STANDINGS
from pmg.dashboard.workload import CountRow
from pmg.submissions.kinds import KINDS


@dataclass(frozen=True)
class Board:
    """The dashboard's tables as markup, and the counts the review queue lists (``None``
    when the cycle is not the one it lists)."""

    html: Markup
    queue_rows: list[CountRow] | None


def _rendered(cycle: Cycle, today: date) -> Board:
    figures = dashboard(cycle, today)
    html = render_fragment(
        "dashboard/_board.html", board=figures, kinds=list(KINDS.values()), standings=STANDINGS
    )
    return Board(html, figures.queue_rows)


def board(cycle: Cycle, today: date) -> Board:
    """The dashboard's tables of ``cycle`` on ``today``: rendered, or kept from the last
    time nothing had changed since."""
    return cached("dashboard.board", (cycle.id, today), lambda: _rendered(cycle, today))
