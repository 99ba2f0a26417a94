"""The cycle report («Informe de avance del ciclo»): the dashboard's tables and charts as a
PDF, with the day its figures are from, when it was made and with which filters.

It prints the same objects the dashboard shows (:func:`pmg.dashboard.queries.dashboard`,
:func:`pmg.dashboard.indicators.indicator_panel` for every measure of the panel), so the
report and the page cannot disagree. Its charts are inline SVG: the PDF fetches nothing but
the app's own print assets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import render_template

from pmg.audit.actions import AuditAction
from pmg.audit.operations import record
from pmg.auth.models import User
from pmg.core.filters import format_datetime
from pmg.cycles.models import Cycle
from pmg.dashboard.indicators import PANEL_MEASURES, IndicatorPanel, indicator_panel
from pmg.dashboard.queries import Dashboard
from pmg.dashboard.standing import STANDINGS
from pmg.exports.documents.pdf import write_pdf
from pmg.submissions.kinds import KINDS

TITLE = "Informe de avance del ciclo"


@dataclass(frozen=True)
class CycleReport:
    """What the report prints: the dashboard, one indicator panel per measure, and the
    filters (the institution compared with its peers, if one was chosen)."""

    board: Dashboard
    panels: tuple[IndicatorPanel, ...]
    institution: str
    generated_at: datetime
    generated_by: str

    @property
    def title(self) -> str:
        return f"{TITLE} {self.board.cycle.year}"

    @property
    def filename(self) -> str:
        return f"informe-avance-ciclo-{self.board.cycle.year}-{self.board.today.isoformat()}.pdf"

    @property
    def generated(self) -> str:
        return format_datetime(self.generated_at)


def cycle_report(
    board: Dashboard, institution: str, generated_at: datetime, generated_by: User
) -> CycleReport:
    """The report of ``board`` with every indicator of the panel; ``institution`` (a code or
    a name, as the dashboard's field takes it) marks that institution in each chart."""
    panels = tuple(
        indicator_panel(board.cycle, measure.key, institution) for measure in PANEL_MEASURES
    )
    return CycleReport(board, panels, institution, generated_at, generated_by.name)


def render_cycle_report(report: CycleReport) -> bytes:
    """The report's PDF."""
    html = render_template(
        "dashboard/report.html",
        report=report,
        board=report.board,
        kinds=list(KINDS.values()),
        standings=STANDINGS,
    )
    return write_pdf(html)


def record_cycle_report(cycle: Cycle, report: CycleReport, actor: User) -> None:
    """Note the download in the audit trail, as every export is."""
    record(
        AuditAction.EXPORT_CYCLE_REPORT,
        cycle,
        actor=actor,
        after={"cycle_year": cycle.year, "date": report.board.today.isoformat(),
               "institution": report.institution},
    )
