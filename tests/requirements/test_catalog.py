"""Reading the catalog YAML: the starting catalog, every rule, and who each requirement
applies to."""

from __future__ import annotations

import pytest

from pmg import models  # noqa: F401  (maps every model, so rows can be built without a database)
from pmg.institutions.models import Institution, MesuCommitment, Stage
from pmg.requirements.catalog import (
    CatalogProblems,
    normalise_text,
    parse_catalog,
    starting_catalog_text,
)
from pmg.requirements.models import Requirement, RequirementCatalog
from pmg.requirements.operations import _rows
from pmg.submissions.models import SubmissionKind

DIAGNOSTIC, PLAN = SubmissionKind.DIAGNOSTIC, SubmissionKind.PLAN
STAGES_1_3 = (Stage.STAGE_1, Stage.STAGE_2, Stage.STAGE_3)


def catalog_text(*requirements: str, version: str = '"1"') -> str:
    """A catalog whose ``requisitos`` are the given blocks of ``key: value`` lines."""
    items = ""
    for block in requirements:
        lines = block.strip().splitlines()
        items += "".join(
            ("  - " if number == 0 else "    ") + line + "\n" for number, line in enumerate(lines)
        )
    return f"version: {version}\nrequisitos:\n{items}"


VALID = "codigo: R01\ntitulo: Responsable del sistema\naplica_a: diagnostico\n"


def problems_of(text: str) -> list[str]:
    with pytest.raises(CatalogProblems) as refused:
        parse_catalog(text)
    return refused.value.problems


# --- The starting catalog ----------------------------------------------------------------


def test_starting_catalog_has_the_ten_requirements_of_the_domain_notes() -> None:
    spec = parse_catalog(starting_catalog_text())
    assert spec.version == "1"
    assert [
        (r.code, r.kind, r.stages, r.mesu_only, r.sections) for r in spec.requirements
    ] == [
        ("R01", DIAGNOSTIC, (), False, ("responsible",)),
        ("R02", DIAGNOSTIC, STAGES_1_3, False, ("procedures",)),
        ("R03", DIAGNOSTIC, (), False, ("complaints", "saip", "procedures")),
        ("R04", DIAGNOSTIC, STAGES_1_3, False, ("channels",)),
        ("R05", DIAGNOSTIC, STAGES_1_3, True, ("satisfaction",)),
        ("R06", DIAGNOSTIC, (), False, ("gaps",)),
        ("R07", PLAN, (), False, ("actions",)),
        ("R08", PLAN, (), False, ("actions",)),
        ("R09", PLAN, (Stage.STAGE_2, Stage.STAGE_3), False,
         ("complaint_targets", "saip_targets", "procedure_targets")),
        ("R10", PLAN, (), False, ("actions",)),
    ]  # fmt: skip
    assert all(r.title and r.description for r in spec.requirements)


# --- Values the file may write in several ways ---------------------------------------------


@pytest.mark.parametrize(
    ("written", "stages"),
    [
        ("todas", ()),
        ("Todas", ()),
        ("[Etapa 1]", (Stage.STAGE_1,)),
        ("[etapa_2, SAIP]", (Stage.STAGE_2, Stage.SAIP)),
        ("[3, etapa 1]", (Stage.STAGE_1, Stage.STAGE_3)),
        ("saip", (Stage.SAIP,)),
        ("[Etapa 2, etapa_2]", (Stage.STAGE_2,)),
    ],
)
def test_stages_by_label_value_or_number(written: str, stages: tuple[Stage, ...]) -> None:
    spec = parse_catalog(catalog_text(VALID + f"etapas: {written}\n"))
    assert spec.requirements[0].stages == stages


@pytest.mark.parametrize(
    ("written", "mesu_only"),
    [("no", False), ("sí", True), ("si", True), ("Sí", True), ("true", True), ("false", False)],
)
def test_mesu_only_as_yes_or_no(written: str, mesu_only: bool) -> None:
    spec = parse_catalog(catalog_text(VALID + f"solo_mesu: {written}\n"))
    assert spec.requirements[0].mesu_only is mesu_only


def test_optional_keys_default_to_every_stage_no_mesu_no_sections() -> None:
    requirement = parse_catalog(catalog_text(VALID)).requirements[0]
    assert (requirement.description, requirement.stages, requirement.mesu_only) == ("", (), False)
    assert requirement.sections == ()


def test_version_may_be_a_whole_number() -> None:
    assert parse_catalog(catalog_text(VALID, version="2026")).version == "2026"


