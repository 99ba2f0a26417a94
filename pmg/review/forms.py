"""The review page's form, built for the requirements and observations of one review."""

from __future__ import annotations

from typing import Any, cast

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    Form,
    RadioField,
    SearchField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from pmg.auth.models import User
from pmg.core.forms import INVALID_CHOICE, REQUIRED, LockVersionForm, date_filter
from pmg.core.routing import parse_db_int
from pmg.institutions.models import Ministry, Stage
from pmg.requirements.models import Requirement
from pmg.review.fields import observable_fields
from pmg.review.models import Decision, Observation, ObservationAction, Outcome, Review
from pmg.review.observations import MAX_TEXT, Resolutions
from pmg.review.operations import Checklist, VerdictInput, reason_problem
from pmg.review.queue import QUEUE_STATES, QueueFilters
from pmg.submissions.models import SubmissionKind, SubmissionState

TOO_LONG = f"Use como máximo {MAX_TEXT} caracteres."
RESOLUTION_CHOICES = [
    SelectChoice(ObservationAction.RESOLVE.value, "Resuelta"),
    SelectChoice(ObservationAction.REOPEN.value, "Reabrir"),
]
WHOLE_REQUIREMENT = SelectChoice("", "Todo el requisito (ningún campo en particular)")


class ReviewForm(LockVersionForm):
    note = TextAreaField(
        "Fundamento de la decisión",
        description="Obligatorio para observar o rechazar; se envía a la institución.",
        validators=[Length(max=MAX_TEXT, message=TOO_LONG)],
        render_kw={"rows": 3, "maxlength": MAX_TEXT},
    )

    def checklist(self, requirements: list[Requirement]) -> Checklist:
        return {
            r.id: VerdictInput(
                Outcome(self[f"outcome_{r.id}"].data) if self[f"outcome_{r.id}"].data else None,
                self[f"note_{r.id}"].data or "",
                self._path(r.id),
            )
            for r in requirements
        }

    def _path(self, requirement_id: int) -> str:
        """The observed field chosen; none where the requirement concerns no section."""
        name = f"path_{requirement_id}"
        return (self[name].data or "") if name in self else ""

    def resolutions(self, observations: list[Observation]) -> Resolutions:
        chosen: Resolutions = {}
        for observation in observations:
            action = self[f"resolution_{observation.id}"].data
            if action:
                note = self[f"resolution_note_{observation.id}"].data or ""
                chosen[observation.id] = (ObservationAction(action), note)
        return chosen

    def validate_for(self, decision: Decision | None, observations: list[Observation]) -> bool:
        """Whether what was sent can be saved (``None``) or decided: every field, each
        reopening's comment, and the reason a decision may need. Says why at each field."""
        valid = self.validate_on_submit()
        valid = self.check_reopenings(observations) and valid
        unreasoned = reason_problem(decision, self.note.data or "")
        if unreasoned:
            self.note.errors = [*self.note.errors, unreasoned]
            return False
        return valid

    def check_reopenings(self, observations: list[Observation]) -> bool:
        """Reopening needs a comment: say so at the field. False when one is missing."""
        fine = True
        for observation in observations:
            action = self[f"resolution_{observation.id}"].data
            comment = self[f"resolution_note_{observation.id}"]
            if action == ObservationAction.REOPEN.value and not (comment.data or "").strip():
                comment.errors = [*comment.errors, "Explique por qué reabre la observación."]
                fine = False
        return fine


def _path_field(review: Review, requirement: Requirement) -> SelectField | None:
    """Where the note of ``requirement`` points: one of the places it concerns."""
    choices = observable_fields(review.version, requirement)
    if not choices:
        return None
    return SelectField(
        f"Campo observado ({requirement.code})",
        description="Opcional: la institución verá la observación junto a ese campo.",
        choices=[
            WHOLE_REQUIREMENT,
            *(SelectChoice(c.path, c.label, optgroup=c.group) for c in choices),
        ],
        default="",
        invalid_choice_message=INVALID_CHOICE,
    )


def review_form(
    review: Review,
    observations: list[Observation],
    saved: Resolutions | None = None,
    **kwargs: Any,
) -> ReviewForm:
    """A form with one outcome, note and (where the requirement concerns sections) observed
    field per requirement and a resolution per observation, filled with what is saved unless
    the request brings other values."""
    fields: dict[str, Any] = {}
    data: dict[str, Any] = {"lock_version": str(review.submission.lock_version)}
    for observation_id, (action, note) in (saved or {}).items():
        data[f"resolution_{observation_id}"] = action.value
        data[f"resolution_note_{observation_id}"] = note
    for verdict in review.verdicts:
        rid = verdict.requirement_id
        fields[f"outcome_{rid}"] = RadioField(
            "Resultado",
            choices=Outcome.choices(),
            validators=[Optional()],
            invalid_choice_message=INVALID_CHOICE,
        )
        fields[f"note_{rid}"] = TextAreaField(
            f"Observación sobre {verdict.requirement.code}",
            description="Si escribe una, se envía a la institución al observar.",
            validators=[Length(max=MAX_TEXT, message=TOO_LONG)],
            render_kw={"rows": 2, "maxlength": MAX_TEXT},
        )
        data[f"outcome_{rid}"] = verdict.outcome.value if verdict.outcome else None
        data[f"note_{rid}"] = verdict.note
        path = _path_field(review, verdict.requirement)
        if path is not None:
            fields[f"path_{rid}"] = path
            data[f"path_{rid}"] = verdict.path
    for observation in observations:
        code = observation.requirement.code
        fields[f"resolution_{observation.id}"] = RadioField(
            f"Observación de {code} después de la corrección",
            choices=RESOLUTION_CHOICES,
            validators=[Optional()],
            invalid_choice_message=INVALID_CHOICE,
        )
        fields[f"resolution_note_{observation.id}"] = TextAreaField(
            f"Comentario sobre la observación de {code} (obligatorio para reabrir)",
            validators=[Length(max=MAX_TEXT, message=TOO_LONG)],
            render_kw={"rows": 2, "maxlength": MAX_TEXT},
        )
    form_class = cast("type[ReviewForm]", type("ReviewPageForm", (ReviewForm,), fields))
    return form_class(data=data, **kwargs)


