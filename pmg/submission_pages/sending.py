"""Whether a submission can be sent now and, when it can, what sending it will do: what the
check page and the confirmation page say before anything is sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pmg.auth.models import User
from pmg.review.queries import unanswered_observations
from pmg.submissions import operations
from pmg.submissions.evaluation import Evaluation
from pmg.submissions.kinds import KindSpec
from pmg.submissions.models import Submission, SubmissionState
from pmg.submissions.permissions import can_edit


@dataclass(frozen=True)
class Blocker:
    """Why the submission cannot be sent now, and where on the form to go about it."""

    message: str
    anchor: str = ""
    link_text: str = ""


def blocker(
    user: User, submission: Submission, evaluation: Evaluation, today: date
) -> Blocker | None:
    """What stops ``user`` from sending ``submission`` today, in the order to deal with it."""
    if not can_edit(user, submission):
        return Blocker(f"Este envío ya no se puede modificar (estado: {submission.state.label}).")
    problem = operations.deadline_problem(submission, today)
    if problem:
        return Blocker(problem)
    if evaluation.errors:
        return Blocker("Corrija los errores para poder enviar.")
    unanswered = len(unanswered_observations(submission))
    if unanswered:
        return Blocker(
            "Responda cada observación de la revisión antes de reenviar "
            f"(falta{'n' if unanswered > 1 else ''} {unanswered}).",
            "observaciones",
            "Ir a las observaciones",
        )
    return None


def consequences(kind: KindSpec, submission: Submission, evaluation: Evaluation) -> list[str]:
    """What sending will do, in the order it matters to the person about to confirm."""
    number = len(submission.versions) + 1
    what = kind.kind.label.lower()
    said = [
        f"Se enviará la versión {number} del {what} de {submission.institution.name} a la "
        "Secretaría de Modernización del Estado para su revisión.",
        "No podrá editarlo mientras esté en revisión: la versión queda fija, se identifica "
        "con un código SHA-256 y se puede descargar en PDF.",
    ]
    if submission.state is SubmissionState.OBSERVED:
        said.append("Se envían también sus respuestas a las observaciones de la revisión.")
    files = len(submission.evidence)
    if files:
        plural = "s" if files > 1 else ""
        said.append(f"Incluye {files} medio{plural} de verificación adjunto{plural}.")
    else:
        said.append("No incluye medios de verificación adjuntos.")
    warnings = len(evaluation.warnings)
    if warnings == 1:
        said.append("Tiene 1 advertencia: no impide el envío y la Secretaría la verá.")
    elif warnings:
        said.append(f"Tiene {warnings} advertencias: no impiden el envío y la Secretaría las verá.")
    said.append(
        "Se le avisará por correo cuando la Secretaría decida: si deja observaciones, podrá "
        "corregirlo y reenviarlo dentro del plazo que indique."
    )
    return said
