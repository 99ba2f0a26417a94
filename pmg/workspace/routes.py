"""Each person's workspace: the home page that says where they stand and what to do next.

It sits above every package whose state it gathers (submissions, review, cycles) and above
the dashboard (:mod:`pmg.dashboard`), the home of the Secretaría, DIPRES and the
administration."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from pmg.core.permissions import ALL_ROLES, Role, roles_required
from pmg.cycles.queries import all_cycles, chile_today, current_cycle
from pmg.dashboard.board import board as dashboard_board
from pmg.dashboard.figures import choose_cycle
from pmg.dashboard.indicators import INSTITUTION_ARG, MEASURE_ARG, indicator_panel
from pmg.dashboard.workload import own_work
from pmg.workspace.queries import institutions_progress
from pmg.workspace.status import coordinator_notice

bp = Blueprint("workspace", __name__)


@bp.route("/")
@roles_required(*ALL_ROLES)
def home() -> tuple[str, int]:
    if current_user.role is Role.COORDINATOR:
        return _coordinator_home(), 200
    return _dashboard_home()


def _coordinator_home() -> str:
    cycle = current_cycle()
    institutions = list(current_user.institutions)
    notice = coordinator_notice(cycle, institutions)
    cards = []
    if cycle is not None and institutions:
        cards = institutions_progress(institutions, cycle, chile_today())
    return render_template("workspace/home.html", notice=notice, cards=cards)


def _dashboard_home() -> tuple[str, int]:
    """The dashboard of the cycle asked for (``ciclo``), with the indicator panel; 400 when
    a field of the query string names nothing (the page says so at the field)."""
    choice = choose_cycle(request.args.get("ciclo"), all_cycles())
    board = indicators = None
    if choice.cycle is not None:
        board = dashboard_board(choice.cycle, chile_today())
        indicators = indicator_panel(
            choice.cycle, request.args.get(MEASURE_ARG), request.args.get(INSTITUTION_ARG)
        )
    page = render_template(
        "workspace/home.html",
        choice=choice,
        board=board,
        indicators=indicators,
        work=own_work(board.queue_rows if board else None, current_user.role, current_user.id),
    )
    errors: list[str | None] = [choice.error]
    if indicators is not None:
        errors += [indicators.measure_error, indicators.institution_error]
    return page, 400 if any(errors) else 200
