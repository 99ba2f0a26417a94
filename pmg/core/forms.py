"""Form pieces shared by every domain, with Spanish messages."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectMultipleField, widgets

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


def parse_lock_version(value: object) -> int | None:
    """The version counter a page was built from, as its hidden field sends it back."""
    text = str(value or "")
    return int(text) if text.isdigit() else None


class LockVersionForm(FlaskForm):
    """A form acting on a submission: carries the version counter the page was built from,
    so that an action sent from an older page is refused."""

    lock_version = HiddenField()

    @property
    def seen_lock_version(self) -> int | None:
        return parse_lock_version(self.lock_version.data)
