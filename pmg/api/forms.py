"""A new API token: its name and for how many days it works."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange

from pmg.api.operations import DEFAULT_DAYS, MAX_DAYS, MAX_NAME, MIN_DAYS
from pmg.core.forms import REQUIRED

DAYS_RANGE = f"Escriba un número de días entre {MIN_DAYS} y {MAX_DAYS}."


class NewTokenForm(FlaskForm):
    name = StringField(
        "Nombre del token",
        validators=[
            InputRequired(REQUIRED),
            Length(max=MAX_NAME, message=f"Use hasta {MAX_NAME} caracteres."),
        ],
        description="Para reconocerlo en la lista, por ejemplo «Planilla de seguimiento».",
    )
    days = IntegerField(
        "Vigencia (días)",
        default=DEFAULT_DAYS,
        invalid_value_message=DAYS_RANGE,
        validators=[InputRequired(DAYS_RANGE), NumberRange(MIN_DAYS, MAX_DAYS, DAYS_RANGE)],
        description=f"De {MIN_DAYS} a {MAX_DAYS} días; después deja de funcionar.",
    )
