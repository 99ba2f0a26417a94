"""A plan version's document as data (no database): gaps named, keys hidden, manifest."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from pmg.diagnostics.rules import evaluate as evaluate_diagnostic
from pmg.exports.documents.document import VersionDocument, build_document
from pmg.exports.documents.plan_document import NO_REFERENCE
from pmg.institutions.models import Institution, MesuCommitment, Stage
from pmg.plans.rules import evaluate as evaluate_plan
from pmg.submissions.evaluation import SubmissionContext
from pmg.submissions.models import SubmissionState
from tests.exports.submissions import plan_with_keys
from tests.factories import diagnostic_draft, with_gap_keys

HASH = "3fa9c2e1b7d04f5a" * 4
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
SUBMITTED_AT = datetime(2026, 5, 4, 14, 0, tzinfo=UTC)


def typed(draft: dict[str, Any], kind: str) -> dict[str, Any]:
    """The content a version of ``kind`` freezes for ``draft`` (a plan: against the
    diagnostic of :func:`diagnostic_draft`)."""
    institution = Institution(stage=Stage.STAGE_3, mesu=MesuCommitment.NO)
    if kind == "diagnostic":
        result = evaluate_diagnostic(draft, institution, complete=True)
    else:
        diagnostic = {"content": typed(diagnostic_draft(), "diagnostic")}
        context = SubmissionContext(institution, diagnostic=diagnostic)
        result = evaluate_plan(draft, context, complete=True)
    assert not result.errors
    return result.content


def fake_plan(
    content: dict[str, Any] | None = None,
    evidence: list[dict[str, Any]] | None = None,
    warnings: list[dict[str, str]] | None = None,
) -> Any:
    frozen = {
        "kind": "plan",
        "institution": {"code": "1306", "name": "Servicio", "stage": "etapa_3", "mesu": "no"},
        "cycle": 2026,
        "reference_year": 2025,
        "content": typed(plan_with_keys(2026), "plan") if content is None else content,
        "evidence": evidence or [],
    }
    return SimpleNamespace(
        number=1,
        content=frozen,
        content_hash=HASH,
        warnings=warnings or [],
        submitted_at=SUBMITTED_AT,
        submitted_by=SimpleNamespace(name="María González", email=""),
        submission=SimpleNamespace(
            state=SubmissionState.SUBMITTED, versions=[SimpleNamespace(number=1)]
        ),
    )


def fake_diagnostic(content: dict[str, Any] | None = None) -> Any:
    content = typed(diagnostic_draft(), "diagnostic") if content is None else content
    return SimpleNamespace(
        number=2,
        submitted_at=datetime(2026, 4, 10, 18, 30, tzinfo=UTC),
        content_hash="ab" * 32,
        content={"kind": "diagnostic", "content": content},
    )


def plan_document(version: Any = None, diagnostic: Any = None) -> VersionDocument:
    return build_document(version or fake_plan(), as_of=NOW, diagnostic=diagnostic)


def action_values(document: VersionDocument, index: int) -> dict[str, str]:
    actions = next(section for section in document.sections if section.key == "actions")
    return {line.label: line.value for line in actions.entries[index].lines}


def test_plan_document_names_gaps_from_the_diagnostic_and_hides_keys() -> None:
    document = plan_document(diagnostic=fake_diagnostic())
    facts = {fact.label: fact.value for fact in document.facts}

    assert facts["Tipo de envío"] == "Plan de mejora"
    assert facts["Diagnóstico de referencia"] == (
        "Versión 2, enviada el 10 de abril de 2026, 14:30 (SHA-256 abababababab…)"
    )
    assert [fact.label for fact in document.facts][7:9] == [
        "Tipo de envío",
        "Diagnóstico de referencia",
    ]
    values = action_values(document, 1)
    assert "Identificador" not in values
    assert values["Brechas que aborda"] == (
        "B1 · Brecha de prueba 1 (alta)\nB2 · Brecha de prueba 2 (media)"
    )
    assert values["Fecha de inicio"] == "31 de marzo de 2026"
    assert values["Meta"] == "95"
    assert document.shows_evidence
    assert document.evidence == ()


def test_without_the_diagnostic_gaps_are_named_by_number_and_the_header_says_why() -> None:
    content = typed(plan_with_keys(2026), "plan")
    content["actions"][0]["gaps"] = ["1", "7"]

    document = plan_document(fake_plan(content))

    facts = {fact.label: fact.value for fact in document.facts}
    assert facts["Diagnóstico de referencia"] == NO_REFERENCE
    assert action_values(document, 0)["Brechas que aborda"] == "B1\nB7"
    with_diagnostic = plan_document(fake_plan(content), fake_diagnostic())
    assert action_values(with_diagnostic, 0)["Brechas que aborda"] == (
        "B1 · Brecha de prueba 1 (alta)\nB7 (no figura en el diagnóstico de referencia)"
    )


def test_gaps_referred_to_by_key_are_named_as_the_diagnostic_numbers_them() -> None:
    content = typed(plan_with_keys(2026), "plan")
    content["actions"][1]["gaps"] = ["brecha-1", "brecha-2"]
    diagnostic = typed(with_gap_keys(diagnostic_draft()), "diagnostic")
    in_order = plan_document(fake_plan(content), fake_diagnostic(diagnostic))
    diagnostic["gaps"].reverse()

    reordered = plan_document(fake_plan(content), fake_diagnostic(diagnostic))

    assert action_values(in_order, 1)["Brechas que aborda"] == (
        "B1 · Brecha de prueba 1 (alta)\nB2 · Brecha de prueba 2 (media)"
    )
    assert action_values(reordered, 1)["Brechas que aborda"] == (
        "B2 · Brecha de prueba 1 (alta)\nB1 · Brecha de prueba 2 (media)"
    )


def test_a_key_the_diagnostic_lacks_is_shown_as_it_is() -> None:
    content = typed(plan_with_keys(2026), "plan")
    content["actions"][0]["gaps"] = ["brecha-1", "brecha-9"]
    diagnostic = fake_diagnostic(typed(with_gap_keys(diagnostic_draft()), "diagnostic"))

    named = plan_document(fake_plan(content), diagnostic)

    assert action_values(named, 0)["Brechas que aborda"] == (
        "B1 · Brecha de prueba 1 (alta)\nbrecha-9 (no figura en el diagnóstico de referencia)"
    )
    alone = plan_document(fake_plan(content))
    assert action_values(alone, 0)["Brechas que aborda"] == "brecha-1\nbrecha-9"


def test_manifest_lists_the_whole_plan_first_then_by_action_number() -> None:
    evidence = [
        {
            "name": "b.pdf",
            "size": 1_234_567,
            "sha256": "1" * 64,
            "type": "pdf",
            "action_key": "clave-interna-3",
        },
        {
            "name": "a.xlsx",
            "size": 850,
            "sha256": "2" * 64,
            "type": "xlsx",
            "action_key": "clave-interna-1",
        },
        {
            "name": "borrada.csv",
            "size": 2048,
            "sha256": "3" * 64,
            "type": "csv",
            "action_key": "otra-clave",
        },
        {"name": "z.png", "size": 1, "sha256": "4" * 64, "type": "png", "action_key": None},
    ]

    items = plan_document(fake_plan(evidence=evidence)).evidence

    assert [(i.name, i.attached_to, i.file_type, i.size, i.sha256[0]) for i in items] == [
        ("z.png", "Todo el plan", "Imagen PNG", "1 byte", "4"),
        ("a.xlsx", "Acción 1", "Planilla Excel (.xlsx)", "850 bytes", "2"),
        ("b.pdf", "Acción 3", "PDF", "1,2 MB (1.234.567 bytes)", "1"),
        (
            "borrada.csv",
            "Una acción que no está en esta versión",
            "Datos separados por comas (.csv)",
            "2 KB (2.048 bytes)",
            "3",
        ),
    ]


def test_warnings_of_a_plan_mark_their_action_field_and_procedure_row() -> None:
    warnings = [
        {"path": "actions.1.end_date", "message": "Termina después del cierre."},
        {"path": "procedure_targets.1.on_time_pct", "message": "Meta menor que lo actual."},
    ]

    document = plan_document(fake_plan(warnings=warnings), fake_diagnostic())

    assert [(n.location, n.message) for n in document.notices] == [
        ("Acción 2 · Fecha de término", "Termina después del cierre."),
        (
            "Trámite 2 · % gestionadas dentro del tiempo esperado (meta)",
            "Meta menor que lo actual.",
        ),
    ]
    actions = document.sections[0]
    end = next(line for line in actions.entries[1].lines if line.label == "Fecha de término")
    assert end.notes == (1,)
    grid = document.sections[-1].grid
    assert grid is not None
    assert [(row.cells, row.notes) for row in grid.rows] == [
        (("Trámite de prueba 1", "97,3\u00a0%", "98\u00a0%"), ()),
        (("Trámite de prueba 2", "97,3\u00a0%", "96,5\u00a0%"), (2,)),
    ]


def test_a_procedure_target_row_with_an_unknown_field_is_shown_entry_by_entry() -> None:
    content = typed(plan_with_keys(2026), "plan")
    content["procedure_targets"][0]["legacy"] = "x"

    section = plan_document(fake_plan(content)).sections[-1]

    assert section.grid is None
    assert [line.label for line in section.entries[0].lines] == [
        "% gestionadas dentro del tiempo esperado (meta)",
        "legacy",
    ]
