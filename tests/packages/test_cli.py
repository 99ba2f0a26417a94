"""``flask pmg export-package``: the package written to a file with a progress bar, a summary
in Spanish, and an entry in the audit trail; a wrong choice says what to write.
``flask pmg purge-packages``: the expired packages and their files removed."""

from __future__ import annotations

import hashlib
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from pmg.audit.actions import AuditAction
from pmg.audit.models import AuditEntry
from pmg.core.models import utcnow
from pmg.core.permissions import Role
from pmg.core.storage import FileMissing
from pmg.core.transactions import transaction
from pmg.extensions import db
from pmg.packages.models import EvidencePackage, PackageState
from pmg.packages.operations import package_files, request_package
from pmg.packages.queries import Selection
from tests.factories import (
    create_cycle,
    create_institution,
    create_ministry,
    create_submitted_diagnostic,
    create_user,
)
from tests.jobs import run_jobs


def _package(runner: Any, *args: str) -> Any:
    return runner.invoke(args=["pmg", "export-package", *args])


def test_writes_the_package_prints_a_summary_and_records_it(
    app: Flask, runner: Any, tmp_path: Path
) -> None:
    cycle = create_cycle(2026)
    create_submitted_diagnostic(create_institution("1306"), cycle)
    target = tmp_path / "paquete.zip"

    result = _package(
        runner, str(target), "--cycle", "2026", "--kind", "diagnostico", "--state", "enviado"
    )

    assert result.exit_code == 0, result.output
    assert "Armando el paquete" in result.output
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    summary = result.output.splitlines()[-1]
    assert summary.startswith(f"Se escribió {target}: 1 versión, 1 archivo, ")
    assert result.output.rstrip().endswith(f"SHA-256 del paquete: {digest}.")
    with zipfile.ZipFile(target) as archive:
        assert "manifest.json" in archive.namelist()
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == AuditAction.EXPORT_PACKAGE.value)
    ).one()
    assert entry.after["sha256"] == digest and entry.after["versions"] == 1
    assert entry.after["selection"]["tipo"] == "Diagnóstico de brechas"
    assert entry.after["selection"]["estado"] == "Enviado"


def test_a_cycle_that_does_not_exist_is_refused(app: Flask, runner: Any, tmp_path: Path) -> None:
    result = _package(runner, str(tmp_path / "p.zip"), "--cycle", "2031")
    assert result.exit_code == 1 and "No existe el ciclo 2031." in result.output
    assert not (tmp_path / "p.zip").exists()


def test_a_kind_that_does_not_exist_says_which_there_are(
    app: Flask, runner: Any, tmp_path: Path
) -> None:
    create_cycle(2026)
    result = _package(runner, str(tmp_path / "p.zip"), "--cycle", "2026", "--kind", "informe")
    assert result.exit_code == 2 and "use diagnostico o plan." in result.output


def test_stages_and_states_are_named_as_people_say_them(app: Flask, runner: Any) -> None:
    help_text = _package(runner, "--help").output
    assert "etapa_1|etapa_2|etapa_3|saip" in help_text
    assert "con_observaciones" in help_text and "en_revision" in help_text
    assert "borrador" not in help_text  # a draft has no version to package


def test_purge_removes_the_expired_packages_and_their_files(
    app: Flask, runner: Any
) -> None:
    cycle = create_cycle(2026)
    create_submitted_diagnostic(create_institution("1306"), cycle)
    with transaction():
        package, _ = request_package(create_user(Role.DIPRES), cycle, Selection(cycle_year=2026))
    run_jobs()
    assert _purge(runner).startswith("Paquetes vencidos eliminados: 0. ")
    db.session.execute(
        update(EvidencePackage).values(expires_at=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()
    stored_name = _stored_name(package)
    assert _purge(runner).startswith("Paquetes vencidos eliminados: 1. ")
    db.session.refresh(package)
    assert package.state is PackageState.REMOVED
    with pytest.raises(FileMissing):
        package_files.read(stored_name)


def _purge(runner: Any) -> str:
    result = runner.invoke(args=["pmg", "purge-packages"])
    assert result.exit_code == 0, result.output
    output: str = result.output
    return output


def _stored_name(package: EvidencePackage) -> str:
    db.session.refresh(package)
    assert package.stored_name is not None
    return package.stored_name


def test_a_ministry_is_named_as_the_catalog_writes_it_whatever_the_case_or_accents(
    app: Flask, runner: Any, tmp_path: Path
) -> None:
    cycle = create_cycle(2026)
    women = create_ministry("MINISTERIO DE LA MUJER Y LA EQUIDAD DE GÉNERO")
    create_submitted_diagnostic(create_institution("2701", ministry=women), cycle)
    target = tmp_path / "p.zip"
    typed = "ministerio de la mujer y la equidad de genero"
    assert _package(runner, str(target), "--cycle", "2026", "--ministry", typed).exit_code == 0
    refused = _package(runner, str(target), "--cycle", "2026", "--ministry", "MINISTERIO X")
    assert refused.exit_code == 2
    assert "no hay un ministerio «MINISTERIO X» en el catálogo" in refused.output


def test_a_choice_of_no_version_writes_nothing(app: Flask, runner: Any, tmp_path: Path) -> None:
    create_submitted_diagnostic(create_institution("1306"), create_cycle(2026))
    result = _package(runner, str(tmp_path / "p.zip"), "--cycle", "2026", "--kind", "plan")
    assert result.exit_code == 1
    assert "Ninguna versión enviada del ciclo coincide con lo elegido" in result.output
    assert not list(tmp_path.glob("*p.zip*"))
