"""Each person's workspace: the home page that says where they stand and what to do next.

It sits above every package whose state it gathers (submissions, review, cycles)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from pmg.core.permissions import ALL_ROLES, Role, roles_required
from pmg.cycles.queries import chile_today, current_cycle
from pmg.submissions.kinds import KINDS
from pmg.workspace.counts import by_state, reviewer_work, unassigned
from pmg.workspace.queries import count_rows, institutions_progress
from pmg.workspace.status import coordinator_notice

bp = Blueprint("workspace", __name__)


@bp.route("/")
@roles_required(*ALL_ROLES)
def home() -> str:
    cycle = current_cycle()
    if current_user.role is Role.COORDINATOR:
        institutions = list(current_user.institutions)
        notice = coordinator_notice(cycle, institutions)
        cards = []
        if cycle is not None and institutions:
            cards = institutions_progress(institutions, cycle, chile_today())
        return render_template("workspace/home.html", notice=notice, cards=cards)
    rows = count_rows(cycle) if cycle else []
    role = current_user.role
    return render_template(
        "workspace/home.html",
        waiting=reviewer_work(rows, current_user.id) if role is Role.REVIEWER else None,
        # Who takes or assigns unassigned submissions: reviewers and admins.
        unassigned=unassigned(rows) if role in (Role.REVIEWER, Role.ADMIN) else None,
        by_state=by_state(rows) if role in (Role.DIPRES, Role.ADMIN) else None,
        kinds=list(KINDS.values()),
    )
