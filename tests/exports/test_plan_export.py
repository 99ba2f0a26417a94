"""The plan in the consolidated workbook: its targets, the `acciones` sheet, its status."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from io import BytesIO
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook

from pmg.cycles.models import Cycle
from pmg.exports.documents.queries import reference_diagnostic
from pmg.exports.workbook import export_consolidated
from pmg.exports.workbook.plan_tables import actions_table, gap_numbers
from pmg.exports.workbook.records import ConsolidatedData, InstitutionRecord, SubmissionRecord
from pmg.exports.workbook.tables import indicator_table
from pmg.extensions import db
from pmg.indicators.layouts import COMPLAINTS, SAIP
from pmg.indicators.models import CycleTargets
from pmg.institutions.models import FunctionalCategory, Institution, MesuCommitment, Stage
from pmg.submissions.models import SubmissionState
from tests.exports.reading import records, sheet_xml, sheets
from tests.exports.submissions import (
    csv_bytes,
    pdf_bytes,
    plan_on_gap_keys,
    resubmit_changed,
    sha256,
    submit_plan_with_evidence,
)
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_plan,
    load_starting_catalog,
    plan_draft,
)

# --- Pure tables -------------------------------------------------------------------------------

INSTITUTION = InstitutionRecord(
    id=1,
    code="1306",
    name="SERVICIO 1306",
    ministry="MINISTERIO DE HACIENDA",
    stage=Stage.STAGE_2,
    mesu=MesuCommitment.NO,
    category=FunctionalCategory.GENERAL_SERVICES,
    commits_system=True,
    active=True,
)


def plan_record(content: dict[str, Any], evidence: list[dict[str, Any]] | None = None) -> Any:
    return SubmissionRecord(
        state=SubmissionState.SUBMITTED,
        number=3,
        submitted_at=datetime(2026, 5, 4, 14, 0, tzinfo=UTC),
        content_hash="cd" * 32,
        document={"kind": "plan", "content": content, "evidence": evidence or []},
    )


def consolidated(**values: Any) -> ConsolidatedData:
    return ConsolidatedData(
        cycle_year=2026,
        reference_year=2025,
        years=(2025,),
        institutions=[INSTITUTION],
        **values,
    )


def plan_targets(table: Any) -> dict[str, Any]:
    row = dict(zip(table.headers, table.rows[0], strict=True))
    return {header: value for header, value in row.items() if header.startswith("plan_")}


@pytest.mark.parametrize(
    ("plan", "imported", "expected"),
    [
        # The plan's targets win over the imported ones.
        (
            {"complaints_answered_pct": 97.5, "complaints_late_pct": 5, "complaints_mean_days": 8},
            {"complaints_answered_pct": 90.0, "complaints_mean_days": 12.0},
            (97.5, 5, 8),
        ),
        # A target the plan leaves empty falls back to the imported one, then to "-".
        (
            {"complaints_answered_pct": 97.5, "complaints_late_pct": None},
            {"complaints_mean_days": 12.0},
            (97.5, "-", 12.0),
        ),
        # No submitted plan: the imported targets.
        (None, {"complaints_late_pct": 4.0}, ("-", 4.0, "-")),
    ],
)
def test_plan_targets_come_from_the_plan_then_from_the_import(
    plan: dict[str, Any] | None, imported: dict[str, Any], expected: tuple[Any, ...]
) -> None:
    plans = {1: plan_record({"complaint_targets": plan})} if plan is not None else {}
    source = consolidated(plans=plans, targets={1: imported})

    targets = plan_targets(indicator_table(COMPLAINTS, source))

    assert tuple(targets.values()) == expected


def test_a_plan_in_draft_only_leaves_the_imported_targets() -> None:
    source = consolidated(
        plans={1: SubmissionRecord(state=SubmissionState.DRAFT)},
        targets={1: {"saip_answered_pct": 99.0}},
    )

    assert plan_targets(indicator_table(SAIP, source))["plan_saip_resp_anual_meta"] == 99.0


def test_plan_targets_alone_give_the_institution_a_row() -> None:
    source = consolidated(plans={1: plan_record({"saip_targets": {"saip_mean_days": 10.5}})})

    table = indicator_table(SAIP, source)

    assert [row[1] for row in table.rows] == [1306]
    assert plan_targets(table)["plan_saip_tpo_resp_meta"] == 10.5


ACTION = {
    "key": "k1",
    "description": "Capacitar a los equipos de la OIRS",
    "gaps": ["2", "10", "1"],
    "owner_unit": "OIRS",
    "owner_person": "Ana Rojas",
    "start_date": "2026-03-01",
    "end_date": "2026-09-30",
    "indicator": "Funcionarios capacitados",
    "target_value": 12.5,
    "target_unit": "funcionarios",
    "verification": "Listas de asistencia",
}


def test_actions_table_has_a_row_per_action_with_its_own_evidence() -> None:
    second = {"key": "k2", "description": "Sin fechas", "gaps": ["1"]}
    evidence = [
        {"name": "plan.pdf", "sha256": "0" * 64, "action_key": None},
        {"name": "a.pdf", "sha256": "a" * 64, "action_key": "k1"},
        {"name": "b.xlsx", "sha256": "b" * 64, "action_key": "k1"},
    ]
    source = consolidated(plans={1: plan_record({"actions": [ACTION, second]}, evidence)})

    table = actions_table(source)

    assert table.title == "acciones"
    assert table.rows == [
        (
            1306,
            "SERVICIO 1306",
            3,
            1,
            "Capacitar a los equipos de la OIRS",
            "B1; B2; B10",
            "OIRS",
            "Ana Rojas",
            date(2026, 3, 1),
            date(2026, 9, 30),
            "Funcionarios capacitados",
            12.5,
            "funcionarios",
            "Listas de asistencia",
            "a.pdf; b.xlsx",
            f"{'a' * 64}; {'b' * 64}",
        ),
        (
            1306,
            "SERVICIO 1306",
            3,
            2,
            "Sin fechas",
            "B1",
            *(None,) * 5,
            "-",
            *(None,) * 4,
        ),
    ]


def test_actions_table_is_empty_without_a_submitted_plan() -> None:
    drafts = consolidated(plans={1: SubmissionRecord(state=SubmissionState.DRAFT)})

    assert actions_table(drafts).rows == []
    assert actions_table(consolidated()).rows == []


@pytest.mark.parametrize(
    ("gaps", "expected"),
    [(["1"], "B1"), (["2", "10", "1"], "B1; B2; B10"), ([], None), (None, None)],
)
def test_gap_numbers(gaps: Any, expected: str | None) -> None:
    assert gap_numbers(gaps, {}) == expected


# Gap numbers by id: a diagnostic that put brecha-2 first, then a gap without key, brecha-1.
NUMBERS = {"brecha-2": 1, "2": 2, "brecha-1": 3}


@pytest.mark.parametrize(
    ("gaps", "expected"),
    [
        (["brecha-1", "brecha-2"], "B1; B3"),
        (["2", "brecha-1"], "B2; B3"),
        # Ids the diagnostic does not have: a number as B9 in its place, a key as it is, last.
        (["brecha-7", "brecha-1", "9"], "B3; B9; brecha-7"),
    ],
)
def test_gap_numbers_are_those_of_the_ids_in_the_diagnostic(gaps: Any, expected: str) -> None:
    assert gap_numbers(gaps, NUMBERS) == expected


def diagnostic_record(gaps: list[dict[str, Any]]) -> SubmissionRecord:
    document = {"kind": "diagnostic", "content": {"gaps": gaps}}
    return SubmissionRecord(state=SubmissionState.SUBMITTED, number=2, document=document)


def test_actions_table_numbers_gaps_as_the_latest_diagnostic_does() -> None:
    first = {"key": "k1", "description": "Por clave", "gaps": ["brecha-1", "brecha-2"]}
    second = {"key": "k2", "description": "Por número", "gaps": ["2"]}
    gaps = [{"key": "brecha-2"}, {"key": None}, {"key": "brecha-1"}]
    source = consolidated(
        plans={1: plan_record({"actions": [first, second]})},
        diagnostics={1: diagnostic_record(gaps)},
    )

    assert [row[5] for row in actions_table(source).rows] == ["B1; B3", "B2"]


# --- The workbook from the database ------------------------------------------------------------

REPORT = pdf_bytes("Informe")
DATA = csv_bytes(50)


def _export(cycle: Cycle) -> bytes:
    buffer = BytesIO()
    export_consolidated(cycle, buffer)
    return buffer.getvalue()


@pytest.fixture
def cycle(app: Flask) -> Cycle:
    return create_cycle(2026)


@pytest.fixture
def institution(app: Flask) -> Institution:
    return create_institution("1306", "Servicio Nacional de Prueba")


def test_acciones_sheet_of_the_latest_submitted_plan(cycle: Cycle, institution: Any) -> None:
    files = [
        ("Informe general.pdf", REPORT, None),
        ("asistencia.csv", DATA, "accion2"),
        ("informe trimestral.pdf", REPORT, "accion2"),
    ]
    version = submit_plan_with_evidence(institution, cycle, files)
    data = _export(cycle)

    workbook = sheets(data)
    assert list(workbook)[4:] == ["brechas", "acciones", "estado", "revision"]
    rows = records(workbook["acciones"])
    assert [(row["accion"], row["brechas"]) for row in rows] == [
        (1, "B1"),
        (2, "B1; B2"),
        (3, "B1"),
    ]
    assert rows[1] == {
        "codigo_interno_SCSEU": 1306,
        "nombre_institucion": "Servicio Nacional de Prueba",
        "version": version.number,
        "accion": 2,
        "descripcion": "Acción de mejora 2",
        "brechas": "B1; B2",
        "unidad_responsable": "Departamento de Atención Ciudadana",
        "persona_responsable": "María González",
        "fecha_inicio": datetime(2026, 3, 1),
        "fecha_termino": datetime(2026, 9, 30),
        "indicador": "Porcentaje de reclamos respondidos en plazo",
        "meta": 95,
        "unidad_meta": "%",
        "medios_de_verificacion": "Informe trimestral de gestión de reclamos",
        "evidencia_archivos": "asistencia.csv; informe trimestral.pdf",
        "evidencia_sha256": f"{sha256(DATA)}; {sha256(REPORT)}",
    }
    assert rows[0]["evidencia_archivos"] is None  # the whole plan's file is in no action
    sheet = load_workbook(BytesIO(data))["acciones"]
    assert sheet["I3"].number_format == "yyyy-mm-dd"
    assert sheet["I3"].is_date
    assert sheet["A2"].data_type == "n"  # the code 1306, as the catalog writes it


def test_acciones_numbers_follow_the_gaps_of_a_diagnostic_sent_again_reordered(
    cycle: Cycle, institution: Any
) -> None:
    load_starting_catalog(cycle)
    plan = plan_on_gap_keys(institution, cycle)  # actions on brecha-1; brecha-1 and 2; brecha-1
    diagnostic = reference_diagnostic(plan)
    assert diagnostic is not None
    before = sheets(_export(cycle))
    gaps = diagnostic.submission.draft["gaps"]
    resubmit_changed(diagnostic, "gaps", gaps[::-1])

    after = sheets(_export(cycle))

    assert [row["brechas"] for row in records(before["acciones"])] == ["B1", "B1; B2", "B1"]
    assert [row["brechas"] for row in records(after["acciones"])] == ["B2", "B1; B2", "B2"]
    assert [
        (row["version"], row["numero_brecha"], row["descripcion"])
        for row in records(after["brechas"])
    ] == [(2, 1, "Brecha de prueba 2"), (2, 2, "Brecha de prueba 1")]
    brechas = records(after["brechas"])
    assert not any("brecha-" in str(value) for row in brechas for value in row.values())


def test_plan_targets_and_fallback_in_reclamos_and_saip(cycle: Cycle, institution: Any) -> None:
    db.session.add(
        CycleTargets(
            institution_id=institution.id,
            cycle_id=cycle.id,
            complaints_answered_pct=80.0,
            complaints_late_pct=20.0,
            saip_answered_pct=90.0,
        )
    )
    db.session.commit()
    draft = plan_draft(year=2026)
    draft["complaint_targets"]["complaints_late_pct"] = ""  # left empty: the import's
    draft["saip_targets"]["saip_late_pct"] = ""  # empty in both: "-"
    create_submitted_plan(institution, cycle, draft=draft)

    workbook = sheets(_export(cycle))

    complaints = records(workbook["reclamos"])[0]
    assert complaints["plan_reclamos_resp_anual_meta"] == 97.5
    assert complaints["plan_reclamos_resp_fuera_plazo_meta"] == 20
    assert complaints["plan_reclamos_tpo_resp_meta"] == 8
    saip = records(workbook["saip"])[0]
    assert saip["plan_saip_resp_anual_meta"] == 100
    assert saip["plan_saip_resp_fuera_plazo_meta"] == "-"
    assert saip["plan_saip_tpo_resp_meta"] == 10.5


def test_estado_shows_the_plan_beside_the_diagnostic(cycle: Cycle, institution: Any) -> None:
    plan = create_submitted_plan(institution, cycle)  # a diagnostic, then the plan

    status = records(sheets(_export(cycle))["estado"])[0]

    assert status["estado_diagnostico"] == "Enviado"
    assert status["version_diagnostico"] == 1
    assert status["estado_plan"] == "Enviado"
    assert status["version_plan"] == 1
    assert isinstance(status["plan_enviado_el"], datetime)
    assert status["hash_plan_sha256"] == plan.content_hash
    assert status["hash_diagnostico_sha256"] != plan.content_hash


FORMULA_LIKE = {
    "description": '=HYPERLINK("http://example.com","clic")',
    "owner_person": "+56 9 1234 5678",
    "indicator": "-3 días de demora",
    "verification": "@SUM(A1:A9)",
}


def test_action_text_typed_like_a_formula_stays_the_same_text(
    cycle: Cycle, institution: Any
) -> None:
    draft = plan_draft(year=2026)
    draft["actions"][0].update(FORMULA_LIKE)
    files = [("=1+1.pdf", REPORT, "accion1")]
    submit_plan_with_evidence(institution, cycle, files, draft=draft)

    data = _export(cycle)

    assert not any(re.search(r"<f[\s>/]", xml) for xml in sheet_xml(data).values())
    row = records(sheets(data)["acciones"])[0]
    assert {
        "description": row["descripcion"],
        "owner_person": row["persona_responsable"],
        "indicator": row["indicador"],
        "verification": row["medios_de_verificacion"],
    } == FORMULA_LIKE
    assert row["evidencia_archivos"] == "=1+1.pdf"
    cell = load_workbook(BytesIO(data))["acciones"]["E2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (
        FORMULA_LIKE["description"],
        "s",
        True,
    )
