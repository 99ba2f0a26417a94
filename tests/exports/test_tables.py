"""The consolidated tables from plain records: headers, values, and where each comes from."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pmg.core.xlsx import Table
from pmg.exports.workbook.records import (
    ConsolidatedData,
    InstitutionRecord,
    ProcedureRecord,
    SubmissionRecord,
)
from pmg.exports.workbook.tables import (
    consolidated_tables,
    gaps_table,
    indicator_table,
    institutions_table,
    same_text,
    status_table,
)
from pmg.indicators.cells import read_text
from pmg.indicators.layouts import COMPLAINTS, PROCEDURES, SAIP
from pmg.indicators.models import Justification, TimeUnit
from pmg.institutions.models import FunctionalCategory, MesuCommitment, Stage
from pmg.submissions.models import SubmissionState

# The official layouts, transcribed from domain.md independently of pmg/indicators/layouts.py.
COMPLAINT_YEAR = (
    "n_de_reclamos_respondidos_en_el_ano",
    "n_de_reclamos_recibidos_al_ano",
    "respondidos",
    "promedio_tiempo_de_respuesta",
    "mediana_tiempo_de_respuesta",
    "minimo_tiempo_de_respuesta",
    "maximo_tiempo_de_respuesta",
    "n_de_reclamos_respondidos_en_mas_de_20_dias_habiles_en_el_ano",
    "respondidos_en_mas_de_20_dias_habiles",
)
SAIP_YEAR = (
    "n_de_saip_respondidas_en_el_ano",
    "n_de_saip_recibidas_al_ano",
    "respondidas",
    "promedio_tiempo_de_respuesta",
    "mediana_tiempo_de_respuesta",
    "minimo_tiempo_de_respuesta",
    "maximo_tiempo_de_respuesta",
    "n_de_saip_respondidas_en_10_dias_habiles_o_menos",
    "n_de_saip_respondidas_en_15_dias_habiles_o_menos",
    "n_de_saip_respondidas_en_20_dias_habiles_o_menos",
    "n_de_saip_respondidas_en_mas_de_20_dias_habiles",
    "respondidas_en_10_dias_habiles_o_menos",
    "respondidas_en_15_dias_habiles_o_menos",
    "respondidas_en_20_dias_habiles_o_menos",
    "respondidas_en_mas_de_20_dias_habiles",
)
PROCEDURE_YEAR = (
    "promedio",
    "mediana",
    "minimo",
    "maximo",
    "n_transacciones_gestionadas_en_un_plazo_mayor_al_esperado",
    "n_transacciones_gestionadas_en_el_ano",
)
IDENTITY = ("codigo_reporte", "codigo_interno_SCSEU", "nombre_institucion")
PROCEDURE_IDENTITY = (
    "nombre_del_tramite_y_o_servicio_relevante",
    "justificacion_de_la_seleccion_del_tramite_y_o_servicio",
    "especifique_otra_razon_para_seleccionar_el_tramite_y_o_servicio_solo_si_elige_otro_en_"
    "justificacion_de_seleccion",
    "hito_de_inicio",
    "hito_final",
    "tiempo_esperado_para_la_gestion_del_servicio_relevante",
    "periodo_de_tiempo_dias_habiles_dias_corridos_horas_minutos",
)
YEARS = (2023, 2024, 2025)


def _years(suffixes: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{year}_{suffix}" for year in YEARS for suffix in suffixes)


OFFICIAL_HEADERS = {
    "reclamos": (
        *IDENTITY,
        *_years(COMPLAINT_YEAR),
        "plan_reclamos_resp_anual_meta",
        "plan_reclamos_resp_fuera_plazo_meta",
        "plan_reclamos_tpo_resp_meta",
    ),
    "saip": (
        *IDENTITY,
        *_years(SAIP_YEAR),
        "plan_saip_resp_anual_meta",
        "plan_saip_resp_fuera_plazo_meta",
        "plan_saip_tpo_resp_meta",
    ),
    "tramites": (*IDENTITY, *PROCEDURE_IDENTITY, *_years(PROCEDURE_YEAR)),
    "instituciones": (
        "MINISTERIO",
        "SERVICIO",
        "codigo_interno_SCSEU",
        "COMPROMETE SISTEMA (final)",
        "ETAPA",
        "COMPROMETE SISTEMA CON MESU (final)",
        "Categoría funcional",
    ),
    "brechas": (
        "codigo_interno_SCSEU",
        "nombre_institucion",
        "version",
        "numero_brecha",
        "dimension",
        "tramite",
        "descripcion",
        "valor_actual",
        "valor_esperado",
        "causas",
        "prioridad",
    ),
    "acciones": (
        "codigo_interno_SCSEU",
        "nombre_institucion",
        "version",
        "accion",
        "descripcion",
        "brechas",
        "unidad_responsable",
        "persona_responsable",
        "fecha_inicio",
        "fecha_termino",
        "indicador",
        "meta",
        "unidad_meta",
        "medios_de_verificacion",
        "evidencia_archivos",
        "evidencia_sha256",
    ),
    "estado": (
        "codigo_interno_SCSEU",
        "nombre_institucion",
        "estado_diagnostico",
        "version_diagnostico",
        "diagnostico_enviado_el",
        "hash_diagnostico_sha256",
        "estado_plan",
        "version_plan",
        "plan_enviado_el",
        "hash_plan_sha256",
    ),
    # No catalog in these data: no requirement columns.
    "revision": (
        "codigo_interno_SCSEU",
        "nombre_institucion",
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
        "observaciones_abiertas",
        "observaciones_total",
    ),
}


def institution(
    id: int, code: str, stage: Stage = Stage.STAGE_2, **values: Any
) -> InstitutionRecord:
    defaults: dict[str, Any] = {
        "name": f"SERVICIO {code}",
        "ministry": "MINISTERIO DE HACIENDA",
        "mesu": MesuCommitment.NO,
        "category": FunctionalCategory.GENERAL_SERVICES,
        "commits_system": True,
        "active": True,
    }
    return InstitutionRecord(id=id, code=code, stage=stage, **{**defaults, **values})


def data(**values: Any) -> ConsolidatedData:
    defaults: dict[str, Any] = {
        "cycle_year": 2026,
        "reference_year": 2025,
        "years": YEARS,
        "institutions": [institution(1, "1306")],
    }
    return ConsolidatedData(**{**defaults, **values})


def submitted(content: dict[str, Any], number: int = 2) -> SubmissionRecord:
    return SubmissionRecord(
        state=SubmissionState.SUBMITTED,
        number=number,
        submitted_at=datetime(2026, 4, 10, 18, 30, 5, 123456, tzinfo=UTC),
        content_hash="ab" * 32,
        document={"kind": "diagnostic", "reference_year": 2025, "content": content},
    )


def rows_by_header(table: Table) -> list[dict[str, Any]]:
    return [dict(zip(table.headers, row, strict=True)) for row in table.rows]


def test_sheets_come_in_order_with_the_official_headers_years_oldest_first() -> None:
    tables = consolidated_tables(data(years=(2023, 2024, 2025)))
    assert [table.title for table in tables] == list(OFFICIAL_HEADERS)
    for table in tables:
        assert table.headers == OFFICIAL_HEADERS[table.title], table.title


def test_percentages_are_rounded_half_up_to_one_decimal_and_written_as_numbers() -> None:
    saip = {1: {2024: {"received": 20, "answered": 16, "answered_within_10": 5}}}
    row = rows_by_header(indicator_table(SAIP, data(saip=saip)))[0]
    assert row["2024_respondidas"] == 80
    assert row["2024_respondidas_en_10_dias_habiles_o_menos"] == 31.3  # 5 of 16
    assert isinstance(row["2024_respondidas_en_10_dias_habiles_o_menos"], float)
    assert row["2024_n_de_saip_respondidas_en_el_ano"] == 16
    assert isinstance(row["2024_n_de_saip_respondidas_en_el_ano"], int)


def test_missing_figures_zero_denominators_and_missing_years_are_a_dash() -> None:
    complaints = {1: {2024: {"received": 0, "answered": 0, "mean_days": None}}}
    row = rows_by_header(indicator_table(COMPLAINTS, data(complaints=complaints)))[0]
    assert row["2024_n_de_reclamos_recibidos_al_ano"] == 0
    assert row["2024_respondidos"] == "-"  # 0 of 0
    assert row["2024_respondidos_en_mas_de_20_dias_habiles"] == "-"
    assert row["2024_promedio_tiempo_de_respuesta"] == "-"
    assert all(row[f"2023_{suffix}"] == "-" for suffix in COMPLAINT_YEAR)
    assert row["plan_reclamos_resp_anual_meta"] == "-"


def test_codes_are_written_as_the_catalog_does_and_report_codes_are_the_institutions() -> None:
    institutions = [
        institution(1, "1306", report_code="17"),
        institution(2, "3101_61", report_code="R-0042"),
        institution(3, "0401"),
    ]
    saip = {id: {2024: {"received": id}} for id in (1, 2, 3)}
    rows = rows_by_header(indicator_table(SAIP, data(institutions=institutions, saip=saip)))
    assert [(row["codigo_reporte"], row["codigo_interno_SCSEU"]) for row in rows] == [
        (17, 1306),  # whole numbers as numbers, as the official files write them
        ("R-0042", "3101_61"),
        (None, "0401"),  # no report code: blank; a leading zero keeps a code text
    ]


def test_targets_fill_the_plan_columns() -> None:
    targets = {1: {"complaints_answered_pct": 95.5, "complaints_mean_days": 12.0}}
    row = rows_by_header(indicator_table(COMPLAINTS, data(targets=targets)))[0]
    assert row["plan_reclamos_resp_anual_meta"] == 95.5
    assert row["plan_reclamos_resp_fuera_plazo_meta"] == "-"
    assert row["plan_reclamos_tpo_resp_meta"] == 12


def test_rows_are_only_for_institutions_with_data_and_saip_stage_only_in_saip() -> None:
    institutions = [
        institution(1, "1306"),
        institution(2, "2000", stage=Stage.SAIP),
        institution(3, "3000"),  # nothing at all
    ]
    figures = {1: {2024: {"received": 1}}, 2: {2024: {"received": 2}}}
    procedures = {2: [ProcedureRecord(name="Trámite SAIP")]}
    source = data(
        institutions=institutions, complaints=figures, saip=figures, procedures=procedures
    )
    codes = {
        layout.name: [row[1] for row in indicator_table(layout, source).rows]
        for layout in (COMPLAINTS, SAIP, PROCEDURES)
    }
    assert codes == {"reclamos": [1306], "saip": [1306, 2000], "tramites": []}


DIAGNOSTIC = {
    "complaints": {"received": 16, "answered": 16, "answered_over_20": 5, "mean_days": 7.5},
    "saip": {"received": 3, "answered": 3},
    "procedures": [
        {
            "name": "certificado de antecedentes",
            "justification": "otra",
            "other_reason": "=Compromiso ministerial",
            "start_milestone": "Ingreso",
            "end_milestone": "Entrega",
            "expected_time": 2.5,
            "time_unit": "horas",
            "mean": 1.5,
            "handled_late": 4,
            "handled": 100,
        },
        {"name": "Trámite nuevo", "handled": 7},
    ],
    "gaps": [
        {
            "dimension": "tramite",
            "procedure": "certificado de antecedentes",
            "description": "Demora en la entrega",
            "current_value": "7,2 %",
            "expected_value": "5 %",
            "causes": "Falta de personal.",
            "priority": "alta",
        },
        {"dimension": "reclamos", "description": "Reclamos tardíos", "priority": "baja"},
    ],
}


def test_the_reference_year_comes_from_the_diagnostic_and_other_years_from_history() -> None:
    complaints = {1: {2024: {"received": 10, "answered": 8}, 2025: {"received": 999}}}
    source = data(complaints=complaints, diagnostics={1: submitted(DIAGNOSTIC)})
    row = rows_by_header(indicator_table(COMPLAINTS, source))[0]
    assert row["2024_n_de_reclamos_recibidos_al_ano"] == 10
    assert row["2024_respondidos"] == 80
    assert row["2025_n_de_reclamos_recibidos_al_ano"] == 16
    assert row["2025_respondidos_en_mas_de_20_dias_habiles"] == 31.3
    assert row["2025_promedio_tiempo_de_respuesta"] == 7.5
    assert row["2025_mediana_tiempo_de_respuesta"] == "-"


def test_procedures_match_history_by_name_ignoring_case() -> None:
    history = [
        ProcedureRecord(
            name="Certificado de Antecedentes",
            justification=Justification.VOLUME,
            figures={2024: {"mean": 3.0, "handled": 50}, 2025: {"handled": 1}},
        ),
        ProcedureRecord(name="Trámite antiguo", figures={2023: {"handled": 9}}),
    ]
    source = data(procedures={1: history}, diagnostics={1: submitted(DIAGNOSTIC)})
    rows = rows_by_header(indicator_table(PROCEDURES, source))
    names = [row["nombre_del_tramite_y_o_servicio_relevante"] for row in rows]
    assert names == ["certificado de antecedentes", "Trámite nuevo", "Trámite antiguo"]
    matched = rows[0]
    assert matched["2024_promedio"] == 3
    assert matched["2024_n_transacciones_gestionadas_en_el_ano"] == 50
    assert matched["2025_n_transacciones_gestionadas_en_el_ano"] == 100  # the diagnostic's
    assert matched["2025_promedio"] == 1.5
    assert matched["2025_mediana"] == "-"
    assert matched["justificacion_de_la_seleccion_del_tramite_y_o_servicio"] == "Otra razón"
    assert matched[PROCEDURE_IDENTITY[2]] == "=Compromiso ministerial"
    assert matched["tiempo_esperado_para_la_gestion_del_servicio_relevante"] == 2.5
    assert matched[PROCEDURE_IDENTITY[-1]] == TimeUnit.HOURS.label
    assert rows[1]["2024_promedio"] == "-"
    assert rows[2]["2023_n_transacciones_gestionadas_en_el_ano"] == 9


def test_a_diagnostic_that_keeps_the_imported_description_gives_it_back_as_written() -> None:
    imported = ProcedureRecord(
        name="Concurso de\nobras  menores",
        justification=Justification.OTHER,
        justification_text="Otro",
        other_reason="-",
        start_milestone="Publicación",
        end_milestone="Adjudicación\n",
        time_unit=TimeUnit.CALENDAR_DAYS,
        time_unit_text="día corrido",
        unreported_as={"expected_time": ""},
        figures={2025: {"mean": None, "handled": 7, "unreported_as": {"mean": ""}}},
    )
    sent = {  # as a pre-filled form sends it back: one line, no "-", the choices' values
        "name": "Concurso de obras menores",
        "justification": "otra",
        "other_reason": "",
        "start_milestone": "Publicación",
        "end_milestone": "Adjudicación (con acta)",  # changed: the diagnostic's words
        "expected_time": None,
        "time_unit": "dias_corridos",
        "mean": None,
        "handled": 8,
    }
    source = data(procedures={1: [imported]}, diagnostics={1: submitted({"procedures": [sent]})})
    row = rows_by_header(indicator_table(PROCEDURES, source))[0]
    assert [row[header] for header in PROCEDURE_IDENTITY] == [
        "Concurso de\nobras  menores",
        "Otro",
        "-",
        "Publicación",
        "Adjudicación (con acta)",
        None,
        "día corrido",
    ]
    assert (row["2025_promedio"], row["2025_n_transacciones_gestionadas_en_el_ano"]) == (None, 8)


def test_gaps_of_the_latest_version_with_labels() -> None:
    table = gaps_table(data(diagnostics={1: submitted(DIAGNOSTIC, number=3)}))
    assert table.rows == [
        (
            1306,
            "SERVICIO 1306",
            3,
            1,
            "Trámite o servicio relevante",
            "certificado de antecedentes",
            "Demora en la entrega",
            "7,2 %",
            "5 %",
            "Falta de personal.",
            "Alta",
        ),
        (
            1306,
            "SERVICIO 1306",
            3,
            2,
            "Reclamos",
            None,
            "Reclamos tardíos",
            None,
            None,
            None,
            "Baja",
        ),
    ]


def test_gap_keys_are_not_a_column_of_brechas() -> None:
    keyed = copy.deepcopy(DIAGNOSTIC)
    for number, gap in enumerate(keyed["gaps"], start=1):
        gap["key"] = f"brecha-{number}"

    table = gaps_table(data(diagnostics={1: submitted(keyed, number=3)}))

    assert table.headers == OFFICIAL_HEADERS["brechas"]
    assert table.rows == gaps_table(data(diagnostics={1: submitted(DIAGNOSTIC, number=3)})).rows


def test_status_has_state_version_chile_time_and_hash_of_each_kind_or_no_submission() -> None:
    institutions = [institution(1, "1306"), institution(2, "1303"), institution(3, "1400")]
    diagnostics = {
        1: submitted(DIAGNOSTIC, number=2),
        2: SubmissionRecord(state=SubmissionState.DRAFT),
    }
    plan = SubmissionRecord(
        state=SubmissionState.OBSERVED,
        number=1,
        submitted_at=datetime(2026, 5, 4, 21, 0, 0, tzinfo=UTC),
        content_hash="cd" * 32,
        document={"kind": "plan", "content": {}},
    )
    source = data(institutions=institutions, diagnostics=diagnostics, plans={1: plan})
    table = status_table(source)
    no_plan = ("Sin envío", None, None, None)
    assert table.rows == [
        # 18:30 UTC is 14:30 in Santiago (UTC-4 from April 5, 2026).
        (
            1306,
            "SERVICIO 1306",
            *("Enviado", 2, datetime(2026, 4, 10, 14, 30, 5), "ab" * 32),
            *("Con observaciones", 1, datetime(2026, 5, 4, 17, 0, 0), "cd" * 32),
        ),
        (1303, "SERVICIO 1303", "Borrador", None, None, None, *no_plan),
        (1400, "SERVICIO 1400", "Sin envío", None, None, None, *no_plan),
    ]


@pytest.mark.parametrize(
    ("commits", "stage", "mesu", "expected"),
    [
        (True, Stage.STAGE_3, MesuCommitment.VOLUNTARY, ("Sí", "Etapa 3", "Sí (voluntaria)")),
        (False, Stage.SAIP, MesuCommitment.NO, ("No", "SAIP", "No")),
    ],
)
def test_institutions_sheet_uses_the_catalog_values(
    commits: bool, stage: Stage, mesu: MesuCommitment, expected: tuple[str, ...]
) -> None:
    record = institution(
        1,
        "3101_61",
        stage=stage,
        mesu=mesu,
        commits_system=commits,
        category=FunctionalCategory.REGULATION,
    )
    table = institutions_table(data(institutions=[record]))
    assert table.rows == [
        ("MINISTERIO DE HACIENDA", "SERVICIO 3101_61", "3101_61", *expected, "REGULACIÓN")
    ]


def test_inactive_institutions_without_data_are_left_out() -> None:
    institutions = [institution(1, "1306", active=False), institution(2, "1303", active=False)]
    source = data(institutions=institutions, saip={2: {2024: {"received": 1}}})
    assert [row[2] for row in institutions_table(source).rows] == [1303]
    assert [row[0] for row in status_table(source).rows] == [1303]


# Words, the marks of nothing and every kind of space a text may hold between them.
TEXTS = st.text(
    alphabet=st.sampled_from(["a", "b", "-", "–", "—", " ", "\t", "\n", "\xa0", "\u2003"])
)


@given(TEXTS, TEXTS)
def test_same_text_is_the_same_text_once_read(one: str, other: str) -> None:
    # same_text compares words before reading each text: it must agree with the reading.
    assert same_text(one, other) == (read_text(one) == read_text(other))
