"""The upload form of the evidence panel."""

from __future__ import annotations

from flask import current_app
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField

from pmg.evidence.checks import ACCEPTED, EXTENSIONS, format_size

PREFIX = "evidencia"  # keeps ids apart from the content form on the same page


class EvidenceUploadForm(FlaskForm):
    file = FileField(
        "Archivo",
        validators=[FileRequired("Seleccione el archivo que quiere adjuntar.")],
        render_kw={"accept": ",".join(ext for exts in EXTENSIONS.values() for ext in exts)},
    )
    # The choices are checked by the operation against the saved draft.
    action_key = SelectField("Adjuntar a", choices=[], validate_choice=False)


def upload_form(targets: list[tuple[str, str]] | None = None) -> EvidenceUploadForm:
    """The empty form the panel shows, with ``targets`` to choose from and its hint."""
    form = EvidenceUploadForm(formdata=None, prefix=PREFIX)
    form.action_key.choices = list(targets or [("", "Todo el envío")])
    limit = format_size(current_app.config["PMG_MAX_UPLOAD_BYTES"])
    form.file.description = (
        f"{ACCEPTED} Tamaño máximo: {limit}. El tipo se reconoce por el contenido del "
        "archivo, no por su nombre. Adjuntar recarga la página: guarde antes lo que haya "
        "escrito en el formulario."
    )
    return form
