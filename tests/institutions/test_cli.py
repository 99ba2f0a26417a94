from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from pmg.core.errors import DomainError
from pmg.extensions import db
from pmg.institutions import importer
from pmg.institutions.models import Institution, Ministry
from tests.factories import create_institution
from tests.institutions.workbooks import REAL_CATALOG, catalog_row, catalog_xlsx


def _count(model: type[Any]) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _import(runner: Any, path: Path | str) -> Any:
    return runner.invoke(args=["pmg", "import-institutions", str(path)])


def test_import_institutions_command_prints_skipped_rows_then_the_summary(
    app: Flask, runner: Any
) -> None:
    result = _import(runner, REAL_CATALOG)
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1] == "created 166, updated 0, unchanged 0, skipped 2"
    assert lines == [
        "Fila 168: Fila vacía.",
        "Fila 169: No es la fila de una institución: no tiene MINISTERIO ni SERVICIO.",
        "created 166, updated 0, unchanged 0, skipped 2",
    ]
    db.session.rollback()  # the command committed: a fresh transaction still sees the rows
    assert _count(Institution) == 166
    assert _count(Ministry) == 23


def test_import_institutions_command_second_run_reports_everything_unchanged(
    app: Flask, runner: Any
) -> None:
    _import(runner, REAL_CATALOG)
    result = _import(runner, REAL_CATALOG)
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == (
        "created 0, updated 0, unchanged 166, skipped 2"
    )


def test_import_institutions_command_wrong_file_exits_1_with_the_reason(
    app: Flask, runner: Any, tmp_path: Path
) -> None:
    path = tmp_path / "catalogo.xlsx"
    path.write_bytes(b"MINISTERIO;SERVICIO\nMINISTERIO DE SALUD;FONASA\n")
    result = _import(runner, path)
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: El archivo no es un libro Excel (.xlsx) válido."
    assert "created" not in result.stdout


def test_import_institutions_command_invalid_rows_exit_1_naming_every_problem(
    app: Flask, runner: Any, tmp_path: Path
) -> None:
    create_institution("1306", "ANTES")
    path = tmp_path / "catalogo.xlsx"
    rows = [
        catalog_row("1306"),
        (None,) * 7,
        catalog_row("1303", ETAPA="Etapa 9", SERVICIO=None),
    ]
    path.write_bytes(catalog_xlsx(rows))
    result = _import(runner, path)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: No se importó nada: el archivo tiene 2 errores. Corríjalos y vuelva a importarlo.",
        "Fila 4, columna SERVICIO: falta el valor.",
        "Fila 4, columna ETAPA: el valor «Etapa 9» no es válido "
        "(se espera: Etapa 1, Etapa 2, Etapa 3, SAIP).",
    ]
    assert result.stdout == ""
    assert list(db.session.execute(select(Institution.code, Institution.name))) == [
        ("1306", "ANTES")
    ]


def test_import_institutions_command_missing_file_exits_1(
    app: Flask, runner: Any, tmp_path: Path
) -> None:
    result = _import(runner, tmp_path / "no-existe.xlsx")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: No existe el archivo {tmp_path / 'no-existe.xlsx'}."


def test_import_institutions_command_failure_while_saving_leaves_the_database_unchanged(
    app: Flask, runner: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_institution("1304", "ANTES")
    original = importer.changed_fields

    def fail_after_flushing(obj: Any, values: dict[str, Any]) -> Any:
        original(obj, values)
        db.session.flush()  # the new rows and this change reach the database...
        raise DomainError("Falla simulada al guardar.")  # ...and then the import fails

    monkeypatch.setattr(importer, "changed_fields", fail_after_flushing)
    path = tmp_path / "catalogo.xlsx"
    path.write_bytes(
        catalog_xlsx([catalog_row("1306"), catalog_row("1303"), catalog_row("1304")])
    )
    result = _import(runner, path)
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: Falla simulada al guardar."
    assert list(db.session.execute(select(Institution.code, Institution.name))) == [
        ("1304", "ANTES")
    ]
    assert _count(Ministry) == 1
