"""The consolidated export from the database: sources, years, and a constant number of queries."""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any

import pytest
from flask import Flask

from pmg.core.errors import DomainError
from pmg.core.permissions import Role
from pmg.cycles.models import Cycle
from pmg.exports.workbook import choose_years, export_consolidated
from pmg.extensions import db
from pmg.indicators.models import (
    ComplaintFigures,
    CycleTargets,
    Procedure,
    ProcedureFigures,
    SaipFigures,
)
from pmg.institutions.models import Institution, Stage
from tests.exports.queries import queries_of_export
from tests.exports.reading import records, sheet_xml, sheets
from tests.exports.submissions import pdf_bytes, submit_plan_with_evidence
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
    diagnostic_draft,
)


def _export(cycle: Cycle, first: int | None = None, last: int | None = None) -> dict[str, Any]:
    buffer = BytesIO()
    export_consolidated(cycle, buffer, first, last)
    return sheets(buffer.getvalue())


def _history(institution: Institution, year: int, **complaints: Any) -> None:
    db.session.add(ComplaintFigures(institution_id=institution.id, year=year, **complaints))
    saip = {"received": 16, "answered": 16, "answered_within_10": 5}
    db.session.add(SaipFigures(institution_id=institution.id, year=year, **saip))
    procedure = Procedure(institution_id=institution.id, name="Trámite de prueba 1")
    procedure.figures.append(ProcedureFigures(year=year, mean=4.0, handled=10))
    db.session.add(procedure)
    db.session.commit()


def test_reference_year_from_the_diagnostic_and_history_for_the_years_before(app: Flask) -> None:
    cycle = create_cycle(2026)
    institution = create_institution("1306")
    _history(institution, 2024, received=20, answered=16, answered_over_20=5)
    version = create_submitted_diagnostic(institution, cycle)
    result = _export(cycle)

    complaints = records(result["reclamos"])
    assert len(complaints) == 1
    row = complaints[0]
    assert row["codigo_interno_SCSEU"] == 1306
    assert row["2024_n_de_reclamos_recibidos_al_ano"] == 20
    assert row["2024_respondidos"] == 80
    assert row["2024_respondidos_en_mas_de_20_dias_habiles"] == 31.3
    assert row["2024_promedio_tiempo_de_respuesta"] == "-"
    assert row["2025_n_de_reclamos_recibidos_al_ano"] == 1250  # typed "1.250"
    assert row["2025_respondidos"] == 96
    assert row["2025_promedio_tiempo_de_respuesta"] == 8.5
    assert row["2025_respondidos_en_mas_de_20_dias_habiles"] == 7.5

    saip = records(result["saip"])[0]
    assert saip["2024_respondidas_en_10_dias_habiles_o_menos"] == 31.3
    assert saip["2025_respondidas_en_10_dias_habiles_o_menos"] == 31.3

    procedures = records(result["tramites"])
    assert [p["nombre_del_tramite_y_o_servicio_relevante"] for p in procedures] == [
        "Trámite de prueba 1",
        "Trámite de prueba 2",
    ]
    assert procedures[0]["2024_promedio"] == 4
    assert procedures[0]["2025_n_transacciones_gestionadas_en_el_ano"] == 4500
    assert procedures[1]["2024_promedio"] == "-"

    status = records(result["estado"])
    assert status == [
        {
            "codigo_interno_SCSEU": 1306,
            "nombre_institucion": institution.name,
            "estado_diagnostico": "Enviado",
            "version_diagnostico": 1,
            "diagnostico_enviado_el": status[0]["diagnostico_enviado_el"],
            "hash_diagnostico_sha256": version.content_hash,
            "estado_plan": "Sin envío",
            "version_plan": None,
            "plan_enviado_el": None,
            "hash_plan_sha256": None,
        }
    ]
    assert len(version.content_hash) == 64

    gaps = records(result["brechas"])
    assert [(g["numero_brecha"], g["dimension"], g["prioridad"]) for g in gaps] == [
        (1, "Reclamos", "Alta"),
        (2, "Trámite o servicio relevante", "Media"),
    ]


FORMULA_LIKE = {
    "description": '=HYPERLINK("http://example.com","clic")',
    "causes": "+56 9 1234 5678",
    "current_value": "-3 días",
    "expected_value": "@SUM(A1:A9)",
}


def test_text_typed_like_a_formula_is_exported_as_the_same_text(app: Flask) -> None:
    cycle = create_cycle(2026)
    institution = create_institution("1306")
    draft = diagnostic_draft(gaps=1)
    draft["gaps"][0].update(FORMULA_LIKE)
    draft["procedures"][0].update(justification="otra", other_reason="=1+1")
    create_submitted_diagnostic(institution, cycle, draft=draft)
    buffer = BytesIO()
    export_consolidated(cycle, buffer)
    data = buffer.getvalue()

    parts = sheet_xml(data)
    assert not any(re.search(r"<f[\s>/]", xml) for xml in parts.values())
    gap = records(sheets(data)["brechas"])[0]
    assert {
        "description": gap["descripcion"],
        "causes": gap["causas"],
        "current_value": gap["valor_actual"],
        "expected_value": gap["valor_esperado"],
    } == FORMULA_LIKE
    procedure = records(sheets(data)["tramites"])[0]
    other_reason = next(header for header in procedure if header.startswith("especifique_"))
    assert procedure[other_reason] == "=1+1"


