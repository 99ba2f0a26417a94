from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, Field, IntegerField
from wtforms.validators import InputRequired, Optional

from pmg.core.forms import INVALID_DATE, REQUIRED
from pmg.cycles.models import WindowKind
from pmg.cycles.operations import EXECUTION_FIELDS, Problem, end_field, start_field

INVALID_YEAR = "Escriba un año de cuatro cifras, por ejemplo 2026."
EXECUTION_LEGEND = "Ejecución del plan de mejora"


def _date(label: str) -> DateField:
    return DateField(
        label, validators=[InputRequired(REQUIRED)], invalid_value_message=INVALID_DATE
    )


class CycleForm(FlaskForm):
    year = IntegerField(
        "Año del ciclo",
        validators=[InputRequired(REQUIRED)],
        invalid_value_message=INVALID_YEAR,
    )
    reference_year = IntegerField(
        "Año de referencia",
        description=(
            "El año cuyos datos informan las instituciones. "
            "Si lo deja en blanco, se usa el año anterior al del ciclo."
        ),
        validators=[Optional()],
        invalid_value_message=INVALID_YEAR,
    )
    diagnostic_start = _date("Fecha de inicio")
    diagnostic_end = _date("Fecha de término")
    plan_start = _date("Fecha de inicio")
    plan_end = _date("Fecha de término")
    review_start = _date("Fecha de inicio")
    review_end = _date("Fecha de término")
    correction_start = _date("Fecha de inicio")
    correction_end = _date("Fecha de término")
    close_start = _date("Fecha de inicio")
    close_end = _date("Fecha de término")
    execution_start = _date("Fecha de inicio")
    execution_end = _date("Fecha de término")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.general_errors: list[str] = []

    def window_fields(self) -> list[tuple[WindowKind, Field, Field]]:
        return [(kind, self[start_field(kind)], self[end_field(kind)]) for kind in WindowKind]

    def windows(self) -> dict[WindowKind, tuple[date, date]]:
        return {kind: (start.data, end.data) for kind, start, end in self.window_fields()}

    def execution(self) -> tuple[date, date]:
        """The period in which the improvement plan's actions take place."""
        return self.execution_start.data, self.execution_end.data

    def show_problems(self, problems: list[Problem]) -> None:
        """Put each problem an operation reported beside the field it concerns."""
        for problem in problems:
            if problem.field is not None and problem.field in self:
                field = self[problem.field]
                field.errors = [*field.errors, problem.message]
            else:
                self.general_errors.append(str(problem))

    def error_items(self) -> list[tuple[str | None, str]]:
        """``(field id, text)`` for the error summary; window fields name their window."""
        groups = {
            field.name: kind.label for kind, *fields in self.window_fields() for field in fields
        }
        groups.update({name: EXECUTION_LEGEND for name in EXECUTION_FIELDS})
        items: list[tuple[str | None, str]] = [(None, message) for message in self.general_errors]
        for field in self:
            if not field.errors:
                continue
            group = groups.get(field.name)
            label = f"{group}, {field.label.text.lower()}" if group else field.label.text
            items.append((field.id, f"{label}: {' '.join(field.errors)}"))
        return items


class NewCycleForm(CycleForm):
    make_current = BooleanField(
        "Marcar como ciclo vigente",
        description="Si aún no hay un ciclo vigente, el nuevo ciclo queda vigente de todos modos.",
    )
