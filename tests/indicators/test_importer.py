from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from pmg.core.errors import DomainError
from pmg.core.imports import InvalidRows, RowProblem, SkippedRow
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
    # A year with nothing reported is kept, with how each figure was written (handled: empty).
    assert [(f.year, f.mean, f.handled, f.unreported_as) for f in contest.figures] == [
        (2023, 9.2, 4500, None),
        (2024, None, None, {"handled": ""}),
    ]
    assert (contest.justification_text, contest.time_unit_text) == ("otra", "Día corrido")


# --- Rows that are skipped ------------------------------------------------------------------


def test_import_skips_rows_with_nothing_to_import_with_their_numbers(
    app: Flask, riego: Any
) -> None:
    rows = [
        complaints("1306", 2024) | NO_TARGETS,  # row 2
        None,  # 3
        complaints("9999", 2024, received="muchos") | NO_TARGETS,  # 4: not in the catalog
        complaints(None, 2024),  # 5: a total
        {"codigo_reporte": "Fuente: DIPRES"},  # 6: a note
        complaints("-", 2024),  # 7
    ]
    result = import_indicators(consolidated_xlsx("reclamos", [2024], rows))
    assert result.summary == "created 1, updated 0, unchanged 0, skipped 5"
    assert result.skipped == [
        SkippedRow(3, "Fila vacía."),
        SkippedRow(4, "El código 9999 no está en el catálogo de instituciones."),
        SkippedRow(5, "Falta codigo_interno_SCSEU."),
        SkippedRow(6, "Falta codigo_interno_SCSEU."),
        SkippedRow(7, "Falta codigo_interno_SCSEU."),
    ]
    assert complaint_figures("1306", 2024).received == 100
    assert count(ComplaintFigures) == 1


def test_import_procedures_skips_a_row_without_a_procedure_name(app: Flask, riego: Any) -> None:
    rows = [procedure("1306", "Certificado de riego", 2024), procedure("1306", "-", 2024)]
    result = import_indicators(consolidated_xlsx("tramites", [2024], rows))
    assert result.summary == "created 1, updated 0, unchanged 0, skipped 1"
    assert result.skipped == [SkippedRow(3, "Falta nombre_del_tramite_y_o_servicio_relevante.")]


# --- Rows that refuse the file ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("layout", "row", "problem"),
    [
        (
            "reclamos",
            complaints("2001", 2024, answered="7,5") | NO_TARGETS,
            RowProblem(
                3,
                "2024_n_de_reclamos_respondidos_en_el_ano",
                "el valor «7,5» debe ser un número entero",
            ),
        ),
        (
            "reclamos",
            complaints("2001", 2024, received="muchos") | NO_TARGETS,
            RowProblem(
                3, "2024_n_de_reclamos_recibidos_al_ano", "el valor «muchos» no es un número"
            ),
        ),
        (
            "reclamos",
            complaints("2001", 2024, min_days=-1) | NO_TARGETS,
            RowProblem(3, "2024_minimo_tiempo_de_respuesta", "el valor «-1» no puede ser negativo"),
        ),
        (
            "reclamos",
            complaints("2001", 2024) | TARGETS | {"plan_reclamos_resp_anual_meta": "120"},
            RowProblem(
                3,
                "plan_reclamos_resp_anual_meta",
                "el valor «120» debe ser un porcentaje entre 0 y 100",
            ),
        ),
        (
            "reclamos",
            complaints("1306.0", 2024, received=5) | NO_TARGETS,
            RowProblem(3, "codigo_interno_SCSEU", "el código 1306 ya aparece en la fila 2"),
        ),
        (
            "tramites",
            procedure("1306", "CERTIFICADO  DE RIEGO ", 2024, handled=1),
            RowProblem(
                3,
                "nombre_del_tramite_y_o_servicio_relevante",
                "el trámite «CERTIFICADO DE RIEGO» del código 1306 ya aparece en la fila 2",
            ),
        ),
        (
            "tramites",
            procedure("1306", "x" * 501, 2024),
            RowProblem(
                3,
                "nombre_del_tramite_y_o_servicio_relevante",
                "el valor tiene más de 500 caracteres",
            ),
        ),
        (
            "tramites",
            procedure("1306", "Concurso", 2024, **{UNIT: "semanas"}),
            RowProblem(
                3,
                UNIT,
                "el valor «semanas» no es válido (se espera: días hábiles, días corridos, "
                "horas, minutos)",
            ),
        ),
    ],
    ids=[
        "fraction",
        "text",
        "negative",
        "percentage over 100",
        "repeated code",
        "repeated procedure",
        "long name",
        "unit",
    ],
)
def test_import_row_with_a_code_and_an_invalid_value_refuses_the_file(
    app: Flask, riego: Any, layout: str, row: dict[str, Any], problem: RowProblem
) -> None:
    create_institution("2001")
    first = (
        procedure("1306", "Certificado de riego", 2024)
        if layout == "tramites"
        else complaints("1306", 2024) | NO_TARGETS
    )
    with pytest.raises(InvalidRows) as refused:
        import_indicators(consolidated_xlsx(layout, [2024], [first, row]))
    assert refused.value.problems == [problem]
    assert refused.value.message == (
        "No se importó nada: el archivo tiene 1 error. Corríjalo y vuelva a importarlo.\n"
        f"{problem}"
    )


def test_import_refusal_names_every_problem_with_the_files_headers_and_changes_nothing(
    app: Flask, riego: Any
) -> None:
    create_institution("2001")
    headers = COMPLAINTS.headers([2024])
    rows = [
        complaints("1306", 2024, received=7) | NO_TARGETS,  # would be stored
        complaints("2001", 2024, answered="7,5", min_days=-1, received="muchos") | NO_TARGETS,
        complaints("9999", 2024, received="muchos") | NO_TARGETS,  # skipped: not a problem
        complaints("2001", 2024) | NO_TARGETS,
    ]
    written = [header.upper().replace("_ANO", "_AÑO") for header in headers]
    data = xlsx_bytes(
        {"consolidado": [tuple(written), *(tuple(row.get(h) for h in headers) for row in rows)]}
    )
    with pytest.raises(InvalidRows) as refused:
        import_indicators(data)
    assert refused.value.message == (
        "No se importó nada: el archivo tiene 4 errores. Corríjalos y vuelva a importarlo.\n"
        "Fila 3, columna 2024_N_DE_RECLAMOS_RESPONDIDOS_EN_EL_AÑO: "
        "el valor «7,5» debe ser un número entero.\n"
        "Fila 3, columna 2024_N_DE_RECLAMOS_RECIBIDOS_AL_AÑO: el valor «muchos» no es un número.\n"
        "Fila 3, columna 2024_MINIMO_TIEMPO_DE_RESPUESTA: el valor «-1» no puede ser negativo.\n"
        "Fila 5, columna CODIGO_INTERNO_SCSEU: el código 2001 ya aparece en la fila 3."
    )
    db.session.rollback()
    assert count(ComplaintFigures) == 0


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