def test_saip_stage_institutions_appear_only_in_saip(app: Flask) -> None:
    cycle = create_cycle(2026)
    institution = create_institution("3101_61", stage=Stage.SAIP)
    draft = diagnostic_draft()
    create_submitted_diagnostic(institution, cycle, draft=draft)
    result = _export(cycle)
    assert records(result["reclamos"]) == []
    assert records(result["tramites"]) == []
    assert [row["codigo_interno_SCSEU"] for row in records(result["saip"])] == ["3101_61"]


def test_targets_come_from_the_cycle(app: Flask) -> None:
    cycle = create_cycle(2026)
    other = create_cycle(2025, current=False)
    institution = create_institution("1306")
    for target_cycle, value in ((cycle, 95.5), (other, 10.0)):
        db.session.add(
            CycleTargets(
                institution_id=institution.id, cycle_id=target_cycle.id, saip_answered_pct=value
            )
        )
    db.session.commit()
    row = records(_export(cycle)["saip"])[0]
    assert row["plan_saip_resp_anual_meta"] == 95.5
    assert row["plan_saip_resp_fuera_plazo_meta"] == "-"


def test_default_years_span_the_data_up_to_the_reference_year(app: Flask) -> None:
    cycle = create_cycle(2026)
    institution = create_institution()
    for year in (2021, 2023, 2026):
        db.session.add(ComplaintFigures(institution_id=institution.id, year=year, received=1))
    db.session.commit()
    assert choose_years(cycle) == (2021, 2022, 2023)
    create_submitted_diagnostic(institution, cycle)
    assert choose_years(cycle) == (2021, 2022, 2023, 2024, 2025)
    assert choose_years(cycle, 2024) == (2024, 2025)
    assert choose_years(cycle, 2022, 2023) == (2022, 2023)


def test_default_years_span_every_history_and_leave_later_years_out(app: Flask) -> None:
    """The earliest year may be in one history and the latest in another; years after the
    reference year count in none."""
    cycle = create_cycle(2026)
    institution = create_institution()
    procedure = Procedure(institution_id=institution.id, name="Trámite")
    db.session.add(procedure)
    db.session.flush()
    db.session.add_all(
        [
            SaipFigures(institution_id=institution.id, year=2019, received=1),
            ComplaintFigures(institution_id=institution.id, year=2021, received=1),
            ComplaintFigures(institution_id=institution.id, year=2027, received=1),
            ProcedureFigures(procedure_id=procedure.id, year=2024, handled=1),
            SaipFigures(institution_id=institution.id, year=2026, received=1),
        ]
    )
    db.session.commit()
    assert choose_years(cycle) == (2019, 2020, 2021, 2022, 2023, 2024)


def test_without_any_data_only_the_reference_year(app: Flask) -> None:
    cycle = create_cycle(2026)
    assert choose_years(cycle) == (2025,)
    headers = _export(cycle)["reclamos"][0]
    assert headers[3] == "2025_n_de_reclamos_respondidos_en_el_ano"


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        (2025, 2023, "El año inicial (2025) es posterior al año final (2023)."),
        (2024, 2026, "no puede ser posterior al año de referencia del ciclo 2026 (2025)"),
        (1990, 2025, "no puede ser anterior a 2000"),
        (2000, 2025, "Elija como máximo 20 años."),
    ],
)
def test_years_out_of_bounds_are_refused(app: Flask, first: int, last: int, message: str) -> None:
    cycle = create_cycle(2026)
    with pytest.raises(DomainError, match=re.escape(message)):
        choose_years(cycle, first, last)


def _add_institutions(cycle: Cycle, count: int, first: int) -> None:
    """``count`` institutions with history, targets, a submitted diagnostic and a submitted
    plan with one evidence file each."""
    coordinator = create_user(Role.COORDINATOR)
    for number in range(first, first + count):
        code = f"{5000 + number}" if number % 2 else f"31{number:02d}_61"
        institution = create_institution(code)
        coordinator.institutions.append(institution)
        _history(institution, 2024, received=10, answered=9)
        db.session.add(
            CycleTargets(institution_id=institution.id, cycle_id=cycle.id, saip_mean_days=9.0)
        )
        db.session.commit()
        evidence = [(f"acta {number}.pdf", pdf_bytes(str(number)), "accion1")]
        submit_plan_with_evidence(institution, cycle, evidence, coordinator=coordinator)


def test_the_number_of_queries_is_the_same_for_3_and_for_30_institutions(app: Flask) -> None:
    cycle = create_cycle(2026)
    _add_institutions(cycle, 3, first=0)
    few, rows = queries_of_export(cycle)
    assert (rows["reclamos"], rows["tramites"], rows["brechas"], rows["acciones"]) == (3, 6, 6, 9)
    _add_institutions(cycle, 27, first=3)
    many, rows = queries_of_export(cycle)
    assert (rows["reclamos"], rows["tramites"], rows["brechas"], rows["acciones"]) == (
        30,
        60,
        60,
        90,
    )
    assert few == many
    # The cycle (reloaded), the span of years with data, institutions, complaints, SAIP,
    # procedure figures, procedures, targets, diagnostics, plans; four for the revision
    # sheet (submissions with their versions and latest review, that review's verdicts,
    # observation counts, the requirement codes of the cycle); then the audit entry
    # (the last entry's hash, the insert, and on PostgreSQL the chain's advisory lock).
    assert many == 16 + (db.engine.dialect.name == "postgresql")
