"""The plan a new draft starts with: the cycle's targets as imported from the official
consolidated files (:class:`pmg.indicators.models.CycleTargets`)."""

from __future__ import annotations

from sqlalchemy import select

from pmg.core.caching import cached
from pmg.cycles.models import Cycle
from pmg.extensions import db
from pmg.indicators.models import CycleTargets
from pmg.indicators.queries import TARGET_TABLES
from pmg.institutions.models import Institution
from pmg.plans.schema import COMPLAINT_TARGETS, SAIP_TARGETS, sections_for
from pmg.submissions.prefill import Prefill, merged, section_prefill

TARGET_SECTIONS = (COMPLAINT_TARGETS, SAIP_TARGETS)


def prefill(institution: Institution, cycle: Cycle) -> Prefill:
    """The target sections of ``institution``'s plan that the imported targets of ``cycle``
    fill; empty when none was imported. Read once, then kept until an import changes them."""
    institution_id, cycle_id = institution.id, cycle.id
    applying = tuple(section for section in TARGET_SECTIONS if section in sections_for(institution))

    def read() -> Prefill:
        targets = db.session.scalar(
            select(CycleTargets).where(
                CycleTargets.institution_id == institution_id, CycleTargets.cycle_id == cycle_id
            )
        )
        if targets is None:
            return Prefill()
        return merged(section_prefill(section, targets) for section in applying)

    vary = (institution_id, cycle_id, tuple(section.key for section in applying))
    return cached("plans.prefill", vary, read, tables=TARGET_TABLES)
