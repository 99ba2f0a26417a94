from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from pmg.core.errors import DomainError
from pmg.core.imports import SkippedRow
from pmg.core.spreadsheets import SpreadsheetError
from pmg.cycles.models import Cycle
from pmg.extensions import db
from pmg.indicators.importer import import_indicators
from pmg.indicators.layouts import COMPLAINTS
from pmg.indicators.models import (
    ComplaintFigures,
    CycleTargets,
    Justification,
    Procedure,
    SaipFigures,
    TimeUnit,
)
from tests.factories import create_institution
from tests.indicators.helpers import FIGURES, complaint_figures, count, values
from tests.indicators.workbooks import (
    NO_TARGETS,
    OTHER_REASON,
    TARGETS,
    UNIT,
    complaints,
    consolidated_xlsx,
    procedure,
    saip,
)
from tests.workbooks import xlsx_bytes

# --- Each layout ---------------------------------------------------------------------------


def test_import_complaints_two_years_stores_the_reported_figures(app: Flask, riego: Any) -> None:
    create_institution("3101_61")
    rows = [
        complaints(1306, 2023, received="1.234", answered="1200", mean_days="7,5")
        | complaints(1306, 2024, received=1500, answered=1600, median_days="-", max_days=None)
        | {"2023_respondidos": 97.2, "2024_respondidos": "999"}  # derived: not read
        | NO_TARGETS,
        complaints(" 3101_61 ", 2023) | complaints("3101_61", 2024) | NO_TARGETS,
    ]
    result = import_indicators(consolidated_xlsx("reclamos", [2023, 2024], rows))
    assert result.summary == "created 2, updated 0, unchanged 0, skipped 0"
    assert result.description == "Consolidado de reclamos, años 2023, 2024."
    assert values(complaint_figures("1306", 2023), (*FIGURES, "answered_over_20")) == (
        1234,
        1200,
        7.5,
        5,
        1,
        30,
        3,
    )
    assert values(complaint_figures("1306", 2024), FIGURES) == (1500, 1600, 5.5, None, 1, None)
    assert values(complaint_figures("3101_61", 2024), FIGURES) == (100, 90, 5.5, 5, 1, 30)
    assert count(ComplaintFigures) == 4
    assert count(CycleTargets) == 0
    assert count(Cycle) == 0, "no targets: no cycle is created"


def test_import_saip_two_years_stores_every_band(app: Flask, riego: Any) -> None:
    rows = [
        saip("1306", 2023, answered_within_10="5", answered_over_20="-")
        | saip("1306", 2024, answered=20, received=16, answered_within_20=3, answered_over_20=9)
    ]
    result = import_indicators(consolidated_xlsx("saip", [2023, 2024], rows))
    assert result.summary == "created 1, updated 0, unchanged 0, skipped 0"
    bands = ("answered_within_10", "answered_within_15", "answered_within_20", "answered_over_20")
    by_year = {f.year: f for f in db.session.scalars(select(SaipFigures))}
    assert values(by_year[2023], (*FIGURES, *bands)) == (16, 16, 12.4, 11, 2, 25, 5, 9, 14, None)
    assert values(by_year[2024], ("answered", "received", *bands)) == (20, 16, 5, 9, 3, 9)
    assert all(f.institution_id == riego.id for f in by_year.values())


def test_import_procedures_two_years_stores_definitions_and_figures(app: Flask, riego: Any) -> None:
    contest_definition = {
        "justificacion_de_la_seleccion_del_tramite_y_o_servicio": "otra",
        OTHER_REASON: "Compromiso presidencial",
        "periodo_de_tiempo_dias_habiles_dias_corridos_horas_minutos": "Día corrido",
        "tiempo_esperado_para_la_gestion_del_servicio_relevante": "2,5",
    }
    rows = [
        procedure("1306", "Certificado de riego", 2023, mean="9,5")
        | procedure("1306", "Certificado de riego", 2024, handled="4.500", maximum="-"),
        procedure("1306", "Concurso de obras", 2023, **contest_definition)
        | procedure(
            "1306",
            "Concurso de obras",
            2024,
            **contest_definition,
            **dict.fromkeys(("mean", "median", "minimum", "maximum", "handled_late"), "-"),
            handled=None,
        ),
    ]
    result = import_indicators(consolidated_xlsx("tramites", [2023, 2024], rows))
    assert result.summary == "created 2, updated 0, unchanged 0, skipped 0"
    certificate, contest = db.session.scalars(select(Procedure).order_by(Procedure.name))
    assert values(
        certificate,
        (
            "institution_id",
            "name",
            "justification",
            "other_reason",
            "start_milestone",
            "end_milestone",
            "expected_time",
            "time_unit",
        ),
    ) == (
        riego.id,
        "Certificado de riego",
        Justification.VOLUME,
        "",
        "Ingreso de la solicitud",
        "Notificación de la resolución",
        10.0,
        TimeUnit.BUSINESS_DAYS,
    )
    assert [
        values(f, ("year", "mean", "median", "minimum", "maximum", "handled_late", "handled"))
        for f in certificate.figures
    ] == [(2023, 9.5, 8, 1, 30, 120, 4500), (2024, 9.2, 8, 1, None, 120, 4500)]
    assert values(contest, ("justification", "other_reason", "expected_time", "time_unit")) == (
        Justification.OTHER,
        "Compromiso presidencial",
        2.5,
        TimeUnit.CALENDAR_DAYS,
    )
    assert [f.year for f in contest.figures] == [2023], "a year with nothing reported is not kept"


