"""What a gap diagnostic asks, section by section.

Field names of the indicator sections are those of the history tables
(:mod:`pmg.indicators.models`), so the same code reads figures from either.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pmg.core.models import LabelledEnum
from pmg.indicators.figures import (
    Derived,
    complaint_percentages,
    procedure_percentages,
    saip_percentages,
)
from pmg.indicators.models import Justification, TimeUnit
from pmg.institutions.models import Institution, Stage
from pmg.submissions.content import FieldKind, FieldSpec, InstitutionProfile, SectionSpec

COUNT, DECIMAL, PERCENT = FieldKind.COUNT, FieldKind.DECIMAL, FieldKind.PERCENT
TEXT, LONG_TEXT, CHOICE = FieldKind.TEXT, FieldKind.LONG_TEXT, FieldKind.CHOICE
EMAIL = FieldKind.EMAIL
DAYS_HINT = "En días hábiles. Use coma para decimales."
# A gap names a procedure as the procedure section does.
PROCEDURE_NAME_LENGTH = 300


class ChannelKind(LabelledEnum):
    IN_PERSON = ("presencial", "Presencial")
    PHONE = ("telefonico", "Telefónico")
    WEB = ("web", "Sitio web o plataforma digital")
    EMAIL = ("correo", "Correo electrónico")
    SOCIAL = ("redes_sociales", "Redes sociales")
    OTHER = ("otro", "Otro")


class GapDimension(LabelledEnum):
    COMPLAINTS = ("reclamos", "Reclamos")
    SAIP = ("saip", "Solicitudes de acceso a información pública (SAIP)")
    PROCEDURE = ("tramite", "Trámite o servicio relevante")
    CHANNEL = ("canal", "Canal de atención")
    SATISFACTION = ("satisfaccion", "Satisfacción usuaria")
    OTHER = ("otra", "Otra")


class Priority(LabelledEnum):
    HIGH = ("alta", "Alta")
    MEDIUM = ("media", "Media")
    LOW = ("baja", "Baja")


def _not_saip_stage(institution: InstitutionProfile) -> bool:
    return institution.stage is not Stage.SAIP


def _commits_mesu(institution: InstitutionProfile) -> bool:
    return _not_saip_stage(institution) and institution.mesu.commits


def _times(unit_hint: str) -> tuple[FieldSpec, ...]:
    return (
        FieldSpec("mean_days", "Tiempo promedio de respuesta", DECIMAL, hint=unit_hint),
        FieldSpec("median_days", "Tiempo mediano de respuesta", DECIMAL, hint=unit_hint),
        FieldSpec("min_days", "Tiempo mínimo de respuesta", DECIMAL, hint=unit_hint),
        FieldSpec("max_days", "Tiempo máximo de respuesta", DECIMAL, hint=unit_hint),
    )


RESPONSIBLE = SectionSpec(
    key="responsible",
    title="Responsable y equipo de trabajo",
    intro="La persona responsable del sistema en la institución y su equipo.",
    fields=(
        FieldSpec("name", "Nombre de la persona responsable", TEXT, max_length=200),
        FieldSpec("position", "Cargo", TEXT, max_length=200),
        FieldSpec("email", "Correo electrónico", EMAIL, max_length=254),
        FieldSpec(
            "team",
            "Equipo de trabajo",
            LONG_TEXT,
            hint="Nombre y unidad de cada integrante, uno por línea.",
        ),
    ),
)

COMPLAINTS = SectionSpec(
    key="complaints",
    title="Reclamos",
    intro="Reclamos del año de referencia. Los años anteriores vienen del historial.",
    applies=_not_saip_stage,
    fields=(
        FieldSpec("received", "Reclamos recibidos en el año", COUNT),
        FieldSpec("answered", "Reclamos respondidos en el año", COUNT),
        *_times(DAYS_HINT),
        FieldSpec(
            "answered_over_20", "Reclamos respondidos en más de 20 días hábiles", COUNT
        ),
        FieldSpec("analysis", "Análisis de los resultados", LONG_TEXT, required=False),
    ),
)

SAIP = SectionSpec(
    key="saip",
    title="Solicitudes de acceso a información pública (SAIP)",
    intro="Solicitudes de la Ley 20.285 del año de referencia.",
    fields=(
        FieldSpec("received", "Solicitudes recibidas en el año", COUNT),
        FieldSpec("answered", "Solicitudes respondidas en el año", COUNT),
        *_times(DAYS_HINT),
        FieldSpec("answered_within_10", "Respondidas en 10 días hábiles o menos", COUNT),
        FieldSpec("answered_within_15", "Respondidas en 15 días hábiles o menos", COUNT),
        FieldSpec("answered_within_20", "Respondidas en 20 días hábiles o menos", COUNT),
        FieldSpec("answered_over_20", "Respondidas en más de 20 días hábiles", COUNT),
        FieldSpec("analysis", "Análisis de los resultados", LONG_TEXT, required=False),
    ),
)

PROCEDURE_TIME_HINT = "En la unidad de tiempo indicada. Use coma para decimales."
PROCEDURES = SectionSpec(
    key="procedures",
    title="Trámites y servicios relevantes",
    intro="Los trámites o servicios relevantes de la institución y sus tiempos de gestión.",
    repeated=True,
    row_label="Trámite",
    min_rows=1,
    max_rows=20,
    applies=_not_saip_stage,
    fields=(
        # A row's stable id: what was pre-filled from the official files is kept by it (see
        # pmg.submissions.prefill). Rows saved before it existed have none.
        FieldSpec("key", "Identificador", FieldKind.KEY, required=False),
        FieldSpec("name", "Nombre del trámite o servicio", TEXT, max_length=PROCEDURE_NAME_LENGTH),
        FieldSpec("justification", "Justificación de la selección", CHOICE, choices=Justification),
        FieldSpec(
            "other_reason",
            "Otra razón de la selección",
            LONG_TEXT,
            required=False,
            max_length=500,
            hint="Solo si eligió «Otra razón».",
        ),
        FieldSpec("start_milestone", "Hito de inicio", LONG_TEXT, max_length=500),
        FieldSpec("end_milestone", "Hito final", LONG_TEXT, max_length=500),
        FieldSpec("expected_time", "Tiempo esperado de gestión", DECIMAL),
        FieldSpec("time_unit", "Unidad de tiempo", CHOICE, choices=TimeUnit),
        FieldSpec("mean", "Tiempo promedio", DECIMAL, hint=PROCEDURE_TIME_HINT),
        FieldSpec("median", "Tiempo mediano", DECIMAL, hint=PROCEDURE_TIME_HINT),
        FieldSpec("minimum", "Tiempo mínimo", DECIMAL, hint=PROCEDURE_TIME_HINT),
        FieldSpec("maximum", "Tiempo máximo", DECIMAL, hint=PROCEDURE_TIME_HINT),
        FieldSpec(
            "handled_late", "Transacciones gestionadas en un plazo mayor al esperado", COUNT
        ),
        FieldSpec("handled", "Transacciones gestionadas en el año", COUNT),
    ),
)

CHANNELS = SectionSpec(
    key="channels",
    title="Canales de atención",
    intro="Los canales por los que la institución atiende a las personas y su volumen anual.",
    repeated=True,
    row_label="Canal",
    min_rows=1,
    max_rows=12,
    applies=_not_saip_stage,
    fields=(
        FieldSpec("kind", "Tipo de canal", CHOICE, choices=ChannelKind),
        FieldSpec("description", "Descripción", TEXT, max_length=300),
        FieldSpec("volume", "Atenciones en el año", COUNT),
    ),
)

SATISFACTION = SectionSpec(
    key="satisfaction",
    title="Satisfacción usuaria (MESU)",
    intro="Resultados de la medición de satisfacción usuaria por canal.",
    repeated=True,
    row_label="Resultado",
    min_rows=1,
    max_rows=12,
    applies=_commits_mesu,
    fields=(
        FieldSpec("channel", "Canal", CHOICE, choices=ChannelKind),
        FieldSpec("respondents", "Personas encuestadas", COUNT),
        FieldSpec(
            "satisfied_pct", "Personas satisfechas (%)", PERCENT, hint="Entre 0 y 100."
        ),
        FieldSpec("analysis", "Análisis del resultado", LONG_TEXT, max_length=1000),
    ),
)

GAPS = SectionSpec(
    key="gaps",
    title="Brechas",
    intro="Las brechas que muestran los indicadores, con sus causas y prioridad.",
    repeated=True,
    row_label="Brecha",
    min_rows=1,
    max_rows=20,
    fields=(
        # Plan actions refer to a gap by this id, so removing or reordering gaps moves no
        # reference (see pmg.plans.rules.gap_id).
        FieldSpec("key", "Identificador", FieldKind.KEY, required=False),
        FieldSpec("dimension", "Dimensión", CHOICE, choices=GapDimension),
        FieldSpec(
            "procedure",
            "Trámite al que se refiere",
            TEXT,
            required=False,
            max_length=PROCEDURE_NAME_LENGTH,
            hint="Solo si la dimensión es un trámite: su nombre, como en la sección de trámites.",
        ),
        FieldSpec("description", "Descripción de la brecha", LONG_TEXT, max_length=1000),
        FieldSpec("current_value", "Valor actual", TEXT, max_length=200),
        FieldSpec("expected_value", "Valor esperado", TEXT, max_length=200),
        FieldSpec("causes", "Causas", LONG_TEXT, max_length=1000),
        FieldSpec("priority", "Prioridad", CHOICE, choices=Priority),
    ),
)

# The percentages each indicator section derives from its figures, as the exports write them.
PERCENTAGES: dict[str, Callable[[Any], Derived]] = {
    COMPLAINTS.key: complaint_percentages,
    SAIP.key: saip_percentages,
    PROCEDURES.key: procedure_percentages,
}

SECTIONS: tuple[SectionSpec, ...] = (
    RESPONSIBLE,
    COMPLAINTS,
    SAIP,
    PROCEDURES,
    CHANNELS,
    SATISFACTION,
    GAPS,
)


def sections_for(institution: Institution) -> tuple[SectionSpec, ...]:
    """The sections this institution's stage and MESU commitment ask for."""
    return tuple(section for section in SECTIONS if section.applies(institution))
