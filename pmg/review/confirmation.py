"""What a decision will do, said before it is taken: the page asks to confirm it.

The confirmation comes back with its :attr:`~Confirmation.digest`: a decision is taken as
confirmed only if it would still do what the reviewer was told (nothing edited since
changes it); otherwise the page says it again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from pmg.core.filters import format_date
from pmg.review.models import Decision, ObservationAction, Outcome, Review
from pmg.review.observations import Resolutions
from pmg.review.operations import Checklist, VerdictInput, proposed_verdicts

FINAL = "Esta decisión no se puede deshacer."
TITLES = {
    Decision.OBSERVE: ("Confirme el envío de las observaciones", "Confirmar observaciones"),
    Decision.APPROVE: ("Confirme la aprobación", "Confirmar aprobación"),
    Decision.REJECT: ("Confirme el rechazo", "Confirmar rechazo"),
}


@dataclass(frozen=True)
class Confirmation:
    decision: Decision
    title: str
    consequences: tuple[str, ...]
    button: str
    note: str  # the reason sent to the institution
    # Confirmed once with other answers: what it does changed since.
    again: bool = False

    @property
    def digest(self) -> str:
        """What the reviewer is asked to confirm, as one short text to compare."""
        said = "\n".join((self.decision.value, *self.consequences, self.note.strip()))
        return hashlib.sha256(said.encode()).hexdigest()[:20]


def _plural(count: int, one: str, many: str) -> str:
    """``one`` for a single one, else ``many`` with its ``{n}``."""
    return one if count == 1 else many.format(n=count)


def _given(review: Review, checklist: Checklist) -> list[tuple[str, VerdictInput]]:
    return [(v.requirement.code, given) for v, given in proposed_verdicts(review, checklist)]


def confirmation(
    review: Review,
    decision: Decision,
    checklist: Checklist,
    resolutions: Resolutions,
    note: str = "",
) -> Confirmation:
    """What ``decision`` will do with these answers, once found possible (and with the
    resolutions it would apply: see :func:`~pmg.review.operations.check_decision`): to whom
    it goes, what the institution must do, and that it is final."""
    submission = review.submission
    what = f"el {submission.kind.label.lower()} de {submission.institution.name}"
    given = _given(review, checklist)
    actions = [action for action, _ in resolutions.values()]
    if decision is Decision.OBSERVE:
        noted = [code for code, verdict in given if verdict.note.strip()]
        reopened = actions.count(ObservationAction.REOPEN)
        lines = [f"Se devolverá {what} con observaciones."]
        if noted:
            sent = _plural(
                len(noted), "Se enviará 1 observación nueva", "Se enviarán {n} observaciones nuevas"
            )
            lines.append(f"{sent}: {', '.join(noted)}.")
        if reopened:
            lines.append(
                _plural(
                    reopened,
                    "Se reabrirá 1 observación anterior.",
                    "Se reabrirán {n} observaciones anteriores.",
                )
            )
        due = format_date(submission.cycle.correction_end)
        lines.append(
            "La institución recibirá un correo y deberá responder cada observación, corregir "
            f"y reenviar a más tardar el {due}."
        )
    elif decision is Decision.APPROVE:
        lines = [f"Se aprobará {what}.", "La institución recibirá un correo con la decisión."]
    else:
        failing = [code for code, verdict in given if verdict.outcome is Outcome.FAILS]
        lines = [
            f"Se rechazará {what}: no cumple {', '.join(failing)}.",
            "La institución recibirá un correo con el fundamento del rechazo.",
        ]
    resolved = actions.count(ObservationAction.RESOLVE)
    if resolved:
        lines.append(
            _plural(
                resolved,
                "Se dará por resuelta 1 observación anterior.",
                "Se darán por resueltas {n} observaciones anteriores.",
            )
        )
    title, button = TITLES[decision]
    return Confirmation(decision, title, (*lines, FINAL), button, note)
