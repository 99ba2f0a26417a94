"""The plan a new draft starts with: the cycle's targets as imported from the official
consolidated files (:class:`pmg.indicators.models.CycleTargets`)."""

from __future__ import annotations

from sqlalchemy import select

from pmg.cycles.models import Cycle
from pmg.extensions import db
from pmg.indicators.models import CycleTargets
from pmg.institutions.models import Institution
from pmg.plans.schema import COMPLAINT_TARGETS, SAIP_TARGETS, sections_for
from pmg.submissions.prefill import Prefill, merged, section_prefill

TARGET_SECTIONS = (COMPLAINT_TARGETS, SAIP_TARGETS)


def prefill(institution: Institution, cycle: Cycle) -> Prefill:
    """The target sections of ``institution``'s plan that the imported targets of ``cycle``
    fill; empty when none was imported."""
    targets = db.session.scalar(
        select(CycleTargets).where(
            CycleTargets.institution_id == institution.id, CycleTargets.cycle_id == cycle.id
        )
    )
    if targets is None:
        return Prefill()
    applying = sections_for(institution)
    return merged(
        section_prefill(section, targets) for section in TARGET_SECTIONS if section in applying
    )
