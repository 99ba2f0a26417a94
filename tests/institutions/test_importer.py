from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from pmg.core.imports import InvalidRows, RowProblem
from pmg.core.spreadsheets import SpreadsheetError
from pmg.extensions import db
from pmg.institutions.importer import SkippedRow, import_catalog
from pmg.institutions.models import (
    FunctionalCategory,
    Institution,
    MesuCommitment,
    Ministry,
    Stage,
)
from tests.factories import create_institution, create_ministry
from tests.institutions.workbooks import HEADERS, REAL_CATALOG, catalog_row, catalog_xlsx
from tests.workbooks import broken_after_row, rewrite_zip, xlsx_bytes

NOT_AN_INSTITUTION = "No es la fila de una institución: no tiene MINISTERIO ni SERVICIO."
STAGES = "(se espera: Etapa 1, Etapa 2, Etapa 3, SAIP)"


def _count(model: type[Any]) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _institution(code: str) -> Institution | None:
    return db.session.scalar(select(Institution).where(Institution.code == code))


def test_import_catalog_real_file_creates_every_institution(app: Flask) -> None:
    result = import_catalog(REAL_CATALOG.read_bytes())
    db.session.commit()
    assert result.summary == "created 166, updated 0, unchanged 0, skipped 2"
    assert result.skipped == [
        SkippedRow(168, "Fila vacía."),
        SkippedRow(169, NOT_AN_INSTITUTION),  # (None, None, 1, 2, 3, 4, None): column numbers
    ]
    assert _count(Institution) == 166
    assert _count(Ministry) == 23
    assert _institution("3101_61") is not None
    riego = _institution("1306")
    assert riego is not None
    assert riego.code == "1306"
    assert riego.name == "COMISION NACIONAL DE RIEGO"
    assert riego.ministry.name == "MINISTERIO DE AGRICULTURA"
    assert riego.stage is Stage.STAGE_3
    assert riego.mesu is MesuCommitment.NO
    assert riego.category is FunctionalCategory.GENERAL_SERVICES
    assert riego.commits_system is True
    assert riego.active is True


def test_import_catalog_real_file_twice_changes_nothing(app: Flask) -> None:
    import_catalog(REAL_CATALOG.read_bytes())
    db.session.commit()
    result = import_catalog(REAL_CATALOG.read_bytes())
    assert result.summary == "created 0, updated 0, unchanged 166, skipped 2"
    assert _count(Institution) == 166
    assert _count(Ministry) == 23


def test_import_catalog_changed_row_updates_its_institution(app: Flask) -> None:
    import_catalog(catalog_xlsx([catalog_row("1306"), catalog_row("1303", SERVICIO="INDAP")]))
    db.session.commit()
    changed = catalog_row(
        "1306",
        SERVICIO="COMISIÓN NACIONAL DE RIEGO",
        ETAPA="SAIP",
        MINISTERIO="MINISTERIO DE OBRAS PUBLICAS",
    )
    result = import_catalog(catalog_xlsx([changed, catalog_row("1303", SERVICIO="INDAP")]))
    db.session.commit()
    assert result.summary == "created 0, updated 1, unchanged 1, skipped 0"
    riego = _institution("1306")
    assert riego is not None
    assert (riego.name, riego.stage, riego.ministry.name) == (
        "COMISIÓN NACIONAL DE RIEGO",
        Stage.SAIP,
        "MINISTERIO DE OBRAS PUBLICAS",
    )
    assert _count(Ministry) == 2


def test_import_catalog_updates_an_institution_created_by_hand(app: Flask) -> None:
    agriculture = create_ministry("Ministerio de Agricultura")
    create_institution("1306", "NOMBRE ANTIGUO", ministry=agriculture)
    result = import_catalog(catalog_xlsx([catalog_row("1306")]))
    assert result.summary == "created 0, updated 1, unchanged 0, skipped 0"
    assert _institution("1306").name == "COMISION NACIONAL DE RIEGO"  # type: ignore[union-attr]
    assert _count(Ministry) == 1, "the ministry matches regardless of case"


