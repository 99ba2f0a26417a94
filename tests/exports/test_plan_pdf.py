"""The PDF (and HTML page) of a plan version, and the evidence manifest of every version."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pmg.audit.operations import canonical_json
from pmg.core.permissions import Role
from pmg.exports.documents import version_context
from pmg.exports.documents.document import pdf_filename
from pmg.exports.documents.pdf import render_version_pdf
from pmg.exports.documents.queries import reference_diagnostic
from pmg.extensions import db
from pmg.institutions.models import Stage
from pmg.submissions.models import SubmissionKind, SubmissionVersion
from pmg.submissions.operations import content_hash
from tests.exports.submissions import (
    csv_bytes,
    pdf_bytes,
    plan_on_gap_keys,
    plan_with_keys,
    resubmit_changed,
    sha256,
    submit_plan_with_evidence,
    submit_with_evidence,
)
from tests.exports.test_pdf import flat, pages_text
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_submitted_plan,
    create_user,
    diagnostic_draft,
    load_starting_catalog,
    plan_draft,
    with_gap_keys,
)

REPORT = pdf_bytes("Informe de gestión")
DATA = csv_bytes(2000)  # 24 KB and more
MINUTES = pdf_bytes("Acta del comité")


@pytest.fixture
def institution(app: Flask) -> Any:
    return create_institution("1306", "Servicio Nacional de Prueba")


@pytest.fixture
def version(institution: Any) -> SubmissionVersion:
    cycle = create_cycle(2026)
    files = [
        ("Informe de gestión 2025.pdf", REPORT, None),
        ("reclamos por región.csv", DATA, "clave-interna-2"),
        ("acta comité.pdf", MINUTES, "clave-interna-2"),
    ]
    return submit_plan_with_evidence(institution, cycle, files, draft=plan_with_keys(2026))


def test_plan_pdf_header_names_the_kind_the_version_and_the_diagnostic(
    version: SubmissionVersion,
) -> None:
    text = flat("\n".join(pages_text(render_version_pdf(version))))
    diagnostic = reference_diagnostic(version)

    assert diagnostic is not None
    assert "Plan de mejora" in text
    assert "Tipo de envío Plan de mejora" in text
    assert version.content_hash in text
    assert f"SHA-256 {version.content_hash[:12]}…" in text  # the footer
    assert "Versión 1 (versión vigente)" in text
    assert "Diagnóstico de referencia Versión 1, enviada el" in text
    assert f"(SHA-256 {diagnostic.content_hash[:12]}…)" in text


def test_plan_pdf_shows_each_action_with_its_gaps_and_spanish_dates(
    version: SubmissionVersion,
) -> None:
    text = flat("\n".join(pages_text(render_version_pdf(version))))

    assert "Acciones de mejora" in text
    assert "Acción 2 de 3" in text
    assert "Descripción de la acción Acción de mejora 2" in text
    assert (
        "Brechas que aborda B1 · Brecha de prueba 1 (alta) B2 · Brecha de prueba 2 (media)" in text
    )
    assert "Unidad responsable Departamento de Atención Ciudadana" in text
    assert "Fecha de inicio 31 de marzo de 2026" in text
    assert "Fecha de término 30 de septiembre de 2026" in text
    assert "Meta 95 Unidad de la meta %" in text
    assert "Medios de verificación Informe trimestral de gestión de reclamos" in text
    assert "clave-interna" not in text
    assert "Identificador" not in text


def test_plan_pdf_shows_the_targets_and_the_procedure_targets_table(
    version: SubmissionVersion,
) -> None:
    text = flat("\n".join(pages_text(render_version_pdf(version)))).replace("\u00a0", " ")

    assert "Metas de reclamos % de reclamos respondidos 97,5 %" in text
    assert "Tiempo promedio de respuesta (días hábiles) 10,5" in text
    assert "Metas de trámites relevantes" in text
    # The diagnostic's current share ((4500 - 120) / 4500), then the target.
    assert "Trámite de prueba 1 97,3 % 98 %" in text
    assert "Trámite de prueba 2 97,3 % 96,5 %" in text


def test_plan_pdf_lists_every_evidence_file_with_its_place_size_and_full_hash(
    version: SubmissionVersion,
) -> None:
    text = flat("\n".join(pages_text(render_version_pdf(version))))
    manifest = text[text.index("Medios de verificación adjuntos") :]

    assert "Informe de gestión 2025.pdf PDF Todo el plan" in manifest
    assert f"{len(REPORT)} bytes" in manifest
    for data in (REPORT, DATA, MINUTES):
        assert f"SHA-256 {sha256(data)}" in manifest
    assert "reclamos por región.csv" in manifest
    assert f"({len(DATA):,} bytes)".replace(",", ".") in manifest
    # The whole plan's files first, then by action; "Acción 2" for both of the second's.
    assert manifest.index("Todo el plan") < manifest.index("Acción 2")
    assert manifest.count("Acción 2") == 2


def test_plan_pdf_without_evidence_says_so(institution: Any) -> None:
    version = create_submitted_plan(institution, create_cycle(2026))

    text = flat("\n".join(pages_text(render_version_pdf(version))))

    assert "Medios de verificación adjuntos La versión no tiene archivos adjuntos." in text


def test_plan_pdf_of_a_saip_stage_institution_has_only_saip_targets(app: Flask) -> None:
    institution = create_institution("3101_61", stage=Stage.SAIP)
    draft = diagnostic_draft()
    coordinator = create_user(Role.COORDINATOR, institutions=[institution])
    cycle = create_cycle(2026)
    create_submitted_diagnostic(institution, cycle, coordinator, draft=draft)
    plan = plan_draft(year=2026)
    version = submit_with_evidence(institution, cycle, SubmissionKind.PLAN, plan, [], coordinator)

    text = flat("\n".join(pages_text(render_version_pdf(version))))

    assert "Metas de solicitudes de acceso a información pública (SAIP)" in text
    assert "Metas de reclamos" not in text
    assert "Metas de trámites relevantes" not in text


def test_diagnostic_pdf_lists_its_evidence_files(institution: Any) -> None:
    version = submit_with_evidence(
        institution,
        create_cycle(2026),
        SubmissionKind.DIAGNOSTIC,
        diagnostic_draft(),
        [("encuesta satisfacción.csv", DATA, None)],
    )

    text = flat("\n".join(pages_text(render_version_pdf(version))))

    assert "Diagnóstico de brechas" in text
    assert "Medios de verificación adjuntos" in text
    assert "Todo el diagnóstico" in text
    assert f"SHA-256 {sha256(DATA)}" in text
    assert "Diagnóstico de referencia" not in text


def test_diagnostic_pdf_without_evidence_has_no_manifest(institution: Any) -> None:
    version = create_submitted_diagnostic(institution, create_cycle(2026))

    text = flat("\n".join(pages_text(render_version_pdf(version))))

    assert "Medios de verificación adjuntos" not in text


def test_the_reference_diagnostic_is_the_one_the_plan_was_built_on(
    version: SubmissionVersion,
) -> None:
    """A diagnostic version sent after the plan (gaps renumbered) does not name its gaps."""
    first = reference_diagnostic(version)
    assert first is not None
    later = first.content
    later["content"]["gaps"] = list(reversed(later["content"]["gaps"]))
    text = canonical_json(later)
    db.session.add(
        SubmissionVersion(
            submission=first.submission,
            number=2,
            content_json=text,
            content_hash=content_hash(text),
            warnings=[],
            submitted_at=version.submitted_at + timedelta(days=3),
            submitted_by=first.submitted_by,
        )
    )
    db.session.commit()

    assert reference_diagnostic(version) == first
    document = version_context(version)["document"]
    actions = document.sections[0]
    first_gaps = {line.label: line.value for line in actions.entries[0].lines}
    assert first_gaps["Brechas que aborda"] == "B1 · Brecha de prueba 1 (alta)"


def test_a_plan_sent_after_the_diagnostic_reordered_its_gaps_names_the_same_gaps(
    institution: Any,
) -> None:
    cycle = create_cycle(2026)
    load_starting_catalog(cycle)
    first = plan_on_gap_keys(institution, cycle)  # action 1 addresses brecha-1 only
    diagnostic = reference_diagnostic(first)
    assert diagnostic is not None
    reordered = resubmit_changed(diagnostic, "gaps", diagnostic.submission.draft["gaps"][::-1])
    second = resubmit_changed(first, "actions.0.description", "Acción de mejora 1 corregida")

    assert reference_diagnostic(second) == reordered
    before = flat("\n".join(pages_text(render_version_pdf(first))))
    after = flat("\n".join(pages_text(render_version_pdf(second))))
    assert (
        "Acción de mejora 1 Brechas que aborda B1 · Brecha de prueba 1 (alta) Unidad" in before
    )
    assert (
        "Acción de mejora 1 corregida Brechas que aborda B2 · Brecha de prueba 1 (alta) Unidad"
        in after
    )
    assert "brecha-" not in after


def test_diagnostic_pdf_does_not_show_gap_keys(institution: Any) -> None:
    draft = with_gap_keys(diagnostic_draft())
    version = create_submitted_diagnostic(institution, create_cycle(2026), draft=draft)
    assert version.content["content"]["gaps"][0]["key"] == "brecha-1"

    text = flat("\n".join(pages_text(render_version_pdf(version))))

    assert "Brecha 1 de 2 Dimensión Reclamos" in text
    assert "brecha-" not in text
    assert "Identificador" not in text


def test_plan_version_page_and_pdf_download(
    client: FlaskClient, login_as: Any, version: SubmissionVersion, institution: Any
) -> None:
    login_as(create_user(Role.COORDINATOR, institutions=[institution]))

    page = client.get("/instituciones/1306/2026/plan/v1").get_data(as_text=True)
    download = client.get("/instituciones/1306/2026/plan/v1.pdf")

    assert "Plan de mejora 2026 · Versión 1" in page
    assert "B1 · Brecha de prueba 1 (alta)<br>B2 · Brecha de prueba 2 (media)" in page
    assert "31 de marzo de 2026" in page
    assert "Medios de verificación adjuntos" in page
    assert f'<code class="hash">{sha256(MINUTES)}</code>' in page
    assert "clave-interna" not in page
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"] == (
        f'attachment; filename="{pdf_filename(version)}"'
    )
    assert pdf_filename(version) == "plan-1306-2026-v1.pdf"
    assert download.headers["Cache-Control"] == "private, no-store"
    assert version.content_hash in flat("\n".join(pages_text(download.data)))
