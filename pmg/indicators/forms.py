from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField
from wtforms.validators import NumberRange, Optional

from pmg.cycles.operations import MAX_YEAR, MIN_YEAR

INVALID_YEAR = "Escriba un año de cuatro cifras, por ejemplo 2026."


class IndicatorsUploadForm(FlaskForm):
    file = FileField(
        "Consolidado de indicadores (.xlsx)",
        description="Libro Excel de reclamos, SAIP o trámites, con la hoja consolidado "
        "y las columnas del formato oficial.",
        validators=[FileRequired("Seleccione el archivo .xlsx del consolidado.")],
        render_kw={"accept": ".xlsx"},
    )
    cycle_year = IntegerField(
        "Ciclo de las metas (opcional)",
        description="Las metas del plan (plan_*_meta) se guardan en este ciclo. Si lo deja "
        "en blanco, se usa el año siguiente al último año del archivo; si el ciclo no existe, "
        "se crea con plazos por omisión.",
        validators=[
            Optional(),
            NumberRange(
                MIN_YEAR, MAX_YEAR, message=f"Escriba un año entre {MIN_YEAR} y {MAX_YEAR}."
            ),
        ],
        invalid_value_message=INVALID_YEAR,
    )