def test_import_catalog_columns_are_found_by_name_in_any_order(app: Flask) -> None:
    headers = ("Observaciones", *reversed(HEADERS))
    row = ("nota", *reversed(catalog_row("3101_61")))
    result = import_catalog(catalog_xlsx([row], headers=headers))
    assert result.summary == "created 1, updated 0, unchanged 0, skipped 0"
    assert _institution("3101_61") is not None


def test_import_catalog_reads_hoja1_before_other_sheets(app: Flask) -> None:
    data = xlsx_bytes(
        {"Notas": [("nada que ver",)], "Hoja1": [HEADERS, catalog_row("1306")]}
    )
    assert import_catalog(data).created == 1


def test_import_catalog_reads_the_first_sheet_without_hoja1(app: Flask) -> None:
    data = xlsx_bytes({"Catálogo 2025": [HEADERS, catalog_row("1306")], "Notas": [("x",)]})
    assert import_catalog(data).created == 1


def test_import_catalog_numeric_codes_are_stored_as_text(app: Flask) -> None:
    import_catalog(catalog_xlsx([catalog_row(1306.0), catalog_row(2001)]))
    codes = set(db.session.scalars(select(Institution.code)))
    assert codes == {"1306", "2001"}


@pytest.mark.parametrize(
    ("column", "text", "attribute", "expected"),
    [
        ("ETAPA", "Etapa 1", "stage", Stage.STAGE_1),
        ("ETAPA", "etapa  2", "stage", Stage.STAGE_2),
        ("ETAPA", "ETAPA 3 ", "stage", Stage.STAGE_3),
        ("ETAPA", "saip", "stage", Stage.SAIP),
        ("COMPROMETE SISTEMA CON MESU (final)", "Sí", "mesu", MesuCommitment.YES),
        ("COMPROMETE SISTEMA CON MESU (final)", "SI", "mesu", MesuCommitment.YES),
        ("COMPROMETE SISTEMA CON MESU (final)", "no", "mesu", MesuCommitment.NO),
        (
            "COMPROMETE SISTEMA CON MESU (final)",
            "Sí (voluntaria)",
            "mesu",
            MesuCommitment.VOLUNTARY,
        ),
        (
            "COMPROMETE SISTEMA CON MESU (final)",
            "si(voluntaria)",
            "mesu",
            MesuCommitment.VOLUNTARY,
        ),
        (
            "Categoría funcional",
            "PROTECCION SOCIAL Y MEDIOAMBIENTAL",
            "category",
            FunctionalCategory.SOCIAL_PROTECTION,
        ),
        (
            "Categoría funcional",
            " educación y salud ",
            "category",
            FunctionalCategory.EDUCATION_HEALTH,
        ),
        ("Categoría funcional", "Regulación", "category", FunctionalCategory.REGULATION),
        ("COMPROMETE SISTEMA (final)", "Sí", "commits_system", True),
        ("COMPROMETE SISTEMA (final)", "NO", "commits_system", False),
    ],
)
def test_import_catalog_maps_labels_ignoring_case_accents_and_spaces(
    app: Flask, column: str, text: str, attribute: str, expected: Any
) -> None:
    import_catalog(catalog_xlsx([catalog_row("1306", **{column: text})]))
    assert getattr(_institution("1306"), attribute) == expected


