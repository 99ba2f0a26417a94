"""Form pieces shared by every domain, with Spanish messages."""

from __future__ import annotations

from typing import Any

from wtforms import SelectMultipleField, widgets

REQUIRED = "Complete este campo."
INVALID_EMAIL = "Escriba un correo válido, por ejemplo nombre@servicio.gob.cl."
INVALID_CHOICE = "Seleccione una opción de la lista."


class CheckboxListField(SelectMultipleField):
    """A list of checkboxes: easier than a multiple select by keyboard and screen reader."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("invalid_choice_message", INVALID_CHOICE)
        super().__init__(*args, **kwargs)
