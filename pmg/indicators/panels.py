"""What the indicator history adds to an institution's page (:mod:`pmg.institutions.panels`):
each indicator over the years against its plan target (:mod:`pmg.indicators.trends`)."""

from __future__ import annotations

from flask_login import current_user
from markupsafe import Markup

from pmg.core.caching import cached
from pmg.core.fragments import render_fragment
from pmg.indicators.trends import load_trends
from pmg.institutions.models import Institution
from pmg.institutions.panels import register_detail_panel


def indicator_trends(institution: Institution) -> Markup:
    """The charts of the institution's history, or a sentence saying it has none yet; the
    same for each role until the data changes (:mod:`pmg.core.caching`)."""

    def render() -> Markup:
        return render_fragment(
            "indicators/_trends.html",
            institution=institution,
            sections=load_trends(institution),
        )

    return cached("indicators.trends", (institution.id, current_user.role), render)


register_detail_panel(indicator_trends)
