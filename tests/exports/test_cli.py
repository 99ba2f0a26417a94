from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from pmg.extensions import db
from pmg.indicators.models import SaipFigures
from tests.exports.reading import SHEETS, sheets
from tests.factories import create_cycle, create_institution, create_submitted_diagnostic


def _export(runner: Any, *args: str) -> Any:
    return runner.invoke(args=["pmg", "export-consolidated", *args])


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An empty folder for the output (``tmp_path`` also holds the test database)."""
    path = tmp_path / "salida"
    path.mkdir()
    return path


def test_writes_the_workbook_and_prints_a_spanish_summary(
    app: Flask, runner: Any, folder: Path
) -> None:
    cycle = create_cycle(2026)
    institution = create_institution("1306")
    create_institution("3101_61")
    db.session.add(SaipFigures(institution_id=institution.id, year=2023, received=4))
    db.session.commit()
    create_submitted_diagnostic(institution, cycle)
    target = folder / "consolidado.xlsx"

    result = _export(runner, str(target))

    assert result.exit_code == 0, result.output
    assert result.output == (
        f"Se escribió {target}. Ciclo 2026, años 2023 a 2025: reclamos 1 fila, saip 1 fila, "
        "tramites 2 filas, instituciones 2 filas, brechas 2 filas, acciones 0 filas, "
        "estado 2 filas, revision 1 fila.\n"
    )
    workbook = sheets(target.read_bytes())
    assert list(workbook) == SHEETS
    assert workbook["saip"][0][3] == "2023_n_de_saip_respondidas_en_el_ano"
    assert [path.name for path in folder.iterdir()] == ["consolidado.xlsx"]


def test_cycle_and_years_options(app: Flask, runner: Any, folder: Path) -> None:
    create_cycle(2026)
    create_cycle(2025, current=False)
    target = folder / "2025.xlsx"
    result = _export(runner, str(target), "--cycle", "2025", "--years", "2022-2024")
    assert result.exit_code == 0, result.output
    assert "Ciclo 2025, años 2022 a 2024" in result.output
    headers = sheets(target.read_bytes())["reclamos"][0]
    assert headers[3].startswith("2022_") and headers[-4].startswith("2024_")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--years", "2022 a 2024"], "use DESDE-HASTA, por ejemplo 2022-2025."),
        (["--years", "2024-2022"], "El año inicial (2024) es posterior al año final (2022)."),
        (["--cycle", "2030"], "No existe el ciclo 2030."),
    ],
)
def test_refusals_leave_no_file(
    app: Flask, runner: Any, folder: Path, args: list[str], message: str
) -> None:
    create_cycle(2026)
    result = _export(runner, str(folder / "x.xlsx"), *args)
    assert result.exit_code != 0
    assert message in result.output
    assert list(folder.iterdir()) == []


def test_without_a_current_cycle_asks_for_one(app: Flask, runner: Any, folder: Path) -> None:
    create_cycle(2026, current=False)
    result = _export(runner, str(folder / "x.xlsx"))
    assert result.exit_code != 0
    assert "No hay un ciclo vigente; indique uno con --cycle." in result.output
