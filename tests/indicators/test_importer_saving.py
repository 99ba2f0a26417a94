"""Targets and their cycle, idempotency, updates, and all or nothing."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from pmg.core.spreadsheets import SpreadsheetError
from pmg.cycles.models import Cycle
from pmg.extensions import db
from pmg.indicators.importer import import_indicators
from pmg.indicators.models import (
    ComplaintFigures,
    CycleTargets,
    Procedure,
    ProcedureFigures,
    SaipFigures,
    TimeUnit,
)
from tests.factories import create_cycle, create_institution
from tests.indicators.helpers import complaint_figures, count, values
from tests.indicators.workbooks import (
    NO_TARGETS,
    TARGETS,
    UNIT,
    complaints,
    consolidated_xlsx,
    official_workbook,
    procedure,
    saip,
)
from tests.workbooks import broken_after_row

# --- Targets and their cycle -------------------------------------------------------------------


def test_import_targets_go_to_the_given_cycle(app: Flask, riego: Any) -> None:
    cycle = create_cycle(2025)
    rows = [complaints("1306", 2023) | complaints("1306", 2024) | TARGETS]
    result = import_indicators(consolidated_xlsx("reclamos", [2023, 2024], rows), cycle_year=2025)
    assert result.description == "Consolidado de reclamos, años 2023, 2024. Metas del ciclo 2025."
    targets = db.session.scalar(select(CycleTargets))
    assert targets is not None
    assert (targets.cycle_id, targets.institution_id) == (cycle.id, riego.id)
    assert values(
        targets, ("complaints_answered_pct", "complaints_late_pct", "complaints_mean_days")
    ) == (95, 5.5, 10)
    assert targets.saip_answered_pct is None
    assert count(Cycle) == 1


def test_import_targets_default_to_a_new_cycle_after_the_latest_year(
    app: Flask, riego: Any
) -> None:
    current = create_cycle(2024, current=True)
    rows = [complaints("1306", 2023) | complaints("1306", 2024) | TARGETS]
    result = import_indicators(consolidated_xlsx("reclamos", [2023, 2024], rows))
    assert result.description == (
        "Consolidado de reclamos, años 2023, 2024. "
        "Metas del ciclo 2025 (ciclo creado con plazos por omisión)."
    )
    assert (result.cycle_year, result.cycle_created) == (2025, True)
    created = db.session.scalar(select(Cycle).where(Cycle.year == 2025))
    assert created is not None
    assert created.reference_year == 2024
    assert (created.diagnostic_start, created.close_end) == (date(2025, 3, 1), date(2025, 12, 31))
    assert created.is_current is False and current.is_current is True
    assert db.session.scalar(select(CycleTargets.cycle_id)) == created.id


def test_import_created_cycle_is_current_when_there_is_none(app: Flask, riego: Any) -> None:
    rows = [complaints("1306", 2024) | TARGETS]
    import_indicators(consolidated_xlsx("reclamos", [2024], rows), cycle_year=2026)
    created = db.session.scalar(select(Cycle))
    assert created is not None
    assert (created.year, created.reference_year, created.is_current) == (2026, 2025, True)


def test_import_saip_targets_join_the_complaints_targets_of_the_same_cycle(
    app: Flask, riego: Any
) -> None:
    create_cycle(2025)
    import_indicators(consolidated_xlsx("reclamos", [2024], [complaints("1306", 2024) | TARGETS]))
    saip_targets = {
        "plan_saip_resp_anual_meta": "100",
        "plan_saip_resp_fuera_plazo_meta": 0,
        "plan_saip_tpo_resp_meta": "-",
    }
    result = import_indicators(
        consolidated_xlsx("saip", [2024], [saip("1306", 2024) | saip_targets])
    )
    assert result.summary == "created 1, updated 0, unchanged 0, skipped 0"
    targets = db.session.scalar(select(CycleTargets))
    assert targets is not None
    assert values(
        targets, ("complaints_answered_pct", "saip_answered_pct", "saip_late_pct", "saip_mean_days")
    ) == (95, 100, 0, None)
    assert count(CycleTargets) == 1


def test_import_rows_without_targets_keep_how_each_was_written(app: Flask, riego: Any) -> None:
    create_cycle(2025)
    import_indicators(
        consolidated_xlsx("reclamos", [2024], [complaints("1306", 2024) | NO_TARGETS])
    )
    targets = db.session.scalar(select(CycleTargets))
    assert targets is not None
    assert (targets.complaints_answered_pct, targets.complaints_late_pct) == (None, None)
    # "-" is the default; an empty cell and an empty text are both kept as empty.
    assert targets.unreported_as == {"complaints_late_pct": "", "complaints_mean_days": ""}


# --- Idempotency and updates ----------------------------------------------------------------


@pytest.mark.parametrize(("name", "rows"), [("reclamos", 4), ("saip", 4), ("tramites", 7)])
def test_import_the_same_file_twice_changes_nothing(app: Flask, name: str, rows: int) -> None:
    institutions = [create_institution(code) for code in ("1306", "3101_61", "1200", "1201")]
    data = official_workbook(name, [*institutions, ("9999", "DESCONOCIDA")], [2022, 2023], seed=5)
    first = import_indicators(data)
    db.session.commit()
    counts = [
        count(model)
        for model in (
            ComplaintFigures,
            SaipFigures,
            Procedure,
            ProcedureFigures,
            CycleTargets,
            Cycle,
        )
    ]
    second = import_indicators(data)
    db.session.commit()
    skipped = 2 if name == "tramites" else 1  # the unknown institution's rows
    assert first.summary == f"created {rows}, updated 0, unchanged 0, skipped {skipped}"
    assert second.summary == f"created 0, updated 0, unchanged {rows}, skipped {skipped}"
    assert counts == [
        count(model)
        for model in (
            ComplaintFigures,
            SaipFigures,
            Procedure,
            ProcedureFigures,
            CycleTargets,
            Cycle,
        )
    ]


def test_import_changed_figures_update_their_rows_only(app: Flask, riego: Any) -> None:
    create_institution("2001")
    create_cycle(2025)

    def rows(received: int, target: Any) -> list[dict[str, Any]]:
        return [
            complaints("1306", 2023) | complaints("1306", 2024, received=received) | TARGETS,
            complaints("2001", 2023)
            | complaints("2001", 2024)
            | TARGETS
            | {"plan_reclamos_tpo_resp_meta": target},
        ]

    import_indicators(consolidated_xlsx("reclamos", [2023, 2024], rows(100, 10)))
    db.session.commit()
    result = import_indicators(consolidated_xlsx("reclamos", [2023, 2024], rows(120, 10)))
    assert result.summary == "created 0, updated 1, unchanged 1, skipped 0"
    assert complaint_figures("1306", 2024).received == 120
    result = import_indicators(consolidated_xlsx("reclamos", [2023, 2024], rows(120, "-")))
    assert result.summary == "created 0, updated 1, unchanged 1, skipped 0"
    result = import_indicators(
        consolidated_xlsx("reclamos", [2022], [complaints("1306", 2022) | TARGETS]),
        cycle_year=2025,
    )
    assert result.summary == "created 1, updated 0, unchanged 0, skipped 0", "a new year"


def test_import_procedures_update_the_definition_found_by_name(app: Flask, riego: Any) -> None:
    import_indicators(
        consolidated_xlsx("tramites", [2024], [procedure("1306", "Certificado", 2024)])
    )
    db.session.commit()
    changed = procedure(
        "1306",
        "CERTIFICADO",
        2024,
        hito_final="Entrega del certificado",
        **{UNIT: "horas"},
    )
    result = import_indicators(consolidated_xlsx("tramites", [2024], [changed]))
    assert result.summary == "created 0, updated 1, unchanged 0, skipped 0"
    found = db.session.scalar(select(Procedure))
    assert found is not None
    assert (found.name, found.end_milestone, found.time_unit) == (
        "CERTIFICADO",
        "Entrega del certificado",
        TimeUnit.HOURS,
    )
    assert count(Procedure) == 1
    assert count(ProcedureFigures) == 1


# --- All or nothing --------------------------------------------------------------------------


class TestRowCap:
    @pytest.fixture
    def app_config(self) -> dict[str, Any]:
        return {"PMG_IMPORT_MAX_ROWS": 3}

    def test_import_over_the_row_cap_leaves_the_database_unchanged(
        self, app: Flask, riego: Any
    ) -> None:
        create_institution("2001")
        create_institution("2002")
        rows = [complaints(code, 2024) | TARGETS for code in ("1306", "2001", "2002")]
        before = [count(model) for model in (ComplaintFigures, CycleTargets, Cycle)]
        with pytest.raises(
            SpreadsheetError, match=re.escape("El archivo supera el máximo de 3 filas.")
        ):
            import_indicators(consolidated_xlsx("reclamos", [2024], rows))
        db.session.rollback()
        assert before == [0, 0, 0]
        assert [count(model) for model in (ComplaintFigures, CycleTargets, Cycle)] == before

    def test_import_without_a_dimension_stops_reading_after_the_cap(
        self, app: Flask, riego: Any
    ) -> None:
        rows = [complaints(str(code), 2024) | TARGETS for code in range(1, 9)]
        data = broken_after_row(consolidated_xlsx("reclamos", [2024], rows), 4)  # cap + 1
        with pytest.raises(SpreadsheetError) as refused:
            import_indicators(data)
        assert refused.value.message == "El archivo supera el máximo de 3 filas."
        assert count(ComplaintFigures) == 0
