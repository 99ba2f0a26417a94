"""The review results of a submission, as the API answers them: each review round with its
verdicts and the observations it raised, each with its whole life."""

from __future__ import annotations

from marshmallow import Schema, fields

from pmg.api.schemas import PersonSchema, choice
from pmg.review.models import Decision, ObservationAction, ObservationState, Outcome


class RequirementRefSchema(Schema):
    code = fields.String(required=True, metadata={"description": "Código del requisito técnico."})
    title = fields.String(required=True, metadata={"description": "Lo que pide el requisito."})


class VersionRefSchema(Schema):
    id = fields.Integer(required=True)
    number = fields.Integer(required=True)


class VerdictSchema(Schema):
    requirement = fields.Nested(RequirementRefSchema, required=True)
    outcome = choice(
        Outcome,
        required=True,
        allow_none=True,
        metadata={"description": "Cumple, no cumple o no aplica; null si quedó sin revisar."},
    )
    note = fields.String(
        required=True, metadata={"description": "Comentario de quien revisó; vacío si no hay."}
    )


class ObservationStepSchema(Schema):
    action = choice(
        ObservationAction,
        required=True,
        metadata={
            "description": "raise: la revisión la hace; answer: la institución responde; "
            "resolve o reopen: la revisión de una versión siguiente la da por resuelta o "
            "la reabre."
        },
    )
    text = fields.String(
        required=True,
        metadata={"description": "La observación, la respuesta o el fundamento; puede ir vacío."},
    )
    at = fields.DateTime(required=True)
    actor = fields.Nested(PersonSchema, required=True)
    version_number = fields.Integer(
        required=True, metadata={"description": "Número de la versión en que ocurrió."}
    )


class ObservationSchema(Schema):
    id = fields.Integer(required=True)
    requirement = fields.Nested(RequirementRefSchema, required=True)
    path = fields.String(
        required=True,
        metadata={
            "description": "Dónde apunta en el contenido: «sección», «sección.campo» o "
            "«sección.<fila>.campo» (la clave de la fila, o su posición desde 0); vacío si "
            "es sobre el requisito completo."
        },
    )
    text = fields.String(required=True)
    state = choice(ObservationState, required=True, metadata={"description": "Su estado hoy."})
    created_at = fields.DateTime(required=True)
    steps = fields.List(
        fields.Nested(ObservationStepSchema),
        required=True,
        attribute="entries",
        metadata={"description": "Su vida, del primer paso al último: quién, cuándo y qué."},
    )


class ReviewRoundSchema(Schema):
    id = fields.Integer(required=True, attribute="review.id")
    version = fields.Nested(
        VersionRefSchema,
        required=True,
        metadata={"description": "La versión revisada."},
    )
    catalog_version = fields.String(
        required=True,
        attribute="review.catalog.version",
        metadata={"description": "Versión del catálogo de requisitos con que se revisó."},
    )
    reviewer = fields.Nested(PersonSchema, required=True, attribute="review.reviewer")
    started_at = fields.DateTime(
        required=True,
        attribute="review.started_at",
        metadata={"description": "Cuando se tomó la versión para revisarla."},
    )
    decision = choice(
        Decision,
        required=True,
        allow_none=True,
        attribute="review.decision",
        metadata={"description": "null mientras se revisa."},
    )
    decided_at = fields.DateTime(required=True, allow_none=True, attribute="review.decided_at")
    decided_by = fields.Nested(
        PersonSchema, required=True, allow_none=True, attribute="review.decided_by"
    )
    decision_note = fields.String(
        required=True,
        attribute="review.decision_note",
        metadata={"description": "Fundamento de la decisión."},
    )
    correction_due = fields.Date(
        required=True,
        allow_none=True,
        attribute="review.correction_due",
        metadata={"description": "Plazo para corregir, si se devolvió con observaciones."},
    )
    verdicts = fields.List(
        fields.Nested(VerdictSchema),
        required=True,
        metadata={
            "description": "Por requisito aplicable, en el orden del catálogo; vacía mientras "
            "no hay decisión (es el trabajo en curso de quien revisa)."
        },
    )
    observations = fields.List(
        fields.Nested(ObservationSchema),
        required=True,
        metadata={
            "description": "Las observaciones que hizo esta revisión, con su vida también en "
            "las versiones siguientes."
        },
    )


class ReviewsSchema(Schema):
    items = fields.List(
        fields.Nested(ReviewRoundSchema),
        required=True,
        metadata={"description": "Una por versión revisada, de la primera a la última."},
    )
