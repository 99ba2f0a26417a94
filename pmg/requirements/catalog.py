"""Reading a requirement catalog from its YAML text into plain values.

Admins write the file, so its keys are Spanish and every problem is reported at once,
in Spanish, naming the requirement it concerns. Nothing here touches the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from pmg.core.errors import DomainError
from pmg.institutions.models import Stage
from pmg.submissions.kinds import KINDS, by_slug
from pmg.submissions.models import SubmissionKind

MAX_VERSION = 40
MAX_CODE = 20
MAX_TITLE = 200
MAX_TEXT = 200_000

TOP_KEYS = ("version", "requisitos")
REQUIREMENT_KEYS = (
    "codigo",
    "titulo",
    "descripcion",
    "aplica_a",
    "etapas",
    "solo_mesu",
    "secciones",
)
ALL_STAGES = "todas"
YES = ("si", "sí", "true", "yes")
NO = ("no", "false")
_CODE = re.compile(r"^[\w.-]+$")


@dataclass(frozen=True)
class RequirementSpec:
    """One requirement as the file states it; ``stages`` empty means every stage."""

    code: str
    title: str
    description: str
    kind: SubmissionKind
    stages: tuple[Stage, ...]
    mesu_only: bool
    sections: tuple[str, ...]


@dataclass(frozen=True)
class CatalogSpec:
    version: str
    requirements: tuple[RequirementSpec, ...]


class CatalogProblems(DomainError):
    """The catalog text cannot be used; ``problems`` lists every reason, in Spanish."""

    status_code = 422

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


def starting_catalog_text() -> str:
    """The catalog shipped with the application (domain notes), as YAML text."""
    return resources.files(__package__).joinpath("starting_catalog.yaml").read_text("utf-8")


def normalise_text(text: str) -> str:
    """Unix line ends and one final line end: a browser sends CRLF, a file may not end in one."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text.rstrip() + "\n"


# --- YAML ------------------------------------------------------------------------------


class _DuplicateKey(yaml.YAMLError):
    def __init__(self, key: str, line: int) -> None:
        super().__init__(key)
        self.key = key
        self.line = line


class _StrictLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses a key written twice in one mapping (it would
    silently keep the last one)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key_node, _ in getattr(node, "value", []):
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                if key_node.value in seen:
                    raise _DuplicateKey(key_node.value, key_node.start_mark.line + 1)
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


