"""The PDF's content as data: labels, es-CL formatting, derived figures, warnings. No database."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from pmg.diagnostics.rules import evaluate
from pmg.diagnostics.schema import CHANNELS, COMPLAINTS, GAPS, PROCEDURES, SAIP, SATISFACTION
from pmg.exports.documents import version_context
from pmg.exports.documents.document import (
    EMPTY,
    Section,
    VersionDocument,
    build_document,
    format_value,
    pdf_filename,
)
from pmg.exports.documents.review_document import build_review
from pmg.institutions.models import Institution, MesuCommitment, Stage
from pmg.submissions.content import FieldKind, FieldSpec
from pmg.submissions.models import SubmissionState
from tests.factories import diagnostic_draft

HASH = "3fa9c2e1b7d04f5a" * 4
SUBMITTED_AT = datetime(2026, 11, 23, 13, 15, tzinfo=UTC)  # 10:15 in Chile (summer time)
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def typed_content(draft: dict[str, Any], stage: Stage = Stage.STAGE_3) -> dict[str, Any]:
    institution = Institution(stage=stage, mesu=MesuCommitment.YES)
    evaluation = evaluate(draft, institution, complete=True)
    assert not evaluation.errors
    return evaluation.content


def fake_version(
    content: dict[str, Any] | None = None,
    *,
    number: int = 1,
    latest: int = 1,
    warnings: list[dict[str, str]] | None = None,
    state: SubmissionState = SubmissionState.SUBMITTED,
) -> Any:
    frozen = {
        "kind": "diagnostic",
        "institution": {
            "code": "3101_61",
            "name": "Servicio Nacional de Prueba",
            "ministry": "MINISTERIO DE HACIENDA",
            "stage": "etapa_3",
            "mesu": "si",
        },
        "cycle": 2026,
        "reference_year": 2025,
        "content": typed_content(diagnostic_draft()) if content is None else content,
    }
    return SimpleNamespace(
        number=number,
        content=frozen,
        content_hash=HASH,
        warnings=warnings or [],
        submitted_at=SUBMITTED_AT,
        submitted_by=SimpleNamespace(name="María González", email="mgonzalez@servicio.gob.cl"),
        submission=SimpleNamespace(
            state=state, versions=[SimpleNamespace(number=n) for n in range(1, latest + 1)]
        ),
    )


def document(version: Any = None) -> VersionDocument:
    return build_document(version or fake_version(), as_of=NOW)


def section(doc: VersionDocument, key: str) -> Section:
    return next(found for found in doc.sections if found.key == key)


def pairs(lines: Any) -> list[tuple[str, str, bool]]:
    return [(line.label, line.value, line.derived) for line in lines]


def test_header_states_who_sent_what_and_when() -> None:
    facts = {fact.label: fact.value for fact in document().facts}

    assert facts == {
        "Institución": "Servicio Nacional de Prueba",
        "Código de la institución": "3101_61",
        "Ministerio": "MINISTERIO DE HACIENDA",
        "Etapa": "Etapa 3",
        "Compromete MESU": "Sí",
        "Ciclo (proceso PMG)": "2026",
        "Año de referencia": "2025",
        "Tipo de envío": "Diagnóstico de brechas",
        "Versión": "1 (versión vigente)",
        "Estado del envío": "Enviado",
        "Enviado el": "23 de noviembre de 2026, 10:15 (hora de Chile)",
        "Enviado por": "María González (mgonzalez@servicio.gob.cl)",
        "Huella SHA-256 del contenido": HASH,
    }


def test_header_hash_is_full_and_monospaced_and_footer_gets_a_prefix() -> None:
    doc = document()
    (hash_fact,) = [fact for fact in doc.facts if fact.mono]

    assert hash_fact.value == HASH
    assert doc.hash_prefix == HASH[:12]
    assert (doc.institution_code, doc.version_number) == ("3101_61", 1)
    assert doc.as_of == NOW


def test_header_says_when_a_version_was_replaced() -> None:
    version = fake_version(number=1, latest=3, state=SubmissionState.IN_REVIEW)
    facts = {fact.label: fact.value for fact in document(version).facts}

    assert facts["Versión"] == "1 (reemplazada por la versión 3)"
    assert facts["Estado del envío"] == "En revisión"


def test_sections_follow_the_schema_order() -> None:
    assert [found.title for found in document().sections] == [
        "Responsable y equipo de trabajo",
        "Reclamos",
        "Solicitudes de acceso a información pública (SAIP)",
        "Trámites y servicios relevantes",
        "Canales de atención",
        "Satisfacción usuaria (MESU)",
        "Brechas",
    ]


def test_only_sections_present_in_the_content_are_shown() -> None:
    content = typed_content(diagnostic_draft(), stage=Stage.SAIP)

    keys = [found.key for found in document(fake_version(content)).sections]

    assert keys == ["responsible", "saip", "gaps"]


def test_complaints_show_derived_percentages_after_their_figures() -> None:
    lines = section(document(), COMPLAINTS.key).lines

    assert pairs(lines) == [
        ("Reclamos recibidos en el año", "1.250", False),
        ("Reclamos respondidos en el año", "1.200", False),
        ("% respondidos", "96,0\u00a0%", True),
        ("Tiempo promedio de respuesta", "8,5", False),
        ("Tiempo mediano de respuesta", "7", False),
        ("Tiempo mínimo de respuesta", "1", False),
        ("Tiempo máximo de respuesta", "35", False),
        ("Reclamos respondidos en más de 20 días hábiles", "90", False),
        ("% respondidos en más de 20 días hábiles", "7,5\u00a0%", True),
        ("Análisis de los resultados", "Los tiempos bajaron respecto del año anterior.", False),
    ]


def test_saip_band_percentages_round_half_up_and_empty_analysis_is_a_dash() -> None:
    lines = {line.label: line.value for line in section(document(), SAIP.key).lines}

    assert lines["% respondidas en 10 días hábiles o menos"] == "31,3\u00a0%"  # 5 of 16
    assert lines["% respondidas en 15 días hábiles o menos"] == "56,3\u00a0%"  # 9 of 16
    assert lines["Análisis de los resultados"] == EMPTY


def test_derived_percentage_without_denominator_is_a_dash() -> None:
    draft = diagnostic_draft()
    draft["complaints"].update(received="0", answered="0", answered_over_20="0")

    lines = {
        line.label: line.value
        for line in section(document(fake_version(typed_content(draft))), COMPLAINTS.key).lines
    }

    assert lines["% respondidos"] == EMPTY
    assert lines["% respondidos en más de 20 días hábiles"] == EMPTY


def test_repeated_sections_are_one_entry_per_row_with_choice_labels() -> None:
    procedures = section(document(), PROCEDURES.key)

    assert procedures.repeated
    assert [entry.title for entry in procedures.entries] == ["Trámite 1 de 2", "Trámite 2 de 2"]
    values = {line.label: line.value for line in procedures.entries[0].lines}
    assert values["Justificación de la selección"] == "Masividad (volumen de transacciones)"
    assert values["Otra razón de la selección"] == EMPTY
    assert values["Unidad de tiempo"] == "días hábiles"
    assert values["Transacciones gestionadas en el año"] == "4.500"
    last = procedures.entries[0].lines[-1]
    assert (last.label, last.value, last.derived) == (
        "% gestionadas dentro del plazo esperado",
        "97,3\u00a0%",  # (4500 - 120) / 4500
        True,
    )


@pytest.mark.parametrize(
    ("key", "label", "expected"),
    [
        (CHANNELS.key, "Tipo de canal", "Presencial"),
        (CHANNELS.key, "Atenciones en el año", "12.000"),
        (SATISFACTION.key, "Canal", "Sitio web o plataforma digital"),
        (SATISFACTION.key, "Personas satisfechas (%)", "72,5\u00a0%"),
        (GAPS.key, "Dimensión", "Reclamos"),
        (GAPS.key, "Trámite al que se refiere", EMPTY),
        (GAPS.key, "Prioridad", "Alta"),
    ],
)
def test_first_entry_values(key: str, label: str, expected: str) -> None:
    entry = section(document(), key).entries[0]

    assert {line.label: line.value for line in entry.lines}[label] == expected


def test_long_text_keeps_its_lines_and_is_marked_long() -> None:
    lines = section(document(), "responsible").lines
    team = next(line for line in lines if line.label == "Equipo de trabajo")

    assert team.long
    assert team.value == "Pedro Soto, Planificación\nAna Rojas, OIRS"


def test_warnings_carry_the_labels_of_their_field_and_mark_it() -> None:
    warnings = [
        {"path": "complaints.answered", "message": "Más respondidos que recibidos."},
        {"path": "procedures.1.mean", "message": "Fuera del rango."},
        {"path": "gaps", "message": "Sobre la sección."},
    ]
    doc = document(fake_version(warnings=warnings))

    assert [(n.number, n.location, n.message) for n in doc.notices] == [
        (1, "Reclamos · Reclamos respondidos en el año", "Más respondidos que recibidos."),
        (2, "Trámite 2 · Tiempo promedio", "Fuera del rango."),
        (3, "Brechas", "Sobre la sección."),
    ]
    answered = section(doc, COMPLAINTS.key).lines[1]
    assert (answered.label, answered.notes) == ("Reclamos respondidos en el año", (1,))
    mean = section(doc, PROCEDURES.key).entries[1].lines[7]
    assert (mean.label, mean.notes) == ("Tiempo promedio", (2,))
    assert section(doc, PROCEDURES.key).entries[0].lines[7].notes == ()


def test_content_the_schema_no_longer_describes_is_still_shown() -> None:
    content = typed_content(diagnostic_draft())
    content["complaints"]["legacy_field"] = 12
    content["legacy_section"] = {"note": "texto"}

    doc = document(fake_version(content))

    assert pairs(section(doc, COMPLAINTS.key).lines)[-1] == ("legacy_field", "12", False)
    assert pairs(section(doc, "legacy_section").lines) == [("note", "texto", False)]


COUNT = FieldSpec("n", "N", FieldKind.COUNT)
DECIMAL = FieldSpec("d", "D", FieldKind.DECIMAL)
PERCENT = FieldSpec("p", "P", FieldKind.PERCENT)
CHOICE = FieldSpec("c", "C", FieldKind.CHOICE, choices=Stage)
DATE = FieldSpec("f", "F", FieldKind.DATE)
TEXT = FieldSpec("t", "T", FieldKind.TEXT)


@pytest.mark.parametrize(
    ("spec", "value", "expected"),
    [
        (COUNT, 1250, "1.250"),
        (COUNT, 0, "0"),
        (COUNT, 1234567, "1.234.567"),
        (DECIMAL, 8.5, "8,5"),
        (DECIMAL, 12.25, "12,25"),
        (DECIMAL, 1234.5, "1.234,5"),
        (DECIMAL, 7, "7"),
        (DECIMAL, Decimal("0.05"), "0,05"),
        (PERCENT, 72.5, "72,5\u00a0%"),
        (CHOICE, "etapa_2", "Etapa 2"),
        (CHOICE, "retired_value", "retired_value"),
        (DATE, "2026-03-03", "3 de marzo de 2026"),
        (TEXT, "<b>texto</b>", "<b>texto</b>"),
        (TEXT, None, EMPTY),
        (TEXT, "", EMPTY),
        (COUNT, None, EMPTY),
    ],
)
def test_format_value(spec: FieldSpec, value: Any, expected: str) -> None:
    assert format_value(spec, value) == expected


def test_version_context_is_the_document_and_its_review_section() -> None:
    review = build_review(1, None, [], [])
    context = version_context(fake_version(), as_of=NOW, review=review)

    assert context == {"document": document(), "review": review}


def test_pdf_filename_names_the_version() -> None:
    assert pdf_filename(fake_version(number=2, latest=2)) == "diagnostico-3101_61-2026-v2.pdf"


def test_pdf_filename_replaces_what_a_header_cannot_carry() -> None:
    version = fake_version()
    version.content["institution"]["code"] = 'ñ"\r\n/'

    assert pdf_filename(version) == "diagnostico-" + "-" * 5 + "-2026-v1.pdf"
