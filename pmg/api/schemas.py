"""What the API answers and what it accepts, as marshmallow schemas: they dump the models
and are the OpenAPI document's schemas (flask-smorest reads them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, fields, validate

from pmg.core.routing import DB_INT_MAX
from pmg.cycles.models import WindowKind
from pmg.cycles.queries import WindowState, chile_today, window_states
from pmg.dashboard.standing import STANDINGS
from pmg.institutions.models import FunctionalCategory, MesuCommitment, Stage
from pmg.submissions.kinds import KINDS
from pmg.submissions.models import SubmissionKind, SubmissionState

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 50

# Spanish messages for what a query string can get wrong.
INVALID_NUMBER = "Escriba un número entero."
INVALID_CHOICE = "Elija uno de los valores permitidos: {choices}."
INVALID_TEXT = "Escriba un texto."
# No text of the application holds a NUL character (PostgreSQL's text cannot): a request
# with one is refused before any view (pmg.core.routing), and the API's document says so.
WITHOUT_NUL = r"^[^\x00]*$"
CODE_LENGTH = 32
UNKNOWN_PARAMETER = "Parámetro desconocido."


class Computed(fields.Nested):
    """A nested object read from the dumped object by ``read`` (a period, links, the
    standings), documented as its schema."""

    def __init__(self, nested: type[Schema], read: Callable[[Any], Any], **kwargs: Any) -> None:
        super().__init__(nested, **kwargs)
        self.read = read

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = None) -> Any:
        return self.read(obj)


def _period(pair: tuple[Any, Any]) -> dict[str, Any]:
    return dict(zip(("start", "end"), pair, strict=True))


def choice(enum: Any, **kwargs: Any) -> fields.Enum:
    return fields.Enum(enum, by_value=True, **kwargs)


# --- Answers ---------------------------------------------------------------------------


class PeriodSchema(Schema):
    start = fields.Date(required=True, metadata={"description": "Primer día."})
    end = fields.Date(required=True, metadata={"description": "Último día."})


class WindowSchema(PeriodSchema):
    kind = choice(WindowKind, required=True)
    label = fields.String(required=True, attribute="kind.label")
    state = choice(WindowState, required=True, metadata={"description": "Hoy, en Chile."})


class CycleSchema(Schema):
    year = fields.Integer(required=True)
    reference_year = fields.Integer(required=True)
    is_current = fields.Boolean(required=True)
    windows = Computed(
        WindowSchema,
        lambda cycle: window_states(cycle, chile_today()),
        many=True,
        required=True,
        metadata={"description": "Las ventanas del ciclo, en el orden en que ocurren."},
    )
    execution = Computed(
        PeriodSchema,
        lambda cycle: _period(cycle.execution_period),
        required=True,
        metadata={"description": "Período de ejecución de las acciones del plan."},
    )


class CyclesSchema(Schema):
    items = fields.List(fields.Nested(CycleSchema), required=True)


class MinistrySchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class StandingSchema(Schema):
    kind = choice(SubmissionKind, required=True)
    state = fields.String(
        required=True,
        allow_none=True,
        validate=validate.OneOf([standing.value for standing in STANDINGS]),
        metadata={
            "description": "El estado de su envío, «sin_iniciar» si no tiene, o null si no "
            "participa en el ciclo (inactiva o no compromete el sistema, y sin envío)."
        },
    )
    late = fields.Boolean(required=True, metadata={"description": "Atrasada con este envío."})


class InstitutionSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    report_code = fields.String(
        required=True, metadata={"description": "codigo_reporte de los consolidados oficiales."}
    )
    ministry = fields.Nested(MinistrySchema, required=True)
    stage = choice(Stage, required=True)
    mesu = choice(MesuCommitment, required=True)
    category = choice(FunctionalCategory, required=True)
    commits_system = fields.Boolean(required=True)
    active = fields.Boolean(required=True)


class InstitutionRowSchema(Schema):
    institution = fields.Nested(InstitutionSchema, required=True)
    cycle = fields.Integer(
        required=True, allow_none=True, metadata={"description": "Año del ciclo de los estados."}
    )
    standings = fields.List(fields.Nested(StandingSchema), required=True)
    links = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class PageLinksSchema(Schema):
    self = fields.String(required=True)
    first = fields.String(required=True)
    last = fields.String(required=True)
    prev = fields.String()
    next = fields.String()


class PageSchema(Schema):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    links = fields.Nested(PageLinksSchema, required=True)


class InstitutionPageSchema(PageSchema):
    items = fields.List(fields.Nested(InstitutionRowSchema), required=True)


class PersonSchema(Schema):
    name = fields.String(required=True)


class VersionSchema(Schema):
    id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    submitted_at = fields.DateTime(required=True)
    submitted_by = fields.Nested(PersonSchema, required=True)
    content_sha256 = fields.String(
        required=True,
        attribute="content_hash",
        metadata={"description": "SHA-256 del contenido canónico (GET /versions/{id}/content)."},
    )


class InstitutionRefSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class SubmissionSchema(Schema):
    id = fields.Integer(required=True)
    institution = fields.Nested(InstitutionRefSchema, required=True)
    cycle = fields.Integer(required=True, attribute="cycle.year")
    kind = choice(SubmissionKind, required=True)
    state = choice(SubmissionState, required=True)
    reviewer = fields.Nested(PersonSchema, required=True, allow_none=True)
    window = Computed(
        PeriodSchema,
        lambda submission: _period(submission.cycle.window(KINDS[submission.kind].window)),
        required=True,
        metadata={"description": "La ventana de envío de este tipo en el ciclo."},
    )
    correction_deadline = fields.Date(
        required=True,
        allow_none=True,
        metadata={"description": "Último día para corregir y reenviar, si fue observado."},
    )
    last_sent_at = fields.DateTime(required=True, allow_none=True)
    state_changed_at = fields.DateTime(required=True, allow_none=True)
    versions = fields.List(fields.Nested(VersionSchema), required=True)


class SubmissionPageSchema(PageSchema):
    items = fields.List(fields.Nested(SubmissionSchema), required=True)


class ProblemSchema(Schema):
    """An error, as RFC 9457 describes it (``application/problem+json``)."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    errors = fields.Dict(
        metadata={"description": "Por parámetro, lo que tiene de malo (solo en 400)."}
    )


