from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from pmg.core.errors import DomainError
from pmg.cycles.models import Cycle
from pmg.extensions import db
from pmg.indicators import importer
from pmg.indicators.models import ComplaintFigures, CycleTargets
from tests.factories import create_institution
from tests.indicators.workbooks import complaints, consolidated_xlsx, official_workbook

TARGETS = {
    "plan_reclamos_resp_anual_meta": 95,
    "plan_reclamos_resp_fuera_plazo_meta": 5,
    "plan_reclamos_tpo_resp_meta": 10,
}
MODELS = (ComplaintFigures, CycleTargets, Cycle)


def _counts() -> list[int]:
    return [db.session.scalar(select(func.count()).select_from(model)) for model in MODELS]


def _import(runner: Any, path: Path, *options: str) -> Any:
    return runner.invoke(args=["pmg", "import-indicators", str(path), *options])


@pytest.fixture
def workbook(app: Flask, tmp_path: Path) -> Path:
    institutions = [create_institution(code) for code in ("1306", "3101_61", "1200")]
    path = tmp_path / "reclamos.xlsx"
    path.write_bytes(
        official_workbook("reclamos", [*institutions, ("9999", "X")], [2023, 2024], seed=2)
    )
    return path


def test_import_indicators_command_prints_skipped_rows_then_the_summary(
    app: Flask, runner: Any, workbook: Path
) -> None:
    result = _import(runner, workbook, "--cycle", "2026")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Consolidado de reclamos, años 2023, 2024. "
        "Metas del ciclo 2026 (ciclo creado con plazos por omisión).",
        "Fila 5: El código 9999 no está en el catálogo de instituciones.",
        "created 3, updated 0, unchanged 0, skipped 1",
    ]
    db.session.rollback()  # the command committed: a fresh transaction sees the rows
    assert db.session.scalar(select(Cycle.year)) == 2026
    assert _counts()[0] > 0


def test_import_indicators_command_second_run_reports_everything_unchanged(
    app: Flask, runner: Any, workbook: Path
) -> None:
    _import(runner, workbook)
    result = _import(runner, workbook)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "created 0, updated 0, unchanged 3, skipped 1"


def test_import_indicators_command_bad_layout_exits_1_with_the_reason(
    app: Flask, runner: Any, tmp_path: Path
) -> None:
    path = tmp_path / "reclamos.xlsx"
    path.write_bytes(consolidated_xlsx("reclamos", [2024], [], without=["codigo_reporte"]))
    result = _import(runner, path)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: El archivo no tiene el formato de un consolidado de indicadores; "
        "para el de reclamos faltan las columnas: codigo_reporte."
    )
    assert result.stdout == ""


def test_import_indicators_command_invalid_rows_exit_1_naming_every_problem(
    app: Flask, runner: Any, tmp_path: Path
) -> None:
    create_institution("1306")
    create_institution("2001")
    path = tmp_path / "reclamos.xlsx"
    rows = [
        complaints("1306", 2024) | TARGETS,
        None,
        complaints("2001", 2024, received="-5") | TARGETS | {"plan_reclamos_tpo_resp_meta": "x"},
    ]
    path.write_bytes(consolidated_xlsx("reclamos", [2024], rows))
    result = _import(runner, path)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: No se importó nada: el archivo tiene 2 errores. Corríjalos y vuelva a importarlo.",
        "Fila 4, columna 2024_n_de_reclamos_recibidos_al_ano: el valor «-5» no puede ser negativo.",
        "Fila 4, columna plan_reclamos_tpo_resp_meta: el valor «x» no es un número.",
    ]
    assert result.stdout == ""
    assert _counts() == [0, 0, 0]


def test_import_indicators_command_missing_file_exits_1(
    app: Flask, runner: Any, tmp_path: Path
) -> None:
    result = _import(runner, tmp_path / "no-existe.xlsx")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: No existe el archivo {tmp_path / 'no-existe.xlsx'}."


def test_import_indicators_command_failure_while_saving_leaves_the_database_unchanged(
    app: Flask, runner: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_institution("1306")
    create_institution("2001")
    path = tmp_path / "reclamos.xlsx"
    rows = [complaints("1306", 2024) | TARGETS, complaints("2001", 2024) | TARGETS]
    path.write_bytes(consolidated_xlsx("reclamos", [2024], rows))
    original = importer._Saver.save

    def fail_on_the_second_row(self: Any, row: Any, institution: Any) -> Any:
        if row.row_number == 3:
            db.session.flush()  # the cycle and the first row reach the database...
            raise DomainError("Falla simulada al guardar.")  # ...and then the import fails
        return original(self, row, institution)

    monkeypatch.setattr(importer._Saver, "save", fail_on_the_second_row)
    result = _import(runner, path)
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: Falla simulada al guardar."
    db.session.rollback()
    assert _counts() == [0, 0, 0]