def test_import_catalog_skips_rows_that_are_not_an_institutions_with_their_numbers(
    app: Flask,
) -> None:
    rows = [
        catalog_row("1306"),
        (None,) * 7,
        ("Fuente: DIPRES, 2025", None, None, None, None, None, None),
        catalog_row(None),
        (None, "TOTAL", None, None, None, None, None),
        (None, None, 1, 2, 3, 4, None),
        catalog_row("1307"),
    ]
    result = import_catalog(catalog_xlsx(rows))
    assert result.summary == "created 2, updated 0, unchanged 0, skipped 5"
    assert result.skipped == [
        SkippedRow(3, "Fila vacía."),
        SkippedRow(4, "Falta codigo_interno_SCSEU."),
        SkippedRow(5, "Falta codigo_interno_SCSEU."),
        SkippedRow(6, "Falta codigo_interno_SCSEU."),
        SkippedRow(7, NOT_AN_INSTITUTION),
    ]
    assert set(db.session.scalars(select(Institution.code))) == {"1306", "1307"}


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (catalog_row("1303", SERVICIO=None), RowProblem(3, "SERVICIO", "falta el valor")),
        (catalog_row("1303", MINISTERIO=" "), RowProblem(3, "MINISTERIO", "falta el valor")),
        (
            catalog_row("1303", ETAPA="Etapa 4"),
            RowProblem(3, "ETAPA", f"el valor «Etapa 4» no es válido {STAGES}"),
        ),
        (
            catalog_row("1303", **{"COMPROMETE SISTEMA (final)": "Quizás"}),
            RowProblem(
                3,
                "COMPROMETE SISTEMA (final)",
                "el valor «Quizás» no es válido (se espera: Sí, No)",
            ),
        ),
        (
            catalog_row("1303", **{"Categoría funcional": "DEFENSA"}),
            RowProblem(
                3,
                "Categoría funcional",
                "el valor «DEFENSA» no es válido (se espera: "
                "PROTECCIÓN SOCIAL Y MEDIOAMBIENTAL, SERVICIOS PÚBLICOS GENERALES, "
                "EDUCACIÓN Y SALUD, REGULACIÓN, FOMENTO PRODUCTIVO)",
            ),
        ),
        (
            catalog_row("X" * 33),
            RowProblem(3, "codigo_interno_SCSEU", "el valor tiene más de 32 caracteres"),
        ),
        (
            catalog_row("1306", SERVICIO="OTRA"),
            RowProblem(3, "codigo_interno_SCSEU", "el código 1306 ya aparece en la fila 2"),
        ),
    ],
    ids=["no name", "no ministry", "stage", "commits", "category", "long code", "repeated"],
)
def test_import_catalog_row_with_a_code_and_an_invalid_value_refuses_the_file(
    app: Flask, row: tuple[Any, ...], problem: RowProblem
) -> None:
    with pytest.raises(InvalidRows) as refused:
        import_catalog(catalog_xlsx([catalog_row("1306"), row]))
    assert refused.value.problems == [problem]
    assert refused.value.message == (
        "No se importó nada: el archivo tiene 1 error. Corríjalo y vuelva a importarlo.\n"
        f"{problem}"
    )


def test_import_catalog_refusal_names_every_problem_and_changes_nothing(app: Flask) -> None:
    create_institution("1306", "NOMBRE ANTIGUO", ministry=create_ministry("MINISTERIO ANTIGUO"))
    rows = [
        catalog_row("1306"),  # would update 1306
        catalog_row("1304", MINISTERIO=None, ETAPA="Etapa 4"),
        (None,) * 7,  # skipped, not a problem
        catalog_row("1305", **{"COMPROMETE SISTEMA CON MESU (final)": ""}),
        catalog_row("1306"),
    ]
    with pytest.raises(InvalidRows) as refused:
        import_catalog(catalog_xlsx(rows))
    assert refused.value.message == (
        "No se importó nada: el archivo tiene 4 errores. Corríjalos y vuelva a importarlo.\n"
        "Fila 3, columna MINISTERIO: falta el valor.\n"
        f"Fila 3, columna ETAPA: el valor «Etapa 4» no es válido {STAGES}.\n"
        "Fila 5, columna COMPROMETE SISTEMA CON MESU (final): falta el valor.\n"
        "Fila 6, columna codigo_interno_SCSEU: el código 1306 ya aparece en la fila 2."
    )
    db.session.rollback()
    assert list(db.session.execute(select(Institution.code, Institution.name))) == [
        ("1306", "NOMBRE ANTIGUO")
    ]
    assert list(db.session.scalars(select(Ministry.name))) == ["MINISTERIO ANTIGUO"]