# --- Rows that are skipped -------------------------------------------------------------------


def test_import_skips_blank_unknown_repeated_and_unusable_rows_with_their_numbers(
    app: Flask, riego: Any
) -> None:
    create_institution("2001")
    rows = [
        complaints("1306", 2024) | NO_TARGETS,  # row 2
        None,  # 3
        complaints("9999", 2024) | NO_TARGETS,  # 4
        complaints("1306.0", 2024, received=5) | NO_TARGETS,  # 5
        complaints("2001", 2024, answered="7,5", min_days=-1, received="muchos") | NO_TARGETS,
        complaints(None, 2024),  # 7
        complaints("2001", 2024) | NO_TARGETS,  # 8: its first row was unusable, but first
    ]
    result = import_indicators(consolidated_xlsx("reclamos", [2024], rows))
    assert result.summary == "created 1, updated 0, unchanged 0, skipped 6"
    assert result.skipped == [
        SkippedRow(3, "Fila vacía."),
        SkippedRow(4, "El código 9999 no está en el catálogo de instituciones."),
        SkippedRow(5, "El código 1306 ya aparece en la fila 2."),
        SkippedRow(
            6,
            "El valor «7,5» de 2024_n_de_reclamos_respondidos_en_el_ano debe ser un número "
            "entero; el valor «muchos» de 2024_n_de_reclamos_recibidos_al_ano no es un número; "
            "el valor «-1» de 2024_minimo_tiempo_de_respuesta no puede ser negativo.",
        ),
        SkippedRow(7, "Falta codigo_interno_SCSEU."),
        SkippedRow(8, "El código 2001 ya aparece en la fila 6."),
    ]
    assert complaint_figures("1306", 2024).received == 100
    assert count(ComplaintFigures) == 1


def test_import_procedures_skips_a_repeated_procedure_and_a_missing_name(
    app: Flask, riego: Any
) -> None:
    rows = [
        procedure("1306", "Certificado de riego", 2024),
        procedure("1306", "CERTIFICADO  DE RIEGO ", 2024, handled=1),
        procedure("1306", "-", 2024),
        procedure("1306", "Concurso", 2024, **{UNIT: "semanas"}),
    ]
    result = import_indicators(consolidated_xlsx("tramites", [2024], rows))
    assert result.summary == "created 1, updated 0, unchanged 0, skipped 3"
    assert result.skipped == [
        SkippedRow(3, "El trámite «CERTIFICADO DE RIEGO» del código 1306 ya aparece en la fila 2."),
        SkippedRow(4, "Falta nombre_del_tramite_y_o_servicio_relevante."),
        SkippedRow(
            5,
            "El valor «semanas» de periodo_de_tiempo_dias_habiles_dias_corridos_horas_minutos "
            "no es válido (se espera: días hábiles, días corridos, horas, minutos).",
        ),
    ]


def test_import_percentage_target_over_100_skips_the_row(app: Flask, riego: Any) -> None:
    row = complaints("1306", 2024) | TARGETS | {"plan_reclamos_resp_anual_meta": "120"}
    result = import_indicators(consolidated_xlsx("reclamos", [2024], [row]))
    assert result.skipped == [
        SkippedRow(
            2,
            "El valor «120» de plan_reclamos_resp_anual_meta debe ser un porcentaje entre 0 y 100.",
        )
    ]


# --- The file itself ----------------------------------------------------------------------------