def test_browser_line_ends_are_normalised() -> None:
    assert normalise_text("\ufeffa: 1\r\nb: 2\r\n\r\n") == "a: 1\nb: 2\n"


# --- Every rule, with its message ----------------------------------------------------------

INVALID = [
    (
        "version: '1'\nrequisitos:\n  - codigo: R01\n    titulo: [sin cerrar\n",
        "El texto no es YAML válido: hay un error en la línea 5, columna 1. "
        "Revise la sangría, los dos puntos después de cada clave y las comillas.",
    ),
    (
        catalog_text(VALID + "titulo: Otra vez\n"),
        "Línea 6: la clave «titulo» está repetida.",
    ),
    (
        "solo texto",
        "El catálogo debe tener las claves «version» y «requisitos» al comienzo de línea.",
    ),
    ("", "El catálogo debe tener las claves «version» y «requisitos» al comienzo de línea."),
    (
        catalog_text(VALID) + "autor: yo\n",
        "Clave desconocida «autor». Claves permitidas: version, requisitos.",
    ),
    (catalog_text(VALID).split("\n", 1)[1], "Falta «version»."),
    (catalog_text(VALID, version="''"), "«version» no puede quedar en blanco."),
    (
        catalog_text(VALID, version="x" * 41),
        "«version» admite como máximo 40 caracteres (tiene 41).",
    ),
    (
        catalog_text(VALID, version="2026.1"),
        'Escriba «version» entre comillas, por ejemplo version: "2026.1".',
    ),
    ("version: '1'\n", "Falta «requisitos»: la lista de requisitos del catálogo."),
    ("version: '1'\nrequisitos: []\n", "El catálogo debe tener al menos un requisito."),
    (
        "version: '1'\nrequisitos: R01\n",
        "«requisitos» debe ser una lista; cada requisito comienza con «- codigo:».",
    ),
    (
        "version: '1'\nrequisitos:\n  - R01\n",
        "Requisito 1: debe ser un conjunto de claves "
        "(codigo, titulo, descripcion, aplica_a, etapas, solo_mesu, secciones).",
    ),
    (
        catalog_text("titulo: Sin código\naplica_a: plan"),
        "Requisito 1: falta «codigo».",
    ),
    (
        catalog_text("codigo: R 1\ntitulo: t\naplica_a: plan"),
        "Requisito 1 (R 1): «codigo» solo admite letras, números, puntos y guiones, sin espacios.",
    ),
    (catalog_text("codigo: R03\naplica_a: plan"), "Requisito 1 (R03): falta «titulo»."),
    (
        catalog_text(f"codigo: R03\ntitulo: {'x' * 201}\naplica_a: plan"),
        "Requisito 1 (R03): «titulo» admite como máximo 200 caracteres (tiene 201).",
    ),
    (
        catalog_text("codigo: R03\ntitulo: t\naplica_a: plan\ndescripcion: [a]"),
        "Requisito 1 (R03): «descripcion» debe ser un texto.",
    ),
    (
        catalog_text("codigo: R03\ntitulo: t"),
        "Requisito 1 (R03): falta «aplica_a» (diagnostico o plan).",
    ),
    (
        catalog_text("codigo: R03\ntitulo: t\naplica_a: revision"),
        "Requisito 1 (R03): «aplica_a» debe ser diagnostico o plan, no «revision».",
    ),
    (
        catalog_text(VALID.replace("R01", "R03") + "etapas: [Etapa 4]"),
        "Requisito 1 (R03): etapa desconocida «Etapa 4». "
        "Use «todas» o una lista de: Etapa 1, Etapa 2, Etapa 3, SAIP.",
    ),
    (
        catalog_text(VALID.replace("R01", "R03") + "etapas: []"),
        "Requisito 1 (R03): «etapas» no puede ser una lista vacía; escriba «todas» para todas.",
    ),
    (
        catalog_text(VALID.replace("R01", "R03") + "solo_mesu: quizás"),
        "Requisito 1 (R03): «solo_mesu» debe ser sí o no, no «quizás».",
    ),
    (
        catalog_text(VALID.replace("R01", "R03") + "secciones: [actions]"),
        "Requisito 1 (R03): sección desconocida «actions» para diagnostico. Secciones permitidas: "
        "responsible, complaints, saip, procedures, channels, satisfaction, gaps.",
    ),
    (
        catalog_text("codigo: R03\ntitulo: t\naplica_a: plan\nsecciones: gaps"),
        "Requisito 1 (R03): sección desconocida «gaps» para plan. Secciones permitidas: "
        "actions, complaint_targets, saip_targets, procedure_targets.",
    ),
    (
        catalog_text(VALID.replace("R01", "R03") + "prioridad: alta"),
        "Requisito 1 (R03): clave desconocida «prioridad». Claves permitidas: "
        "codigo, titulo, descripcion, aplica_a, etapas, solo_mesu, secciones.",
    ),
    (
        catalog_text(VALID, VALID.replace("R01", "r01")),
        "Requisito 2 (r01): el código «r01» ya se usa en el requisito 1.",
    ),
]


