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
    """The empty fields the panel shows, with ``targets`` to choose from and the hint; the
    page's content form carries them (and its CSRF token)."""
    form = EvidenceUploadForm(formdata=None, prefix=PREFIX, meta={"csrf": False})
    form.action_key.choices = list(targets or [("", "Todo el envío")])
    max_bytes = current_app.config["PMG_MAX_UPLOAD_BYTES"]
    limit = format_size(max_bytes)
    # The page's script refuses a larger file before it is sent (see static/js/pmg.js).
    form.file.render_kw = {**(form.file.render_kw or {}), "data-max-bytes": str(max_bytes)}
    form.file.description = (
        f"{ACCEPTED} Tamaño máximo: {limit}. El tipo se reconoce por el contenido del "
        "archivo, no por su nombre. Al adjuntar se guarda también lo escrito en el formulario."
    )
    return form
