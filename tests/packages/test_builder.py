"""An evidence package: a folder per institution with each chosen version's PDF and evidence
files, manifests that list every file with its size and SHA-256, the consolidated workbook;
written whole and checked, or not at all."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from pmg.core.permissions import Role
from pmg.evidence.models import EvidenceFile
from pmg.exports.documents.models import StoredPdf
from pmg.exports.documents.stored import pdf_files
from pmg.exports.workbook.models import StoredWorkbook
from pmg.extensions import db
from pmg.institutions.models import Stage
from pmg.packages.builder import PackageError, build_package, check_package
from pmg.packages.queries import Selection
from pmg.submissions.models import SubmissionKind, SubmissionState, SubmissionVersion
from pmg.submissions.operations import open_submission, save_draft, submit
from tests.evidence.files import create_evidence, pdf
from tests.factories import (
    create_cycle,
    create_institution,
    create_ministry,
    create_submitted_diagnostic,
    create_user,
    diagnostic_draft,
    load_starting_catalog,
    resubmit,
    with_value,
)

WORKBOOK = "consolidado_cseu_2026.xlsx"


@pytest.fixture
def cycle(app: Flask) -> Any:
    """1306 sent its diagnostic once with a file (listed twice by the same name); 201 was
    observed and sent it again; 301, of stage 1 in another ministry, sent nothing."""
    cycle = create_cycle(2026)
    load_starting_catalog(cycle)
    agriculture = create_ministry("MINISTERIO DE LA MUJER Y LA EQUIDAD DE GÉNERO")
    first = create_institution("1306", "Servicio Agrícola y Ganadero", ministry=agriculture)
    coordinator = create_user(Role.COORDINATOR, institutions=[first])
    submission = open_submission(first, cycle, SubmissionKind.DIAGNOSTIC)
    save_draft(submission, diagnostic_draft(), coordinator, submission.lock_version)
    create_evidence(submission, coordinator, pdf("Acta"), "acta.pdf")
    create_evidence(submission, coordinator, pdf("Otra acta"), "acta.pdf")
    submit(submission, coordinator, date.today(), submission.lock_version)
    db.session.commit()
    second = create_institution("201", "Instituto de Desarrollo Agropecuario", ministry=agriculture)
    version = create_submitted_diagnostic(second, cycle)
    corrected = with_value(diagnostic_draft(), "responsible.team", "Equipo completo")
    resubmit(version.submission, corrected, version.submitted_by)
    create_institution("301", "Otro servicio", stage=Stage.STAGE_1)
    return cycle


def _built(cycle: Any, path: Path, **choices: Any) -> tuple[dict[str, bytes], list[dict[str, str]]]:
    build_package(cycle, Selection(cycle_year=2026, **choices), path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    text = members["manifest.csv"].decode("utf-8-sig")
    return members, list(csv.DictReader(io.StringIO(text), delimiter=";"))


def test_a_package_holds_each_latest_version_its_files_the_manifests_and_the_workbook(
    cycle: Any, tmp_path: Path
) -> None:
    members, manifest = _built(cycle, tmp_path / "paquete.zip")
    first, second = "1306 Servicio Agrícola y Ganadero", "201 Instituto de Desarrollo Agropecuario"
    assert sorted(members) == sorted(
        [
            f"{first}/diagnostico_v1.pdf",
            f"{first}/diagnostico_v1_evidencia/acta.pdf",
            f"{first}/diagnostico_v1_evidencia/acta (2).pdf",
            f"{second}/diagnostico_v2.pdf",
            "manifest.csv",
            "manifest.json",
            WORKBOOK,
        ]
    )
    assert members[f"{first}/diagnostico_v1_evidencia/acta.pdf"] == pdf("Acta")
    assert manifest[0]["archivo"] == f"{second}/diagnostico_v2.pdf"  # codes in natural order
    for row in manifest:
        data = members[row["archivo"]]
        assert int(row["tamano_bytes"]) == len(data)
        assert row["sha256_archivo"] == hashlib.sha256(data).hexdigest()
    second_pdf = next(row for row in manifest if row["archivo"].endswith("v2.pdf"))
    assert second_pdf["version"] == "2" and second_pdf["estado"] == "En revisión"
    assert second_pdf["tipo"] == "Diagnóstico de brechas"
    described = json.loads(members["manifest.json"])
    assert described["ciclo"] == 2026
    assert described["seleccion"]["versiones"] == "la última de cada envío"
    as_text = [{name: str(value) for name, value in row.items()} for row in described["archivos"]]
    assert as_text == manifest
    assert members[WORKBOOK].startswith(b"PK")


def test_each_pdf_in_the_package_is_the_stored_one_stored_first_if_need_be(
    cycle: Any, tmp_path: Path
) -> None:
    members, manifest = _built(cycle, tmp_path / "paquete.zip")
    stored = db.session.scalars(select(StoredPdf)).all()
    assert len(stored) == 2  # 1306 v1 and 201 v2, as they read now
    packaged = {data for name, data in members.items() if name.endswith(("v1.pdf", "v2.pdf"))}
    assert packaged == {pdf_files.read(kept.stored_name) for kept in stored}
    hashes = {version.content_hash for version in db.session.scalars(select(SubmissionVersion))}
    assert {row["sha256_contenido_version"] for row in manifest} < hashes  # not 201's v1


def test_all_versions_adds_the_earlier_ones(cycle: Any, tmp_path: Path) -> None:
    members, _ = _built(cycle, tmp_path / "paquete.zip", all_versions=True)
    pdfs = sorted(name.split("/")[-1] for name in members if name.endswith(("v1.pdf", "v2.pdf")))
    assert pdfs == ["diagnostico_v1.pdf", "diagnostico_v1.pdf", "diagnostico_v2.pdf"]


@pytest.mark.parametrize(
    ("choices", "codes"),
    [
        ({"ministry": "MINISTERIO DE LA MUJER Y LA EQUIDAD DE GÉNERO"}, {"1306", "201"}),
        ({"stage": Stage.STAGE_3}, {"1306", "201"}),
        ({"state": SubmissionState.IN_REVIEW}, {"201"}),
        ({"state": SubmissionState.SUBMITTED}, {"1306"}),
        ({"kind": SubmissionKind.DIAGNOSTIC}, {"1306", "201"}),
    ],
)
def test_the_choices_narrow_the_versions(
    cycle: Any, tmp_path: Path, choices: dict[str, Any], codes: set[str]
) -> None:
    members, manifest = _built(cycle, tmp_path / "paquete.zip", **choices)
    assert {row["codigo_institucion"] for row in manifest} == codes
    assert {"manifest.csv", "manifest.json", WORKBOOK} <= set(members)


@pytest.mark.parametrize(
    "choices",
    [
        {"ministry": "MINISTERIO DE SALUD"},
        {"ministry": "ministerio de la mujer y la equidad de género"},  # as the catalog writes it
        {"stage": Stage.STAGE_1},
        {"kind": SubmissionKind.PLAN},
    ],
)
def test_a_choice_of_no_version_is_refused(
    cycle: Any, tmp_path: Path, choices: dict[str, Any]
) -> None:
    with pytest.raises(PackageError, match="Ninguna versión enviada del ciclo coincide"):
        build_package(cycle, Selection(cycle_year=2026, **choices), tmp_path / "p.zip")
    assert not list(tmp_path.glob("*p.zip*"))  # nor its temporary name


def test_a_name_with_a_slash_keeps_its_folder_and_a_long_file_name_is_shortened(
    app: Flask, tmp_path: Path
) -> None:
    cycle = create_cycle(2026)
    institution = create_institution("1306", "Servicio / Oficina: Norte")
    coordinator = create_user(Role.COORDINATOR, institutions=[institution])
    submission = open_submission(institution, cycle, SubmissionKind.DIAGNOSTIC)
    save_draft(submission, diagnostic_draft(), coordinator, submission.lock_version)
    create_evidence(submission, coordinator, pdf("Largo"), "informe " * 40 + ".pdf")
    submit(submission, coordinator, date.today(), submission.lock_version)
    db.session.commit()
    members, _ = _built(cycle, tmp_path / "paquete.zip")
    folder = "1306 Servicio Oficina_ Norte"
    evidence = next(name for name in members if "_evidencia/" in name)
    assert evidence.startswith(f"{folder}/diagnostico_v1_evidencia/informe informe")
    assert len(evidence.rsplit("/", 1)[1]) <= 100 and evidence.endswith(".pdf")
    assert f"{folder}/diagnostico_v1.pdf" in members


def test_a_stored_file_gone_stops_the_package_saying_which(
    app: Flask, cycle: Any, tmp_path: Path
) -> None:
    evidence = db.session.scalars(select(EvidenceFile)).first()
    assert evidence is not None
    name = evidence.stored_name
    (Path(app.config["PMG_UPLOAD_DIR"]) / name[:2] / name).unlink()
    missing = re.escape("Falta el archivo «acta.pdf» de la versión 1 de 1306")
    with pytest.raises(PackageError, match=missing):
        build_package(cycle, Selection(cycle_year=2026), tmp_path / "p.zip")


def test_a_file_not_as_its_version_lists_it_stops_the_package_and_leaves_nothing(
    app: Flask, cycle: Any, tmp_path: Path
) -> None:
    target = tmp_path / "paquete.zip"
    target.write_bytes(b"el paquete anterior")
    evidence = db.session.scalars(select(EvidenceFile)).first()
    assert evidence is not None
    name = evidence.stored_name
    (Path(app.config["PMG_UPLOAD_DIR"]) / name[:2] / name).write_bytes(b"otra cosa")
    with pytest.raises(PackageError, match="no coincide con su huella SHA-256"):
        build_package(cycle, Selection(cycle_year=2026), target)
    assert target.read_bytes() == b"el paquete anterior"
    assert not list(tmp_path.glob("*.parcial"))


def test_progress_is_told_after_each_version_and_the_workbook(cycle: Any, tmp_path: Path) -> None:
    told: list[tuple[int, int]] = []
    selection = Selection(cycle_year=2026)
    build_package(cycle, selection, tmp_path / "p.zip", lambda *step: told.append(step))
    assert told == [(1, 3), (2, 3), (3, 3)]  # the last once the package is written and checked
    assert db.session.scalar(select(func.count()).select_from(StoredPdf)) == 2


def test_the_summary_tells_the_size_and_sha256_of_the_file_written(
    cycle: Any, tmp_path: Path
) -> None:
    target = tmp_path / "paquete.zip"
    summary = build_package(cycle, Selection(cycle_year=2026), target)
    data = target.read_bytes()
    assert (summary.size, summary.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert (summary.versions, summary.files) == (2, 4)  # two PDFs, 1306's two files


def test_the_workbook_is_written_once_for_every_package_of_the_same_data(
    cycle: Any, tmp_path: Path
) -> None:
    first, _ = _built(cycle, tmp_path / "uno.zip")
    second, _ = _built(cycle, tmp_path / "dos.zip", kind=SubmissionKind.DIAGNOSTIC)
    assert first[WORKBOOK] == second[WORKBOOK]
    assert db.session.scalar(select(func.count()).select_from(StoredWorkbook)) == 1


def test_a_stored_workbook_altered_stops_the_package_and_one_lost_is_written_again(
    app: Flask, cycle: Any, tmp_path: Path
) -> None:
    _built(cycle, tmp_path / "uno.zip")
    kept = db.session.scalars(select(StoredWorkbook)).one()
    kept_name = kept.stored_name
    path = Path(app.config["PMG_WORKBOOK_DIR"]) / kept.stored_name[:2] / kept.stored_name
    path.write_bytes(b"PK otra cosa")
    with pytest.raises(PackageError, match="El consolidado del ciclo 2026 no coincide"):
        build_package(cycle, Selection(cycle_year=2026), tmp_path / "dos.zip")
    path.unlink()
    members, _ = _built(cycle, tmp_path / "tres.zip")
    rewritten = db.session.scalars(select(StoredWorkbook)).one()
    assert rewritten.stored_name != kept_name and members[WORKBOOK].startswith(b"PK\x03\x04")


@pytest.mark.parametrize(
    ("damage", "rows", "message"),
    [
        (lambda data: data.replace(b"%PDF", b"%PDG", 1), [], "quedó dañado al guardarse"),
        (lambda data: data[:-1], [], "quedó dañado al guardarse"),
        (lambda data: data, [("falta.pdf", 1)], "no guardó «falta.pdf»"),
        (lambda data: data, [("1306/diagnostico_v1.pdf", 1)], "no guardó «1306/diagnostico_v1"),
    ],
)
def test_the_check_reads_the_package_back_and_finds_each_listed_file(
    tmp_path: Path, damage: Any, rows: list[tuple[str, int]], message: str
) -> None:
    path = tmp_path / "p.zip"
    content = pdf("Acta")
    with zipfile.ZipFile(path, "w") as archive:  # stored: its bytes as written
        archive.writestr("1306/diagnostico_v1.pdf", content)
    written = hashlib.sha256(path.read_bytes()).hexdigest()
    listed = [{"archivo": "1306/diagnostico_v1.pdf", "tamano_bytes": len(content)}]
    check_package(path, written, listed, lambda: None)  # as written: nothing to say
    path.write_bytes(damage(path.read_bytes()))
    listed += [{"archivo": name, "tamano_bytes": size} for name, size in rows]
    with pytest.raises(PackageError, match=message):
        check_package(path, written, listed, lambda: None)
