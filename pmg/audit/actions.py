"""The actions the trail records and their Spanish labels (objects: :mod:`pmg.audit.names`).

State changes of submissions are recorded as ``submission.<action>`` by
:func:`pmg.submissions.workflow.transition`; their labels come from its ``Action``
enum, so a new transition is labelled without touching this file.
"""

from __future__ import annotations

from pmg.core.models import LabelledEnum
from pmg.submissions.workflow import Action as SubmissionAction

SUBMISSION_PREFIX = "submission."


class AuditAction(LabelledEnum):
    LOGIN = ("auth.login", "Inicio de sesión")
    LOGIN_FAILED = ("auth.login_failed", "Inicio de sesión fallido")
    LOGOUT = ("auth.logout", "Cierre de sesión")
    USER_CREATE = ("user.create", "Cuenta creada")
    USER_UPDATE = ("user.update", "Cuenta modificada")
    USER_ENABLE = ("user.enable", "Cuenta habilitada")
    USER_DISABLE = ("user.disable", "Cuenta deshabilitada")
    USER_PASSWORD_SET = ("user.password_set", "Contraseña asignada")
    INSTITUTION_UPDATE = ("institution.update", "Institución modificada")
    CATALOG_IMPORT = ("catalog.import", "Catálogo de instituciones importado")
    INDICATORS_IMPORT = ("indicators.import", "Indicadores importados")
    CYCLE_CREATE = ("cycle.create", "Ciclo creado")
    CYCLE_UPDATE = ("cycle.update", "Ciclo modificado")
    CYCLE_MAKE_CURRENT = ("cycle.make_current", "Ciclo marcado como vigente")
    REQUIREMENTS_LOAD = ("requirements.load", "Catálogo de requisitos cargado")
    REQUIREMENTS_REPLACE = ("requirements.replace", "Catálogo de requisitos reemplazado")
    EVIDENCE_ATTACH = ("evidence.attach", "Archivo de evidencia adjuntado")
    EVIDENCE_REMOVE = ("evidence.remove", "Archivo de evidencia eliminado")
    EVIDENCE_DOWNLOAD = ("evidence.download", "Archivo de evidencia descargado")
    EXPORT_CONSOLIDATED = ("export.consolidated", "Consolidado Excel exportado")
    EXPORT_VERSION_PDF = ("export.version_pdf", "PDF de una versión descargado")
    EXPORT_AUDIT = ("export.audit", "Registro de auditoría exportado")
    REVIEW_SAVE = ("review.save", "Revisión guardada (lista de requisitos)")
    OBSERVATION_ANSWER = ("observation.answer", "Observación respondida")
    OBSERVATION_RESOLVE = ("observation.resolve", "Observación resuelta")
    OBSERVATION_REOPEN = ("observation.reopen", "Observación reabierta")


SUBMISSION_LABELS = {
    SubmissionAction.SUBMIT.value: "Envío presentado",
    SubmissionAction.TAKE.value: "Envío tomado para revisión",
    SubmissionAction.ASSIGN.value: "Envío asignado a revisor/a",
    SubmissionAction.OBSERVE.value: "Envío observado",
    SubmissionAction.RESUBMIT.value: "Envío corregido y reenviado",
    SubmissionAction.APPROVE.value: "Envío aprobado",
    SubmissionAction.REJECT.value: "Envío rechazado",
}


def action_label(code: str) -> str:
    """The Spanish label of an action code; the code itself when it is not known."""
    if code in AuditAction._value2member_map_:
        return AuditAction(code).label
    if code.startswith(SUBMISSION_PREFIX):
        value = code.removeprefix(SUBMISSION_PREFIX)
        if value in SUBMISSION_LABELS:
            return SUBMISSION_LABELS[value]
        if value in SubmissionAction._value2member_map_:
            return f"Envío: {SubmissionAction(value).label}"
    return code


def known_actions() -> list[str]:
    """Every action code this version of the application can record."""
    return [action.value for action in AuditAction] + [
        f"{SUBMISSION_PREFIX}{action.value}" for action in SubmissionAction
    ]

