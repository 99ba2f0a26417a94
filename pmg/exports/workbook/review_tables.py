"""The ``revision`` sheet: where the review of each submission of the cycle stands. Pure.

One row per institution and kind (diagnostic, plan) with at least one submitted
version, institutions in the order of the other sheets and the diagnostic first.
Only decisions are shown, never a review in progress (taking a resubmitted version
starts its review with the previous outcomes, a draft that is no verdict):

- ``fecha_decision`` and ``decision``: the decision about the latest version. Until
  there is one, ``decision`` says «En revisión» once the version has been taken for
  review and is empty while it waits to be taken (``estado`` says Enviado or
  Reenviado), and ``fecha_decision`` is empty;
- ``catalogo_version`` and one column per requirement code: the outcomes of the
  latest *decided* review, that is, while a resubmitted version waits or is being
  reviewed, those of the decision about the previous one; empty before the first
  decision. A requirement that does not apply to the institution is left empty.

See :func:`pmg.exports.workbook.review_queries.load_reviews` for where each value comes from.
"""

from __future__ import annotations

from collections import defaultdict

from pmg.core.xlsx import CellValue, Table
from pmg.exports.workbook.records import (
    IDENTITY_HEADERS,
    ConsolidatedData,
    InstitutionRecord,
    ReviewRecord,
    chile_time,
    code_cell,
)
from pmg.submissions.models import SubmissionKind, SubmissionState

TITLE = "revision"
LEADING_HEADERS = (
    *IDENTITY_HEADERS,
    "tipo",
    "estado",
    "versiones",
    "ultima_version",
    "fecha_primer_envio",
    "fecha_ultimo_envio",
    "revisor",
    "fecha_decision",
    "decision",
    "catalogo_version",
)
TRAILING_HEADERS = ("observaciones_abiertas", "observaciones_total")
KIND_ORDER = {kind: position for position, kind in enumerate(SubmissionKind)}


def review_headers(codes: tuple[str, ...]) -> tuple[str, ...]:
    return (*LEADING_HEADERS, *codes, *TRAILING_HEADERS)


def review_table(data: ConsolidatedData) -> Table:
    """One row per submission with a version, with its latest decided review's verdicts."""
    by_institution: dict[int, list[ReviewRecord]] = defaultdict(list)
    for record in data.reviews:
        by_institution[record.institution_id].append(record)
    rows: list[tuple[CellValue, ...]] = []
    for institution in data.institutions:
        records = sorted(by_institution.get(institution.id, []), key=lambda r: KIND_ORDER[r.kind])
        rows.extend(_row(institution, record, data.requirement_codes) for record in records)
    return Table(TITLE, review_headers(data.requirement_codes), rows)


def _row(
    institution: InstitutionRecord, record: ReviewRecord, codes: tuple[str, ...]
) -> tuple[CellValue, ...]:
    verdicts = [record.verdicts.get(code) for code in codes]
    return (
        code_cell(institution.code),
        institution.name,
        record.kind.label,
        record.state.label,
        record.versions,
        record.latest_number,
        chile_time(record.first_submitted_at),
        chile_time(record.last_submitted_at),
        record.reviewer,
        chile_time(record.decided_at),
        _decision(record),
        record.catalog_version,
        *(outcome.label if outcome is not None else None for outcome in verdicts),
        record.unresolved_observations,
        record.observations,
    )


def _decision(record: ReviewRecord) -> str | None:
    """The decision about the latest version; «En revisión» while it is being reviewed."""
    if record.decision is not None:
        return record.decision.label
    if record.state is SubmissionState.IN_REVIEW:
        return SubmissionState.IN_REVIEW.label
    return None