@pytest.mark.parametrize(("text", "message"), INVALID)
def test_invalid_catalog_is_refused_with_its_message(text: str, message: str) -> None:
    assert problems_of(text) == [message]


def test_every_problem_is_reported_at_once() -> None:
    text = catalog_text(
        "codigo: R01\naplica_a: diagnostico",
        "codigo: R02\ntitulo: t\naplica_a: plan\netapas: [Etapa 9]\nsolo_mesu: tal vez",
        version="''",
    )
    assert problems_of(text) == [
        "«version» no puede quedar en blanco.",
        "Requisito 1 (R01): falta «titulo».",
        "Requisito 2 (R02): etapa desconocida «Etapa 9». "
        "Use «todas» o una lista de: Etapa 1, Etapa 2, Etapa 3, SAIP.",
        "Requisito 2 (R02): «solo_mesu» debe ser sí o no, no «tal vez».",
    ]


def test_a_duplicate_code_is_found_even_when_the_requirement_has_other_problems() -> None:
    text = catalog_text(VALID, "codigo: R01\naplica_a: plan")
    assert problems_of(text) == [
        "Requisito 2 (R01): falta «titulo».",
        "Requisito 2 (R01): el código «R01» ya se usa en el requisito 1.",
    ]


def test_problems_make_one_message_for_the_error_page() -> None:
    with pytest.raises(CatalogProblems) as refused:
        parse_catalog("version: ''\nrequisitos: []\n")
    assert refused.value.message == (
        "«version» no puede quedar en blanco. El catálogo debe tener al menos un requisito."
    )


# --- Who each requirement applies to -------------------------------------------------------


def starting_catalog() -> RequirementCatalog:
    """The starting catalog as rows, without a database."""
    return RequirementCatalog(requirements=_rows(parse_catalog(starting_catalog_text())))


def codes(requirements: list[Requirement]) -> list[str]:
    return [requirement.code for requirement in requirements]


@pytest.mark.parametrize(
    ("stage", "mesu", "diagnostic", "plan"),
    [
        (Stage.STAGE_1, MesuCommitment.NO, "R01 R02 R03 R04 R06", "R07 R08 R10"),
        (Stage.STAGE_1, MesuCommitment.YES, "R01 R02 R03 R04 R05 R06", "R07 R08 R10"),
        (Stage.STAGE_2, MesuCommitment.NO, "R01 R02 R03 R04 R06", "R07 R08 R09 R10"),
        (Stage.STAGE_2, MesuCommitment.VOLUNTARY, "R01 R02 R03 R04 R05 R06", "R07 R08 R09 R10"),
        (Stage.STAGE_3, MesuCommitment.YES, "R01 R02 R03 R04 R05 R06", "R07 R08 R09 R10"),
        (Stage.SAIP, MesuCommitment.NO, "R01 R03 R06", "R07 R08 R10"),
        (Stage.SAIP, MesuCommitment.YES, "R01 R03 R06", "R07 R08 R10"),
    ],
)
def test_applicable_requirements_by_stage_and_mesu(
    stage: Stage, mesu: MesuCommitment, diagnostic: str, plan: str
) -> None:
    institution = Institution(stage=stage, mesu=mesu)
    catalog = starting_catalog()
    assert codes(catalog.applicable(institution, DIAGNOSTIC)) == diagnostic.split()
    assert codes(catalog.applicable(institution, PLAN)) == plan.split()


@pytest.mark.parametrize(
    ("stage", "mesu", "applies"),
    [
        (Stage.STAGE_2, MesuCommitment.YES, True),
        (Stage.STAGE_2, MesuCommitment.NO, False),
        (Stage.SAIP, MesuCommitment.YES, False),
    ],
)
def test_r05_applies_only_to_mesu_institutions_outside_stage_saip(
    stage: Stage, mesu: MesuCommitment, applies: bool
) -> None:
    r05 = next(r for r in starting_catalog().requirements if r.code == "R05")
    assert r05.applies_to(Institution(stage=stage, mesu=mesu)) is applies
