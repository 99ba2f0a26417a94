"""What the workspace adds to an institution's page (:mod:`pmg.institutions.panels`): the
steps of the current cycle and, for its coordinator, the next thing to do."""

from __future__ import annotations

from flask_login import current_user
from markupsafe import Markup

from pmg.core.caching import cached
from pmg.core.fragments import render_fragment
from pmg.cycles.queries import chile_today, current_cycle
from pmg.institutions.models import Institution
from pmg.institutions.panels import register_detail_panel
from pmg.workspace.queries import institutions_progress


def cycle_progress(institution: Institution) -> Markup:
    """The institution's steps in the current cycle, nothing without a current cycle; the
    same for each role on a day until the data changes (:mod:`pmg.core.caching`)."""
    today = chile_today()

    def render() -> Markup:
        cycle = current_cycle()
        if cycle is None:
            return Markup()
        (card,) = institutions_progress([institution], cycle, today)
        return render_fragment("workspace/_institution_progress.html", card=card)

    return cached("workspace.progress", (institution.id, current_user.role, today), render)


register_detail_panel(cycle_progress)
