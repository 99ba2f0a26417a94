"""What an improvement plan asks, section by section.

Target fields are named like :class:`pmg.indicators.models.CycleTargets`, so the
consolidated export reads a plan's targets and imported ones alike.
"""

from __future__ import annotations

from pmg.diagnostics.schema import PROCEDURES
from pmg.institutions.models import Institution, Stage
from pmg.submissions.content import FieldKind, FieldSpec, InstitutionProfile, SectionSpec

TEXT, LONG_TEXT, DATE = FieldKind.TEXT, FieldKind.LONG_TEXT, FieldKind.DATE
DECIMAL, PERCENT = FieldKind.DECIMAL, FieldKind.PERCENT


def _not_saip_stage(institution: InstitutionProfile) -> bool:
    return institution.stage is not Stage.SAIP


ACTIONS = SectionSpec(
    key="actions",
    title="Acciones de mejora",
    intro="Las acciones que cierran las brechas priorizadas del diagnóstico.",
    repeated=True,
    row_label="Acción",
    min_rows=1,
    max_rows=30,
    fields=(
        FieldSpec("key", "Identificador", FieldKind.KEY, required=False),
        FieldSpec("description", "Descripción de la acción", LONG_TEXT, max_length=1000),
        FieldSpec(
            "gaps",
            "Brechas que aborda",
            FieldKind.REFERENCES,
            hint="Una o más brechas del diagnóstico enviado.",
        ),
        FieldSpec("owner_unit", "Unidad responsable", TEXT, max_length=200),
        FieldSpec("owner_person", "Persona responsable", TEXT, max_length=200),
        FieldSpec("start_date", "Fecha de inicio", DATE),
        FieldSpec("end_date", "Fecha de término", DATE),
        FieldSpec("indicator", "Indicador", TEXT, max_length=300),
        FieldSpec("target_value", "Meta", DECIMAL, hint="Un número. Use coma para decimales."),
        FieldSpec(
            "target_unit",
            "Unidad de la meta",
            TEXT,
            max_length=60,
            hint="Por ejemplo: %, días hábiles, funcionarios capacitados.",
        ),
        FieldSpec("verification", "Medios de verificación", LONG_TEXT, max_length=1000),
    ),
)

COMPLAINT_TARGETS = SectionSpec(
    key="complaint_targets",
    title="Metas de reclamos",
    intro="Metas del ciclo para los indicadores de reclamos.",
    applies=_not_saip_stage,
    fields=(
        FieldSpec("complaints_answered_pct", "% de reclamos respondidos", PERCENT, required=False),
        FieldSpec(
            "complaints_late_pct",
            "% de reclamos respondidos en más de 20 días hábiles",
            PERCENT,
            required=False,
        ),
        FieldSpec(
            "complaints_mean_days",
            "Tiempo promedio de respuesta (días hábiles)",
            DECIMAL,
            required=False,
        ),
    ),
)

SAIP_TARGETS = SectionSpec(
    key="saip_targets",
    title="Metas de solicitudes de acceso a información pública (SAIP)",
    intro="Metas del ciclo para los indicadores de SAIP.",
    fields=(
        FieldSpec("saip_answered_pct", "% de solicitudes respondidas", PERCENT, required=False),
        FieldSpec(
            "saip_late_pct",
            "% de solicitudes respondidas en más de 20 días hábiles",
            PERCENT,
            required=False,
        ),
        FieldSpec(
            "saip_mean_days",
            "Tiempo promedio de respuesta (días hábiles)",
            DECIMAL,
            required=False,
        ),
    ),
)

PROCEDURE_TARGETS = SectionSpec(
    key="procedure_targets",
    title="Metas de trámites relevantes",
    intro="Para cada trámite del diagnóstico, la meta de transacciones gestionadas dentro del "
    "tiempo esperado.",
    repeated=True,
    row_label="Trámite",
    # One row per procedure of the diagnostic.
    max_rows=PROCEDURES.max_rows,
    applies=_not_saip_stage,
    fields=(
        FieldSpec("procedure", "Trámite", FieldKind.KEY, required=False),
        FieldSpec(
            "on_time_pct",
            "% gestionadas dentro del tiempo esperado (meta)",
            PERCENT,
            required=False,
        ),
    ),
)

SECTIONS: tuple[SectionSpec, ...] = (ACTIONS, COMPLAINT_TARGETS, SAIP_TARGETS, PROCEDURE_TARGETS)


def sections_for(institution: Institution) -> tuple[SectionSpec, ...]:
    return tuple(section for section in SECTIONS if section.applies(institution))