# --- Query strings ---------------------------------------------------------------------


def _number(low: int, high: int, **kwargs: Any) -> fields.Integer:
    message = f"Escriba un número entero de {low} a {high}."
    return fields.Integer(
        validate=validate.Range(low, high, error=message),
        error_messages={"invalid": INVALID_NUMBER},
        **kwargs,
    )


def _enum_argument(enum: Any, description: str) -> fields.Enum:
    return choice(
        enum, error_messages={"unknown": INVALID_CHOICE}, metadata={"description": description}
    )


class Args(Schema):
    """A query string: a parameter it does not name is refused, in Spanish."""

    error_messages = {"unknown": UNKNOWN_PARAMETER}


class PageArgs(Args):
    page = _number(1, DB_INT_MAX, load_default=1, metadata={"description": "Página, desde 1."})
    per_page = _number(
        1,
        MAX_PER_PAGE,
        load_default=DEFAULT_PER_PAGE,
        metadata={"description": "Filas por página."},
    )


class FilterArgs(PageArgs):
    cycle = _number(
        1, DB_INT_MAX, metadata={"description": "Año del ciclo; por omisión, el vigente."}
    )
    ministry = _number(1, DB_INT_MAX, metadata={"description": "Id del ministerio."})
    stage = _enum_argument(Stage, "Etapa de la institución.")


STANDING_VALUES = [standing.value for standing in STANDINGS]


def _standing_argument(kind: SubmissionKind) -> fields.String:
    return fields.String(
        validate=validate.OneOf(STANDING_VALUES, error=INVALID_CHOICE),
        error_messages={"invalid": INVALID_TEXT},
        metadata={
            "description": f"Estado del envío «{kind.label}» en el ciclo.",
            "enum": STANDING_VALUES,
        },
    )


class InstitutionArgs(FilterArgs):
    """The standing filters are one per kind, named by it, as on the web's list: any of
    them, together, with no parameter that means something only beside another."""

    diagnostic = _standing_argument(SubmissionKind.DIAGNOSTIC)
    plan = _standing_argument(SubmissionKind.PLAN)


class CycleArgs(Args):
    cycle = _number(
        1, DB_INT_MAX, metadata={"description": "Año del ciclo; por omisión, el vigente."}
    )


class IndicatorArgs(Args):
    year = _number(1, DB_INT_MAX, metadata={"description": "Solo las cifras de este año."})


class SubmissionArgs(FilterArgs):
    kind = _enum_argument(SubmissionKind, "Tipo de envío.")
    institution = fields.String(
        validate=[
            validate.Length(1, CODE_LENGTH, error="Escriba un código de 1 a 32 caracteres."),
            validate.Regexp(WITHOUT_NUL, error="Quite el carácter nulo del código."),
        ],
        error_messages={"invalid": INVALID_TEXT},
        metadata={"description": "Código de la institución."},
    )
    state = _enum_argument(SubmissionState, "Estado del envío.")