class RejectOverdueForm(LockVersionForm):
    note = TextAreaField(
        "Fundamento del rechazo",
        validators=[InputRequired(REQUIRED), Length(max=MAX_TEXT, message=TOO_LONG)],
        description="Se envía a la institución.",
        render_kw={"rows": 2, "maxlength": MAX_TEXT},
    )


class TakeForm(LockVersionForm):
    """Only the version counter: taking needs nothing else."""


class AssignForm(LockVersionForm):
    reviewer = SelectField(
        "Revisor/a",
        coerce=str,
        validators=[InputRequired("Elija a la persona revisora.")],
        invalid_choice_message=INVALID_CHOICE,
    )

    def set_reviewers(self, reviewers: list[User]) -> None:
        self.reviewer.choices = [SelectChoice("", "Seleccione…")] + [
            SelectChoice(str(user.id), f"{user.name} ({user.email})") for user in reviewers
        ]


class BulkApproveForm(FlaskForm):
    """Each chosen box is ``<submission id>:<lock version seen>``. Sent from the queue, the
    page asks to confirm; sent again with ``confirmar``, it approves."""

    chosen = SelectMultipleField(
        "Envíos", validators=[InputRequired("Marque al menos un envío.")], validate_choice=False
    )
    confirmar = SubmitField("Aprobar")

    def selections(self) -> dict[int, int]:
        """``{submission id: lock version}`` of the boxes, in their order (the first box of
        an id counts); a value no page writes (not two numbers the database can hold) is
        left out."""
        picked: dict[int, int] = {}
        for value in self.chosen.data or []:
            ident, _, lock = str(value).partition(":")
            pair = parse_db_int(ident), parse_db_int(lock)
            if pair[0] is not None and pair[1] is not None:
                picked.setdefault(pair[0], pair[1])
        return picked


class QueueFilterForm(Form):
    """The queue's search and filters, read from the query string (a GET form: no CSRF)."""

    q = SearchField(
        "Institución", description="Nombre o código; sin distinguir mayúsculas ni tildes."
    )
    estado = SelectField("Estado", default="", invalid_choice_message=INVALID_CHOICE)
    tipo = SelectField("Tipo", default="", invalid_choice_message=INVALID_CHOICE)
    ministerio = SelectField("Ministerio", default="", invalid_choice_message=INVALID_CHOICE)
    etapa = SelectField("Etapa", default="", invalid_choice_message=INVALID_CHOICE)
    revisor = SelectField("Revisor/a", default="", invalid_choice_message=INVALID_CHOICE)
    vence_hasta = date_filter("Vence hasta")

    def __init__(
        self,
        args: MultiDict[str, str],
        ministries: list[Ministry],
        reviewers: list[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(formdata=args, **kwargs)
        every = SelectChoice("", "Todos")
        self.estado.choices = [every] + [SelectChoice(s.value, s.label) for s in QUEUE_STATES]
        self.tipo.choices = [every, *SubmissionKind.choices()]
        self.ministerio.choices = [every] + [SelectChoice(str(m.id), m.name) for m in ministries]
        self.etapa.choices = [SelectChoice("", "Todas"), *Stage.choices()]
        self.revisor.choices = [every, SelectChoice("0", "Sin asignar")] + [
            SelectChoice(str(user.id), user.name) for user in reviewers
        ]

    def filters(self) -> QueueFilters:
        """The filters that are valid; a field with an error is left out."""
        self.validate()
        valid = {name: field.data for name, field in self._fields.items() if not field.errors}
        return QueueFilters(
            search=(valid.get("q") or "").strip(),
            state=SubmissionState(valid["estado"]) if valid.get("estado") else None,
            kind=SubmissionKind(valid["tipo"]) if valid.get("tipo") else None,
            ministry_id=int(valid["ministerio"]) if valid.get("ministerio") else None,
            stage=Stage(valid["etapa"]) if valid.get("etapa") else None,
            reviewer_id=int(valid["revisor"]) if valid.get("revisor") else None,
            due_by=valid.get("vence_hasta"),
        )
