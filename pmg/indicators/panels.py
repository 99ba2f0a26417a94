"""What the indicator history adds to an institution's page (:mod:`pmg.institutions.panels`):
each indicator over the years against its plan target (:mod:`pmg.indicators.trends`)."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from pmg.indicators.trends import load_trends
from pmg.institutions.models import Institution
from pmg.institutions.panels import register_detail_panel


def indicator_trends(institution: Institution) -> Markup:
    """The charts of the institution's history, or a sentence saying it has none yet."""
    return Markup(  # noqa: S704 (HTML rendered by Jinja, which escapes what it puts in)
        render_template(
            "indicators/_trends.html", institution=institution, sections=load_trends(institution)
        )
    )


register_detail_panel(indicator_trends)