def _load_yaml(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506  (a SafeLoader)
    except _DuplicateKey as duplicate:
        raise CatalogProblems(
            [f"Línea {duplicate.line}: la clave «{duplicate.key}» está repetida."]
        ) from duplicate
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f" en la línea {mark.line + 1}, columna {mark.column + 1}" if mark else ""
        raise CatalogProblems(
            [
                f"El texto no es YAML válido: hay un error{where}. "
                "Revise la sangría, los dos puntos después de cada clave y las comillas."
            ]
        ) from error
    except yaml.YAMLError as error:
        raise CatalogProblems(["El texto no es YAML válido."]) from error


# --- Values ----------------------------------------------------------------------------


class _Invalid(ValueError):
    """One value is wrong; the message is completed with where it is."""


def _text(value: Any, key: str, limit: int | None = None, *, required: bool = True) -> str:
    if value is None:
        if required:
            raise _Invalid(f"falta «{key}».")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _Invalid(f"«{key}» debe ser un texto.")
    text = str(value).strip()
    if required and not text:
        raise _Invalid(f"«{key}» no puede quedar en blanco.")
    if limit is not None and len(text) > limit:
        raise _Invalid(f"«{key}» admite como máximo {limit} caracteres (tiene {len(text)}).")
    return text


def _kind(value: Any) -> SubmissionKind:
    """A kind of submission by its slug (``aplica_a: diagnostico``)."""
    names = " o ".join(spec.slug for spec in KINDS.values())
    if value is None:
        raise _Invalid(f"falta «aplica_a» ({names}).")
    try:
        return by_slug(str(value).strip().lower()).kind
    except KeyError:
        raise _Invalid(f"«aplica_a» debe ser {names}, no «{value}».") from None


def _stage(value: Any) -> Stage | None:
    if isinstance(value, int) and not isinstance(value, bool):
        value = f"etapa {value}"
    wanted = re.sub(r"[\s_]+", " ", str(value).strip().lower())
    for stage in Stage:
        if wanted in (stage.label.lower(), stage.value.replace("_", " ")):
            return stage
    return None


def _stages(value: Any) -> tuple[Stage, ...]:
    if value is None or (isinstance(value, str) and value.strip().lower() == ALL_STAGES):
        return ()
    items = value if isinstance(value, list) else [value]
    if not items:
        raise _Invalid(f"«etapas» no puede ser una lista vacía; escriba «{ALL_STAGES}» para todas.")
    found: set[Stage] = set()
    for item in items:
        stage = _stage(item)
        if stage is None:
            allowed = ", ".join(stage.label for stage in Stage)
            raise _Invalid(
                f"etapa desconocida «{item}». Use «{ALL_STAGES}» o una lista de: {allowed}."
            )
        found.add(stage)
    return tuple(stage for stage in Stage if stage in found)


def _flag(value: Any) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    word = str(value).strip().lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise _Invalid(f"«solo_mesu» debe ser sí o no, no «{value}».")


def _sections(value: Any, kind: SubmissionKind | None) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    sections: list[str] = []
    for item in items:
        key = str(item).strip()
        spec = KINDS[kind] if kind is not None else None
        allowed = tuple(section.key for section in spec.all_sections) if spec else ()
        if spec is not None and key not in allowed:
            raise _Invalid(
                f"sección desconocida «{key}» para {spec.slug}. "
                f"Secciones permitidas: {', '.join(allowed)}."
            )
        if key not in sections:
            sections.append(key)
    return tuple(sections)


# --- The catalog -----------------------------------------------------------------------


def _unknown_keys(mapping: dict[Any, Any], allowed: tuple[str, ...]) -> list[str]:
    return [
        f"clave desconocida «{key}». Claves permitidas: {', '.join(allowed)}."
        for key in mapping
        if key not in allowed
    ]


def _version(document: dict[Any, Any]) -> tuple[str | None, list[str]]:
    value = document.get("version")
    if isinstance(value, float):
        return None, [f'Escriba «version» entre comillas, por ejemplo version: "{value}".']
    try:
        return _text(value, "version", MAX_VERSION), []
    except _Invalid as problem:
        return None, [_capital(str(problem))]


def _capital(message: str) -> str:
    return message[:1].upper() + message[1:]


def _requirement(number: int, item: Any) -> tuple[RequirementSpec | None, list[str]]:
    """The requirement at position ``number`` (from 1) and what is wrong with it."""
    if not isinstance(item, dict):
        keys = ", ".join(REQUIREMENT_KEYS)
        return None, [f"Requisito {number}: debe ser un conjunto de claves ({keys})."]
    raw_code = item.get("codigo")
    label = f"Requisito {number} ({str(raw_code).strip()})" if raw_code else f"Requisito {number}"
    problems = _unknown_keys(item, REQUIREMENT_KEYS)
    values: dict[str, Any] = {}
    readers = {
        "code": lambda: _code(raw_code),
        "title": lambda: _text(item.get("titulo"), "titulo", MAX_TITLE),
        "description": lambda: _text(item.get("descripcion"), "descripcion", required=False),
        "kind": lambda: _kind(item.get("aplica_a")),
        "stages": lambda: _stages(item.get("etapas")),
        "mesu_only": lambda: _flag(item.get("solo_mesu")),
        "sections": lambda: _sections(item.get("secciones"), values.get("kind")),
    }
    for name, read in readers.items():
        try:
            values[name] = read()
        except _Invalid as problem:
            problems.append(str(problem))
    if problems:
        return None, [f"{label}: {problem}" for problem in problems]
    return RequirementSpec(**values), []


def _code(value: Any) -> str:
    code = _text(value, "codigo", MAX_CODE)
    if not _CODE.match(code):
        raise _Invalid("«codigo» solo admite letras, números, puntos y guiones, sin espacios.")
    return code


def _requirements(value: Any) -> tuple[list[RequirementSpec], list[str]]:
    if value is None:
        return [], ["Falta «requisitos»: la lista de requisitos del catálogo."]
    if not isinstance(value, list):
        return [], ["«requisitos» debe ser una lista; cada requisito comienza con «- codigo:»."]
    if not value:
        return [], ["El catálogo debe tener al menos un requisito."]
    found: list[RequirementSpec] = []
    problems: list[str] = []
    first_of: dict[str, int] = {}
    for number, item in enumerate(value, start=1):
        spec, item_problems = _requirement(number, item)
        problems.extend(item_problems)
        code = str(item.get("codigo") or "").strip() if isinstance(item, dict) else ""
        first = first_of.setdefault(code.casefold(), number) if code else number
        if first != number:
            problems.append(
                f"Requisito {number} ({code}): el código «{code}» "
                f"ya se usa en el requisito {first}."
            )
        if spec is not None:
            found.append(spec)
    return found, problems


def parse_catalog(text: str) -> CatalogSpec:
    """The catalog ``text`` describes; raises :class:`CatalogProblems` listing every problem."""
    if len(text) > MAX_TEXT:
        raise CatalogProblems([f"El catálogo admite como máximo {MAX_TEXT} caracteres."])
    document = _load_yaml(text)
    if not isinstance(document, dict):
        raise CatalogProblems(
            ["El catálogo debe tener las claves «version» y «requisitos» al comienzo de línea."]
        )
    problems = [_capital(problem) for problem in _unknown_keys(document, TOP_KEYS)]
    version, version_problems = _version(document)
    requirements, requirement_problems = _requirements(document.get("requisitos"))
    problems += version_problems + requirement_problems
    if problems or version is None:
        raise CatalogProblems(problems)
    return CatalogSpec(version, tuple(requirements))
