"""``flask pmg load-requirements``: the summary line, or the problems and no change."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from pmg.audit.actions import AuditAction
from pmg.extensions import db
from pmg.requirements.catalog import starting_catalog_text
from pmg.requirements.models import RequirementCatalog
from pmg.requirements.queries import current_catalog
from tests.audit.trail import actor_of, only
from tests.factories import create_cycle, create_institution, create_submitted_diagnostic


def run(app: Flask, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=["pmg", "load-requirements", *args])


def catalog_count() -> int:
    return db.session.scalar(select(func.count(RequirementCatalog.id)))


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "requisitos.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_loads_the_catalog_and_says_so(app: Flask, tmp_path: Path) -> None:
    cycle = create_cycle(2026)
    result = run(app, "--cycle", "2026", write(tmp_path, starting_catalog_text()))
    assert result.exit_code == 0, result.output
    assert result.output == "Catálogo 2026 versión 1: creado (10 requisitos).\n"
    db.session.expire_all()
    assert len(current_catalog(cycle).requirements) == 10
    assert actor_of(only(AuditAction.REQUIREMENTS_LOAD)) == (None, "", "")

    again = run(app, "--cycle", "2026", write(tmp_path, starting_catalog_text()))
    assert again.output == "Catálogo 2026 versión 1: sin cambios (10 requisitos).\n"


def test_invalid_file_prints_its_problems_and_stores_nothing(app: Flask, tmp_path: Path) -> None:
    create_cycle(2026)
    text = "version: '1'\nrequisitos:\n  - codigo: R01\n    aplica_a: revision\n"
    result = run(app, "--cycle", "2026", write(tmp_path, text))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Requisito 1 (R01): falta «titulo».\n"
        "Requisito 1 (R01): «aplica_a» debe ser diagnostico o plan, no «revision».\n"
    )
    assert catalog_count() == 0


def test_a_used_version_is_refused(app: Flask, tmp_path: Path) -> None:
    cycle = create_cycle(2026)
    run(app, "--cycle", "2026", write(tmp_path, starting_catalog_text()))
    create_submitted_diagnostic(create_institution(), cycle)
    changed = starting_catalog_text().replace("R10", "R11")
    result = run(app, "--cycle", "2026", write(tmp_path, changed))
    assert result.exit_code == 1
    assert "ya se usó en envíos o revisiones" in result.stderr
    db.session.expire_all()
    assert [r.code for r in current_catalog(cycle).requirements][-1] == "R10"


def test_unknown_cycle_or_missing_file(app: Flask, tmp_path: Path) -> None:
    missing_cycle = run(app, "--cycle", "2030", write(tmp_path, starting_catalog_text()))
    assert (missing_cycle.exit_code, missing_cycle.stderr) == (1, "No existe el ciclo 2030.\n")
    create_cycle(2026)
    missing_file = run(app, "--cycle", "2026", str(tmp_path / "no-esta.yaml"))
    assert missing_file.exit_code == 1
    assert missing_file.stderr == f"No existe el archivo {tmp_path / 'no-esta.yaml'}.\n"
    assert catalog_count() == 0
