"""Form pieces shared by every domain, with Spanish messages."""

from __future__ import annotations

from typing import Any

from wtforms import SelectMultipleField, widgets

REQUIRED = "Complete este campo."
INVALID_EMAIL = "Escriba un correo válido, por ejemplo nombre@servicio.gob.cl."


class CheckboxListField(SelectMultipleField):
    """A list of checkboxes: easier than a multiple select by keyboard and screen reader."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form: Any) -> None:
        valid = {str(value) for value, *_ in self.iter_choices()}
        unknown = [value for value in (self.data or []) if str(value) not in valid]
        if unknown:
            raise ValueError("Seleccione solo opciones de la lista.")
