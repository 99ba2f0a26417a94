"""The diagnostic a new draft starts with: the reference year's figures and procedures as
imported from the official consolidated files (:mod:`pmg.indicators.models`).

Procedures: those of the institution with a figures row for the reference year (the
import keeps one for every year its file covers, even when it reports nothing), in the
order they were imported, at most the section's ``max_rows``. A procedure without one is
left out, also one without figures for any year (imported before every year was kept):
the history does not say it was relevant in the reference year, and a row the
coordinator would have to remove weighs more than one to add.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from pmg.core.caching import cached
from pmg.cycles.models import Cycle
from pmg.diagnostics.schema import COMPLAINTS, PROCEDURES, SAIP, sections_for
from pmg.extensions import db
from pmg.indicators.models import ComplaintFigures, Procedure, ProcedureFigures, SaipFigures
from pmg.indicators.queries import HISTORY_TABLES
from pmg.institutions.models import Institution
from pmg.submissions.prefill import Prefill, merged, rows_prefill, section_prefill

FIGURES = ((COMPLAINTS, ComplaintFigures), (SAIP, SaipFigures))


def _procedures(institution_id: int, year: int) -> list[tuple[str, tuple[Any, ...]]]:
    """``(row key, (procedure, its figures))`` for each procedure with figures in ``year``."""
    found = db.session.execute(
        select(Procedure, ProcedureFigures)
        .join(ProcedureFigures, ProcedureFigures.procedure_id == Procedure.id)
        .where(Procedure.institution_id == institution_id, ProcedureFigures.year == year)
        .order_by(Procedure.id)
        .limit(PROCEDURES.max_rows)
    )
    return [(f"tramite-{procedure.id}", (procedure, figures)) for procedure, figures in found]


def prefill(institution: Institution, cycle: Cycle) -> Prefill:
    """The sections of ``institution``'s diagnostic that the history holds for the cycle's
    reference year; empty when it holds nothing for that year. Read once, then kept until
    an import changes the history."""
    year, institution_id = cycle.reference_year, institution.id
    applying = tuple(section.key for section in sections_for(institution))

    def read() -> Prefill:
        parts = []
        for section, model in FIGURES:
            if section.key in applying:
                figures = db.session.scalar(
                    select(model).where(model.institution_id == institution_id, model.year == year)
                )
                if figures is not None:
                    parts.append(section_prefill(section, figures))
        if PROCEDURES.key in applying:
            parts.append(rows_prefill(PROCEDURES, _procedures(institution_id, year)))
        return merged(parts)

    vary = (institution_id, year, applying)
    return cached("diagnostics.prefill", vary, read, tables=HISTORY_TABLES)
