"""The actions the trail records and their Spanish labels (objects: :mod:`pmg.audit.names`).

State changes of submissions are recorded as ``submission.<action>`` by
:func:`pmg.submissions.workflow.transition`; the package above that records such codes
registers their labels (:func:`register_action_labels`), so a new transition is labelled
without touching this file.
"""

from __future__ import annotations

from collections.abc import Mapping

from pmg.core.models import LabelledEnum

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
    EXPORT_CYCLE_REPORT = ("export.cycle_report", "Informe de avance del ciclo descargado")
    EXPORT_PACKAGE = ("export.package", "Paquete de evidencia exportado")
    REVIEW_SAVE = ("review.save", "Revisión guardada (lista de requisitos)")
    OBSERVATION_ANSWER = ("observation.answer", "Observación respondida")
    OBSERVATION_RESOLVE = ("observation.resolve", "Observación resuelta")
    OBSERVATION_REOPEN = ("observation.reopen", "Observación reabierta")


# Codes recorded by packages above this one, with their labels, in registration order.
_REGISTERED: dict[str, str] = {}


def register_action_labels(labels: Mapping[str, str]) -> None:
    """Label action codes that a higher package records (``submission.submit``)."""
    _REGISTERED.update(labels)


def action_label(code: str) -> str:
    """The Spanish label of an action code; the code itself when it is not known."""
    if code in AuditAction._value2member_map_:
        return AuditAction(code).label
    return _REGISTERED.get(code, code)


def known_actions() -> list[str]:
    """Every action code this version of the application can record."""
    return [action.value for action in AuditAction] + list(_REGISTERED)
