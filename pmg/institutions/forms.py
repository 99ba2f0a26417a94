from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from pmg.core.forms import REQUIRED
from pmg.institutions.models import MAX_REPORT_CODE, FunctionalCategory, MesuCommitment, Stage

INVALID_CHOICE = "Seleccione una opción de la lista."


def _select(label: str, **kwargs: object) -> SelectField:
    return SelectField(
        label,
        invalid_value_message=INVALID_CHOICE,
        invalid_choice_message=INVALID_CHOICE,
        **kwargs,
    )


class InstitutionForm(FlaskForm):
    """The editable data of an institution; the code is its identity and is not here."""

    name = StringField(
        "Nombre",
        validators=[
            DataRequired(REQUIRED),
            Length(max=300, message="Escriba como máximo 300 caracteres."),
        ],
    )
    report_code = StringField(
        "Código de reporte",
        description="El codigo_reporte de la institución en los consolidados oficiales. "
        "Déjelo en blanco si no tiene uno.",
        validators=[
            Length(
                max=MAX_REPORT_CODE,
                message=f"Escriba como máximo {MAX_REPORT_CODE} caracteres.",
            )
        ],
    )
    # Named after the column so ``obj=institution`` fills it with the id.
    ministry_id = _select("Ministerio", coerce=int)
    stage = _select("Etapa", choices=Stage.choices(), coerce=Stage)
    mesu = _select(
        "Compromete la encuesta de satisfacción (MESU)",
        choices=MesuCommitment.choices(),
        coerce=MesuCommitment,
    )
    category = _select(
        "Categoría funcional", choices=FunctionalCategory.choices(), coerce=FunctionalCategory
    )
    commits_system = BooleanField("Compromete el sistema este año")
    active = BooleanField(
        "Activa",
        description="Desmarque para retirar la institución del catálogo vigente "
        "sin borrar su historial.",
    )


class CatalogUploadForm(FlaskForm):
    file = FileField(
        "Archivo del catálogo (.xlsx)",
        description="Libro Excel con la hoja Hoja1 y las columnas del catálogo oficial.",
        validators=[FileRequired("Seleccione el archivo .xlsx del catálogo.")],
        render_kw={"accept": ".xlsx"},
    )
