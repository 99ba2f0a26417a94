"""The indicator history of an institution, as the API answers it: the yearly figures and
the cycle targets the official consolidated files brought, kept as they were stored.

A figure the file did not report is ``null``, and how the file wrote it stays apart
(``unreported_as``), so «-», an empty cell and zero never read alike. Numbers are JSON
numbers: counts are integers; times and percentages are the stored values, unrounded."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from pmg.api.schemas import InstitutionRefSchema, choice
from pmg.indicators.models import Justification, TimeUnit

UNREPORTED_DOC = (
    "Cómo escribió el archivo importado cada cifra no informada (null) de este objeto, por "
    'nombre, cuando no escribió «-»: "" si dejó la celda vacía, o su texto. Una cifra null '
    "que no está aquí se escribió «-». Un 0 es un cero informado."
)


class Unreported(fields.Dict):
    """``unreported_as``: ``{}`` where the row holds ``None`` (every unreported figure was
    written ``-``)."""

    def __init__(self) -> None:
        super().__init__(
            keys=fields.String(),
            values=fields.String(),
            required=True,
            metadata={"description": UNREPORTED_DOC},
        )

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return super()._serialize(value or {}, attr, obj, **kwargs)


def _count(description: str) -> fields.Integer:
    return fields.Integer(required=True, allow_none=True, metadata={"description": description})


def _decimal(description: str) -> fields.Float:
    return fields.Float(required=True, allow_none=True, metadata={"description": description})


class ResponseFiguresSchema(Schema):
    """Complaints of a year; SAIP add their bands. Times in business days."""

    year = fields.Integer(required=True)
    received = _count("Recibidos en el año.")
    answered = _count("Respondidos en el año.")
    mean_days = _decimal("Tiempo de respuesta promedio, en días hábiles.")
    median_days = _decimal("Tiempo de respuesta mediano, en días hábiles.")
    min_days = _decimal("Tiempo de respuesta mínimo, en días hábiles.")
    max_days = _decimal("Tiempo de respuesta máximo, en días hábiles.")
    answered_over_20 = _count("Respondidos en más de 20 días hábiles.")
    unreported_as = Unreported()


class SaipFiguresSchema(ResponseFiguresSchema):
    answered_within_10 = _count("Respondidas en 10 días hábiles o menos.")
    answered_within_15 = _count("Respondidas en 15 días hábiles o menos.")
    answered_within_20 = _count("Respondidas en 20 días hábiles o menos.")


class ProcedureFiguresSchema(Schema):
    year = fields.Integer(required=True)
    mean = _decimal("Tiempo promedio de gestión, en la unidad del trámite.")
    median = _decimal("Tiempo mediano de gestión.")
    minimum = _decimal("Tiempo mínimo de gestión.")
    maximum = _decimal("Tiempo máximo de gestión.")
    handled_late = _count("Transacciones gestionadas en un plazo mayor al esperado.")
    handled = _count("Transacciones gestionadas en el año.")
    unreported_as = Unreported()


class ProcedureHistorySchema(Schema):
    name = fields.String(required=True)
    justification = choice(
        Justification,
        required=True,
        allow_none=True,
        metadata={"description": "La justificación leída del archivo; null si no la dijo."},
    )
    justification_text = fields.String(
        required=True, metadata={"description": "La justificación tal como la escribió el archivo."}
    )
    other_reason = fields.String(required=True)
    start_milestone = fields.String(required=True)
    end_milestone = fields.String(required=True)
    expected_time = _decimal("Tiempo esperado de gestión, en su unidad.")
    time_unit = choice(
        TimeUnit,
        required=True,
        allow_none=True,
        metadata={"description": "La unidad leída del archivo; null si no la dijo."},
    )
    time_unit_text = fields.String(
        required=True, metadata={"description": "La unidad tal como la escribió el archivo."}
    )
    unreported_as = Unreported()
    figures = fields.List(
        fields.Nested(ProcedureFiguresSchema),
        required=True,
        metadata={"description": "Por año, del más antiguo al más reciente."},
    )


class CycleTargetsSchema(Schema):
    cycle = fields.Integer(
        required=True, attribute="cycle.year", metadata={"description": "Año del ciclo."}
    )
    complaints_answered_pct = _decimal("Meta del plan: % de reclamos respondidos.")
    complaints_late_pct = _decimal("Meta: % de reclamos respondidos en más de 20 días hábiles.")
    complaints_mean_days = _decimal("Meta: tiempo promedio de respuesta de reclamos.")
    saip_answered_pct = _decimal("Meta del plan: % de SAIP respondidas.")
    saip_late_pct = _decimal("Meta: % de SAIP respondidas en más de 20 días hábiles.")
    saip_mean_days = _decimal("Meta: tiempo promedio de respuesta de SAIP.")
    unreported_as = Unreported()


class IndicatorHistorySchema(Schema):
    institution = fields.Nested(InstitutionRefSchema, required=True)
    complaints = fields.List(
        fields.Nested(ResponseFiguresSchema),
        required=True,
        attribute="history.complaints",
        metadata={"description": "Reclamos, por año."},
    )
    saip = fields.List(
        fields.Nested(SaipFiguresSchema),
        required=True,
        attribute="history.saip",
        metadata={"description": "Solicitudes de acceso a información pública, por año."},
    )
    procedures = fields.List(
        fields.Nested(ProcedureHistorySchema),
        required=True,
        attribute="history.procedures",
        metadata={
            "description": "Trámites y servicios relevantes, en el orden en que se importaron."
        },
    )
    targets = fields.List(
        fields.Nested(CycleTargetsSchema),
        required=True,
        attribute="history.targets",
        metadata={
            "description": "Metas importadas (plan_*_meta) de cada ciclo, por año del ciclo; "
            "`year` no las filtra."
        },
    )
