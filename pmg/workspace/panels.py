"""What the workspace adds to an institution's page (:mod:`pmg.institutions.panels`): the
steps of the current cycle and, for its coordinator, the next thing to do."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from pmg.cycles.queries import chile_today, current_cycle
from pmg.institutions.models import Institution
from pmg.institutions.panels import register_detail_panel
from pmg.workspace.queries import institutions_progress


def cycle_progress(institution: Institution) -> Markup:
    """The institution's steps in the current cycle; nothing without a current cycle."""
    cycle = current_cycle()
    if cycle is None:
        return Markup()
    (card,) = institutions_progress([institution], cycle, chile_today())
    return Markup(  # noqa: S704 (HTML rendered by Jinja, which escapes what it puts in)
        render_template("workspace/_institution_progress.html", card=card)
    )


register_detail_panel(cycle_progress)
