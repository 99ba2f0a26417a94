"""What a submission's pages add to other packages' pages: an institution's submissions,
on its page (:mod:`pmg.institutions.panels`)."""

from __future__ import annotations

from flask_login import current_user
from markupsafe import Markup

from pmg.core.caching import cached
from pmg.core.fragments import render_fragment
from pmg.institutions.models import Institution
from pmg.institutions.panels import register_detail_panel
from pmg.submissions.kinds import KINDS
from pmg.submissions.queries import submissions_of


def institution_submissions(institution: Institution) -> Markup:
    """Every submission of ``institution`` and, for its coordinator, the current cycle's
    forms; the same for each role until the data changes (:mod:`pmg.core.caching`)."""

    def render() -> Markup:
        return render_fragment(
            "submissions/_institution.html",
            institution=institution,
            submissions=submissions_of(institution),
            kinds=KINDS,
        )

    return cached("submissions.institution", (institution.id, current_user.role), render)


register_detail_panel(institution_submissions)