def test_import_reads_the_consolidado_sheet_and_ignores_unknown_columns(
    app: Flask, riego: Any
) -> None:
    row = complaints("1306", 2024) | NO_TARGETS | {"Observaciones": "revisar", "2024_nota": "x"}
    data = consolidated_xlsx("reclamos", [2024], [row], extra=["Observaciones", "2024_nota"])
    assert import_indicators(data).created == 1


def test_import_finds_headers_regardless_of_case_and_accents_on_the_first_sheet(
    app: Flask, riego: Any
) -> None:
    headers = COMPLAINTS.headers([2024])
    row = complaints("1306", 2024) | NO_TARGETS
    written = [header.upper().replace("_ANO", "_AÑO") for header in headers]
    data = xlsx_bytes({"Hoja1": [tuple(written), tuple(row.get(h) for h in headers)]})
    assert import_indicators(data).created == 1


def test_import_another_layout_names_what_the_closest_one_lacks(app: Flask) -> None:
    headers = ["codigo_interno_SCSEU", "2024_n_de_saip_recibidas_al_ano", "2024_respondidas"]
    with pytest.raises(SpreadsheetError) as refused:
        import_indicators(xlsx_bytes({"consolidado": [tuple(headers), ("1306", 1, 2)]}))
    assert refused.value.message.startswith(
        "El archivo no tiene el formato de un consolidado de indicadores; para el de "
        "solicitudes de acceso a información (SAIP) faltan las columnas: codigo_reporte, "
        "nombre_institucion, 2024_n_de_saip_respondidas_en_el_ano, "
        "2024_promedio_tiempo_de_respuesta,"
    )
    assert refused.value.message.endswith(
        "plan_saip_resp_anual_meta, plan_saip_resp_fuera_plazo_meta, plan_saip_tpo_resp_meta."
    )


def test_import_a_file_without_year_columns_says_they_are_missing(app: Flask) -> None:
    data = xlsx_bytes({"consolidado": [("codigo_reporte", "codigo_interno_SCSEU", "nombre")]})
    with pytest.raises(SpreadsheetError) as refused:
        import_indicators(data)
    assert refused.value.message == (
        "El archivo no tiene el formato de un consolidado de indicadores; para el de reclamos "
        "faltan las columnas: nombre_institucion, plan_reclamos_resp_anual_meta, "
        "plan_reclamos_resp_fuera_plazo_meta, plan_reclamos_tpo_resp_meta, las de cada año "
        "(AAAA_n_de_reclamos_respondidos_en_el_ano, AAAA_n_de_reclamos_recibidos_al_ano, "
        "AAAA_respondidos, AAAA_promedio_tiempo_de_respuesta, AAAA_mediana_tiempo_de_respuesta, "
        "AAAA_minimo_tiempo_de_respuesta, AAAA_maximo_tiempo_de_respuesta, "
        "AAAA_n_de_reclamos_respondidos_en_mas_de_20_dias_habiles_en_el_ano, "
        "AAAA_respondidos_en_mas_de_20_dias_habiles)."
    )


def test_import_an_incomplete_year_names_its_missing_columns(app: Flask, riego: Any) -> None:
    data = consolidated_xlsx(
        "reclamos",
        [2023, 2024],
        [complaints("1306", 2023) | complaints("1306", 2024) | NO_TARGETS],
        without=["2023_mediana_tiempo_de_respuesta", "2023_respondidos"],
    )
    with pytest.raises(SpreadsheetError) as refused:
        import_indicators(data)
    assert refused.value.message == (
        "El archivo no tiene el formato de un consolidado de indicadores; para el de reclamos "
        "faltan las columnas: 2023_respondidos, 2023_mediana_tiempo_de_respuesta."
    )
    assert count(ComplaintFigures) == 0


def test_import_refuses_a_repeated_column(app: Flask, riego: Any) -> None:
    data = consolidated_xlsx(
        "reclamos",
        [2024],
        [complaints("1306", 2024)],
        extra=["2024_n_de_reclamos_recibidos_al_ano"],
    )
    with pytest.raises(SpreadsheetError) as refused:
        import_indicators(data)
    assert refused.value.message == (
        "Estas columnas aparecen más de una vez: 2024_n_de_reclamos_recibidos_al_ano."
    )


def test_import_refuses_a_workbook_without_rows(app: Flask) -> None:
    with pytest.raises(SpreadsheetError, match=re.escape("El archivo está vacío.")):
        import_indicators(xlsx_bytes({"consolidado": []}))


def test_import_refuses_a_cycle_year_out_of_range(app: Flask) -> None:
    with pytest.raises(
        DomainError, match=re.escape("El año del ciclo debe estar entre 2000 y 2100.")
    ):
        import_indicators(b"", cycle_year=1999)