def test_import_catalog_another_layout_names_the_missing_columns(app: Flask) -> None:
    headers = ("MINISTERIO", "SERVICIO", "CODIGO", "ETAPA", "Categoría funcional")
    data = catalog_xlsx([("M", "S", "1", "Etapa 1", "REGULACIÓN")], headers=headers)
    with pytest.raises(SpreadsheetError) as refused:
        import_catalog(data)
    assert refused.value.message == (
        "El archivo no tiene el formato del catálogo de instituciones; faltan las columnas: "
        "codigo_interno_SCSEU, COMPROMETE SISTEMA (final), COMPROMETE SISTEMA CON MESU (final)."
    )


def test_import_catalog_refuses_a_repeated_column(app: Flask) -> None:
    data = catalog_xlsx([catalog_row()], headers=(*HEADERS, "ETAPA"))
    with pytest.raises(SpreadsheetError, match=re.escape("aparecen más de una vez: ETAPA.")):
        import_catalog(data)


def test_import_catalog_refuses_a_workbook_without_rows(app: Flask) -> None:
    with pytest.raises(SpreadsheetError, match=re.escape("El archivo está vacío.")):
        import_catalog(xlsx_bytes({"Hoja1": []}))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "El archivo está vacío."),
        (
            b"MINISTERIO,SERVICIO,codigo_interno_SCSEU\nMINISTERIO DE SALUD,FONASA,1603\n",
            "El archivo no es un libro Excel (.xlsx) válido.",
        ),
        (
            REAL_CATALOG.read_bytes()[:5000],
            "El archivo no es un libro Excel (.xlsx) válido.",
        ),
        (
            rewrite_zip(REAL_CATALOG.read_bytes(), {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"}),
            "El libro contiene macros; guárdelo como .xlsx sin macros.",
        ),
    ],
    ids=["empty file", "renamed csv", "corrupt zip", "macro workbook"],
)
def test_import_catalog_refuses_files_that_are_not_plain_workbooks(
    app: Flask, data: bytes, message: str
) -> None:
    with pytest.raises(SpreadsheetError) as refused:
        import_catalog(data)
    assert refused.value.message == message
    assert _count(Institution) == 0


class TestRowCap:
    @pytest.fixture
    def app_config(self) -> dict[str, Any]:
        return {"PMG_IMPORT_MAX_ROWS": 4}

    def test_import_catalog_within_the_row_cap_succeeds(self, app: Flask) -> None:
        rows = [catalog_row(str(code)) for code in range(1, 4)]
        assert import_catalog(catalog_xlsx(rows)).created == 3

    def test_import_catalog_over_the_row_cap_leaves_the_database_unchanged(
        self, app: Flask
    ) -> None:
        create_institution("1", "ANTES DE IMPORTAR")
        rows = [catalog_row(str(code)) for code in range(1, 5)]
        with pytest.raises(SpreadsheetError) as refused:
            import_catalog(catalog_xlsx(rows))
        assert refused.value.message == "El archivo supera el máximo de 4 filas."
        db.session.rollback()
        assert list(db.session.scalars(select(Institution.name))) == ["ANTES DE IMPORTAR"]

    def test_import_catalog_without_a_dimension_stops_reading_after_the_cap(
        self, app: Flask
    ) -> None:
        rows = [catalog_row(str(code)) for code in range(1, 10)]
        data = broken_after_row(catalog_xlsx(rows), 5)  # intact: the cap (4 rows) and one more
        with pytest.raises(SpreadsheetError) as refused:
            import_catalog(data)
        assert refused.value.message == "El archivo supera el máximo de 4 filas."
        assert _count(Institution) == 0
