"""The review page's form, built for the requirements and observations of one review."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    DateField,
    Form,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional

from pmg.auth.models import User
from pmg.core.forms import INVALID_CHOICE, REQUIRED
from pmg.institutions.models import Ministry, Stage
from pmg.requirements.models import Requirement
from pmg.review.models import Observation, ObservationAction, Outcome, Review
from pmg.review.operations import Checklist, Resolutions, VerdictInput
from pmg.review.queries import QUEUE_STATES, QueueFilters
from pmg.submissions.models import SubmissionKind, SubmissionState

RESOLUTION_CHOICES = [
    SelectChoice(ObservationAction.RESOLVE.value, "Resuelta"),
    SelectChoice(ObservationAction.REOPEN.value, "Reabrir"),
]


class ReviewForm(FlaskForm):
    lock_version = HiddenField()
    note = TextAreaField(
        "Fundamento de la decisión",
        description="Obligatorio para observar o rechazar; se envía a la institución.",
        render_kw={"rows": 3},
    )

    def checklist(self, requirements: list[Requirement]) -> Checklist:
        return {
            r.id: VerdictInput(
                Outcome(self[f"outcome_{r.id}"].data) if self[f"outcome_{r.id}"].data else None,
                self[f"note_{r.id}"].data or "",
            )
            for r in requirements
        }

    def resolutions(self, observations: list[Observation]) -> Resolutions:
        chosen: Resolutions = {}
        for observation in observations:
            action = self[f"resolution_{observation.id}"].data
            if action:
                note = self[f"resolution_note_{observation.id}"].data or ""
                chosen[observation.id] = (ObservationAction(action), note)
        return chosen

    @property
    def seen_lock_version(self) -> int | None:
        value = self.lock_version.data or ""
        return int(value) if value.isdigit() else None


def review_form(review: Review, observations: list[Observation], **kwargs: Any) -> ReviewForm:
    """A form with one outcome and note per requirement and a resolution per observation,
    filled with what is saved unless the request brings other values."""
    fields: dict[str, Any] = {}
    data: dict[str, Any] = {"lock_version": str(review.submission.lock_version)}
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
            render_kw={"rows": 2},
        )
        data[f"outcome_{rid}"] = verdict.outcome.value if verdict.outcome else None
        data[f"note_{rid}"] = verdict.note
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
            render_kw={"rows": 2},
        )
    form_class = type("ReviewPageForm", (ReviewForm,), fields)
    return form_class(data=data, **kwargs)


class AnswerForm(FlaskForm):
    answer = TextAreaField(
        "Respuesta",
        validators=[InputRequired(REQUIRED)],
        description="Qué corrigió y dónde, o por qué considera que no corresponde.",
        render_kw={"rows": 3},
    )


class TakeForm(FlaskForm):
    lock_version = HiddenField()


class AssignForm(FlaskForm):
    lock_version = HiddenField()
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
    """Each chosen box is ``<submission id>:<lock version seen>``."""

    chosen = SelectMultipleField(
        "Envíos", validators=[InputRequired("Marque al menos un envío.")], validate_choice=False
    )

    def selections(self) -> list[tuple[int, int]]:
        picked = []
        for value in self.chosen.data or []:
            ident, _, lock = str(value).partition(":")
            if ident.isdigit() and lock.isdigit():
                picked.append((int(ident), int(lock)))
        return picked


INVALID_DATE = "Escriba una fecha válida como año-mes-día, por ejemplo 2026-03-31."


class QueueFilterForm(Form):
    """The queue's filters, read from the query string (a GET form: no CSRF)."""

    estado = SelectField("Estado", default="", invalid_choice_message=INVALID_CHOICE)
    tipo = SelectField("Tipo", default="", invalid_choice_message=INVALID_CHOICE)
    ministerio = SelectField("Ministerio", default="", invalid_choice_message=INVALID_CHOICE)
    etapa = SelectField("Etapa", default="", invalid_choice_message=INVALID_CHOICE)
    revisor = SelectField("Revisor/a", default="", invalid_choice_message=INVALID_CHOICE)
    vence_hasta = DateField(
        "Vence hasta", validators=[Optional()], invalid_value_message=INVALID_DATE
    )

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
            state=SubmissionState(valid["estado"]) if valid.get("estado") else None,
            kind=SubmissionKind(valid["tipo"]) if valid.get("tipo") else None,
            ministry_id=int(valid["ministerio"]) if valid.get("ministerio") else None,
            stage=Stage(valid["etapa"]) if valid.get("etapa") else None,
            reviewer_id=int(valid["revisor"]) if valid.get("revisor") else None,
            due_by=valid.get("vence_hasta"),
        )
