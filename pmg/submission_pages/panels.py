"""What a submission's pages add to other packages' pages: an institution's submissions,
on its page (:mod:`pmg.institutions.panels`)."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from pmg.institutions.models import Institution
from pmg.institutions.panels import register_detail_panel
from pmg.submissions.kinds import KINDS
from pmg.submissions.queries import submissions_of


def institution_submissions(institution: Institution) -> Markup:
    """Every submission of ``institution`` and, for its coordinator, the current cycle's forms."""
    return Markup(  # noqa: S704 (HTML rendered by Jinja, which escapes what it puts in)
        render_template(
            "submissions/_institution.html",
            institution=institution,
            submissions=submissions_of(institution),
            kinds=KINDS,
        )
    )


register_detail_panel(institution_submissions)
