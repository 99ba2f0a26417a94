"""The reference page's content, read from the OpenAPI document: each operation with its
parameters and answers, and each schema with its fields, as text for people."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

REF = "#/components/"


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    required: bool
    description: str
    where: str = ""  # a parameter's place: query, path, header


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    description: str
    tags: tuple[str, ...]
    parameters: tuple[Field, ...]
    answers: tuple[tuple[str, str], ...]  # (status, what it means)


@dataclass(frozen=True)
class SchemaDoc:
    name: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Reference:
    title: str
    description: str
    operations: tuple[Operation, ...]
    schemas: tuple[SchemaDoc, ...]


def _resolve(document: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    """``item``, or what its ``$ref`` names in the document's components."""
    ref = item.get("$ref")
    if not isinstance(ref, str) or not ref.startswith(REF):
        return item
    kind, name = ref.removeprefix(REF).split("/", 1)
    found: dict[str, Any] = document["components"][kind][name]
    return found


def type_of(schema: dict[str, Any]) -> str:
    """A schema's type in words: ``Institution``, ``lista de Version``, ``string o null``,
    ``Person o null``, ``uno de: etapa_1, etapa_2``."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[1]
    if "anyOf" in schema:
        return " o ".join(type_of(option) for option in schema["anyOf"])
    if "enum" in schema:
        return "uno de: " + ", ".join("null" if v is None else str(v) for v in schema["enum"])
    kind = schema.get("type", "cualquiera")
    names = kind if isinstance(kind, list) else [kind]
    if "array" in names:
        return "lista de " + type_of(schema.get("items", {}))
    text = " o ".join(str(name) for name in names)
    return f"{text} ({schema['format']})" if "format" in schema else text


def _parameters(document: dict[str, Any], items: list[dict[str, Any]]) -> tuple[Field, ...]:
    fields = []
    for item in items:
        parameter = _resolve(document, item)
        fields.append(
            Field(
                parameter["name"],
                type_of(parameter.get("schema", {})),
                bool(parameter.get("required")),
                parameter.get("description", ""),
                parameter["in"],
            )
        )
    return tuple(fields)


def _operations(document: dict[str, Any]) -> tuple[Operation, ...]:
    operations = []
    for path, item in document["paths"].items():
        shared = item.get("parameters", [])
        for method, operation in item.items():
            if method == "parameters":
                continue
            answers = tuple(
                (str(status), _resolve(document, answer).get("description", ""))
                for status, answer in sorted(operation["responses"].items(), key=lambda a: a[0])
            )
            operations.append(
                Operation(
                    method.upper(),
                    path,
                    operation.get("summary", ""),
                    operation.get("description", ""),
                    tuple(operation.get("tags", ())),
                    _parameters(document, shared + operation.get("parameters", [])),
                    answers,
                )
            )
    return tuple(operations)


def _schemas(document: dict[str, Any], used: set[str]) -> tuple[SchemaDoc, ...]:
    schemas = []
    for name, schema in document["components"]["schemas"].items():
        if name not in used:
            continue
        required = set(schema.get("required", ()))
        fields = tuple(
            Field(key, type_of(value), key in required, value.get("description", ""))
            for key, value in schema.get("properties", {}).items()
        )
        schemas.append(SchemaDoc(name, fields))
    return tuple(schemas)


def _names_used(value: Any, found: set[str]) -> set[str]:
    """The schemas the operations name, directly or through other schemas."""
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF + "schemas/"):
            found.add(ref.rsplit("/", 1)[1])
        for item in value.values():
            _names_used(item, found)
    elif isinstance(value, list):
        for item in value:
            _names_used(item, found)
    return found


def reference(document: dict[str, Any]) -> Reference:
    return Reference(
        document["info"]["title"],
        document["info"].get("description", ""),
        _operations(document),
        _schemas(document, _reachable(document)),
    )


def _reachable(document: dict[str, Any]) -> set[str]:
    """The schemas reachable from the operations, their answers included."""
    pending = _names_used(document["paths"], set())
    components = document["components"]
    for kind in ("responses", "parameters"):
        pending |= _names_used(components.get(kind, {}), set())
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        pending |= _names_used(components["schemas"].get(name, {}), set()) - seen
    return seen
