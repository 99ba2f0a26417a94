"""The request for an evidence package: a cycle and what to choose in it."""

from __future__ import annotations

from collections.abc import Sequence

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField
from wtforms.validators import InputRequired

from pmg.core.forms import REQUIRED
from pmg.cycles.models import Cycle
from pmg.institutions.models import Ministry, Stage
from pmg.packages.queries import Selection
from pmg.submissions.kinds import KINDS
from pmg.submissions.models import SubmissionKind, SubmissionState

UNKNOWN = "Elija una opción de la lista."
EVERY_VERSION = "todas"


class PackageForm(FlaskForm):
    ciclo = SelectField(
        "Ciclo", validators=[InputRequired(REQUIRED)], invalid_choice_message=UNKNOWN
    )
    ministerio = SelectField("Ministerio", default="", invalid_choice_message=UNKNOWN)
    etapa = SelectField("Etapa", default="", invalid_choice_message=UNKNOWN)
    tipo = SelectField("Tipo de envío", default="", invalid_choice_message=UNKNOWN)
    estado = SelectField("Estado del envío", default="", invalid_choice_message=UNKNOWN)
    versiones = SelectField("Versiones", default="", invalid_choice_message=UNKNOWN)

    def selection(self) -> Selection:
        """What a validated form chooses."""
        return Selection(
            cycle_year=int(self.ciclo.data),
            ministry=self.ministerio.data or None,
            stage=Stage(self.etapa.data) if self.etapa.data else None,
            kind=SubmissionKind(self.tipo.data) if self.tipo.data else None,
            state=SubmissionState(self.estado.data) if self.estado.data else None,
            all_versions=self.versiones.data == EVERY_VERSION,
        )


def package_form(
    cycles: Sequence[Cycle], ministries: Sequence[Ministry], chosen: Cycle | None
) -> PackageForm:
    """The form with its choices: the cycles (``chosen`` first selected), the ministries,
    stages, kinds and the states a sent submission can be in."""
    form = PackageForm(ciclo=str(chosen.year) if chosen else None)
    form.ciclo.choices = [
        SelectChoice(str(cycle.year), f"{cycle.year} (año de referencia {cycle.reference_year})")
        for cycle in cycles
    ]
    form.ministerio.choices = [
        SelectChoice("", "Todos"),
        *(SelectChoice(ministry.name, ministry.name) for ministry in ministries),
    ]
    form.etapa.choices = [SelectChoice("", "Todas"), *Stage.choices()]
    form.tipo.choices = [
        SelectChoice("", "Todos"),
        *(SelectChoice(spec.kind.value, spec.kind.label) for spec in KINDS.values()),
    ]
    sent = [state for state in SubmissionState if state is not SubmissionState.DRAFT]
    form.estado.choices = [
        SelectChoice("", "Todos"),
        *(SelectChoice(state.value, state.label) for state in sent),
    ]
    form.versiones.choices = [
        SelectChoice("", "La última versión de cada envío"),
        SelectChoice(EVERY_VERSION, "Todas las versiones"),
    ]
    return form
