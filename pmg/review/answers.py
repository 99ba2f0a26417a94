"""The coordinator's answers to observations, typed on the submission's form page.

The answer boxes belong to the content form, so saving the form keeps every answer typed
on the page, and the «Guardar respuesta» button of one answer keeps the others too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pmg.auth.models import User
from pmg.core.errors import DomainError
from pmg.core.forms import as_typed
from pmg.core.routing import parse_db_int
from pmg.review.models import ObservationState
from pmg.review.observations import answer_observation
from pmg.review.queries import PENDING_ANSWER, observations_of
from pmg.submissions.models import Submission, SubmissionState

# The name of the answer box of observation ``n`` is ``respuesta-n`` (also its id).
ANSWER_FIELD = "respuesta-"
ANSWERABLE = PENDING_ANSWER | {ObservationState.ANSWERED}
EMPTY_ANSWER = "Escriba la respuesta: qué corrigió y en qué sección."


def typed_answers(formdata: Mapping[str, str]) -> dict[int, str]:
    """The answers in a form's data, by observation id, exactly as typed."""
    answers: dict[int, str] = {}
    for name in formdata:
        number = parse_db_int(name.removeprefix(ANSWER_FIELD))
        if name.startswith(ANSWER_FIELD) and number is not None:
            answers[number] = formdata[name]
    return answers


@dataclass
class AnswersSaved:
    """The requirement codes of the observations answered now, and the problems by
    observation id (to be shown at each box)."""

    answered: list[str] = field(default_factory=list)
    problems: dict[int, str] = field(default_factory=dict)


def answer_observations(
    submission: Submission, answers: dict[int, str], actor: User, *, required: str | None = None
) -> AnswersSaved:
    """Keep each typed answer that differs from the observation's last one.

    An empty box is left alone, unless it is the ``required`` one (its own «Guardar
    respuesta» button was pressed). The answers without a problem are kept.
    """
    saved = AnswersSaved()
    if submission.state is not SubmissionState.OBSERVED or not answers:
        return saved
    for observation in observations_of(submission):
        typed = answers.get(observation.id)
        if typed is None or observation.state not in ANSWERABLE:
            continue
        if not typed.strip():
            if str(observation.id) == required:
                saved.problems[observation.id] = EMPTY_ANSWER
            continue
        if as_typed(typed) == observation.answer:
            continue
        try:
            answer_observation(observation, typed, actor)
        except DomainError as refused:
            saved.problems[observation.id] = refused.message
        else:
            saved.answered.append(observation.requirement.code)
    return saved
