"""The layouts match the official consolidated files column by column, in order."""

from __future__ import annotations

from io import BytesIO

import pytest
from flask import Flask
from openpyxl import load_workbook

from pmg.core.numbers import percent
from pmg.indicators.cells import read_count
from pmg.indicators.importer import import_indicators
from pmg.indicators.layouts import (
    COMPLAINTS,
    LAYOUTS,
    PROCEDURES,
    SAIP,
    Kind,
    Layout,
)
from pmg.indicators.models import ComplaintFigures, CycleTargets, Procedure, SaipFigures
from tests.factories import create_institution
from tests.indicators.workbooks import official_rows, official_workbook

INSTITUTION = ["codigo_reporte", "codigo_interno_SCSEU", "nombre_institucion"]
OFFICIAL_HEADERS = {
    "reclamos": (
        INSTITUTION,
        [
            "n_de_reclamos_respondidos_en_el_ano",
            "n_de_reclamos_recibidos_al_ano",
            "respondidos",
            "promedio_tiempo_de_respuesta",
            "mediana_tiempo_de_respuesta",
            "minimo_tiempo_de_respuesta",
            "maximo_tiempo_de_respuesta",
            "n_de_reclamos_respondidos_en_mas_de_20_dias_habiles_en_el_ano",
            "respondidos_en_mas_de_20_dias_habiles",
        ],
        [
            "plan_reclamos_resp_anual_meta",
            "plan_reclamos_resp_fuera_plazo_meta",
            "plan_reclamos_tpo_resp_meta",
        ],
    ),
    "saip": (
        INSTITUTION,
        [
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
        ],
        ["plan_saip_resp_anual_meta", "plan_saip_resp_fuera_plazo_meta", "plan_saip_tpo_resp_meta"],
    ),
    "tramites": (
        [
            *INSTITUTION,
            "nombre_del_tramite_y_o_servicio_relevante",
            "justificacion_de_la_seleccion_del_tramite_y_o_servicio",
            "especifique_otra_razon_para_seleccionar_el_tramite_y_o_servicio_solo_si_elige_otro_"
            "en_justificacion_de_seleccion",
            "hito_de_inicio",
            "hito_final",
            "tiempo_esperado_para_la_gestion_del_servicio_relevante",
            "periodo_de_tiempo_dias_habiles_dias_corridos_horas_minutos",
        ],
        [
            "promedio",
            "mediana",
            "minimo",
            "maximo",
            "n_transacciones_gestionadas_en_un_plazo_mayor_al_esperado",
            "n_transacciones_gestionadas_en_el_ano",
        ],
        [],
    ),
}


def _official(name: str, years: list[int]) -> list[str]:
    leading, per_year, targets = OFFICIAL_HEADERS[name]
    return [*leading, *(f"{year}_{suffix}" for year in years for suffix in per_year), *targets]


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.name)
def test_layout_headers_are_the_official_ones_in_order_oldest_year_first(layout: Layout) -> None:
    assert layout.headers([2024, 2022, 2023]) == _official(layout.name, [2022, 2023, 2024])


@pytest.mark.parametrize(
    ("layout", "model"),
    [(COMPLAINTS, ComplaintFigures), (SAIP, SaipFigures), (PROCEDURES, Procedure)],
)
def test_layout_attributes_exist_on_the_models(layout: Layout, model: type) -> None:
    for column in layout.figures:
        assert hasattr(layout.figures_model, column.attribute), column
    for column in layout.derived:
        assert {column.numerator, column.denominator} <= {c.attribute for c in layout.figures}
    for column in layout.targets:
        assert hasattr(CycleTargets, str(column.attribute)), column
    for column in layout.leading:
        owner, _, attribute = (column.source or "none.none").partition(".")
        if owner == "procedure":
            assert hasattr(Procedure, attribute), column


def test_layout_derived_percentages_name_their_fraction() -> None:
    assert [(d.suffix, d.numerator, d.denominator) for d in COMPLAINTS.derived] == [
        ("respondidos", "answered", "received"),
        ("respondidos_en_mas_de_20_dias_habiles", "answered_over_20", "answered"),
    ]
    assert [(d.name, d.numerator, d.denominator) for d in SAIP.derived] == [
        ("answered_pct", "answered", "received"),
        ("answered_within_10_pct", "answered_within_10", "answered"),
        ("answered_within_15_pct", "answered_within_15", "answered"),
        ("answered_within_20_pct", "answered_within_20", "answered"),
        ("answered_over_20_pct", "answered_over_20", "answered"),
    ]
    assert PROCEDURES.derived == ()
    assert PROCEDURES.per_procedure and not COMPLAINTS.per_procedure


@pytest.mark.parametrize("name", ["reclamos", "saip", "tramites"])
def test_official_workbook_has_the_official_columns_and_realistic_cells(
    app: Flask, name: str
) -> None:
    institutions = [("1306", "COMISION NACIONAL DE RIEGO"), ("3101_61", "SERVICIO X")]
    institutions += [(str(2000 + n), f"SERVICIO {n}") for n in range(10)]
    data = official_workbook(name, institutions, [2022, 2023], seed=7)
    sheet = load_workbook(BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert sheet.title == "consolidado"
    assert list(rows[0]) == _official(name, [2022, 2023])
    cells = [cell for row in rows[1:] for cell in row]
    assert "-" in cells
    assert any(isinstance(cell, str) and cell.strip().isdigit() for cell in cells)
    assert any(isinstance(cell, str) and "," in cell for cell in cells)
    same_seed = official_rows(name, institutions, [2022, 2023], 7)
    assert rows == same_seed, "the same seed gives the same file"
    assert official_rows(name, institutions, [2022, 2023], 8) != same_seed


@pytest.mark.parametrize("name", ["reclamos", "saip"])
def test_official_workbook_derived_percentages_follow_the_reported_figures(name: str) -> None:
    layout = COMPLAINTS if name == "reclamos" else SAIP
    institutions = [(str(2000 + n), f"SERVICIO {n}") for n in range(20)]
    rows = official_rows(name, institutions, [2023], seed=3)
    headers = rows[0]
    answered_more_than_received = 0
    for row in rows[1:]:
        cells = dict(zip(headers, row, strict=True))
        counts = {
            column.attribute: read_count(cells[f"2023_{column.suffix}"])
            for column in layout.figures
            if column.kind is Kind.COUNT
        }
        for column in layout.derived:
            share = percent(counts[column.numerator], counts[column.denominator])
            assert cells[f"2023_{column.suffix}"] == ("-" if share is None else float(share))
        if None not in (counts["answered"], counts["received"]):
            answered_more_than_received += counts["answered"] > counts["received"]
    assert answered_more_than_received > 0, "inconsistent but accepted data is present"


def test_official_workbook_imports_completely(app: Flask) -> None:
    institutions = [create_institution(str(3000 + n)) for n in range(6)]
    for name, created in (("reclamos", 6), ("saip", 6), ("tramites", 1 + 2 + 3 + 1 + 2 + 3)):
        result = import_indicators(official_workbook(name, institutions, [2022, 2023], seed=1))
        assert result.summary == f"created {created}, updated 0, unchanged 0, skipped 0", name
