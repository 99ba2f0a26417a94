"""Form pieces shared by every domain, with Spanish messages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    Field,
    FieldList,
    Form,
    HiddenField,
    SelectMultipleField,
    widgets,
)
from wtforms.validators import Optional, ValidationError

from pmg.core.routing import parse_db_int

REQUIRED = "Complete este campo."
INVALID_EMAIL = "Escriba un correo válido, por ejemplo nombre@servicio.gob.cl."
INVALID_CHOICE = "Seleccione una opción de la lista."
INVALID_DATE = "Escriba una fecha válida como año-mes-día, por ejemplo 2026-03-31."
# The dates a search filter can ask for: the years of the system's cycles, with room.
FILTER_DATES = (date(2000, 1, 1), date(2100, 12, 31))
DATE_OUT_OF_RANGE = "Escriba una fecha entre el 2000-01-01 y el 2100-12-31."


def _within_filter_dates(form: Form, field: Field) -> None:
    if field.data is not None and not FILTER_DATES[0] <= field.data <= FILTER_DATES[1]:
        raise ValidationError(DATE_OUT_OF_RANGE)


def date_filter(label: str) -> DateField:
    """An optional date of a search filter: a date the arithmetic of a query can take (the
    day after 9999-12-31 does not exist), or a message at the field."""
    return DateField(
        label,
        validators=[Optional(), _within_filter_dates],
        invalid_value_message=INVALID_DATE,
    )


class CheckboxListField(SelectMultipleField):
    """A list of checkboxes: easier than a multiple select by keyboard and screen reader."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("invalid_choice_message", INVALID_CHOICE)
        super().__init__(*args, **kwargs)


class RowList(FieldList):
    """A FieldList whose row numbers in the posted names (``gaps-3-cause``) are read as the
    database's whole numbers: WTForms takes any ``str.isdigit()`` text, and ``int()`` then
    fails on «²» or on more than 4,300 digits. A name with any other number is no row."""

    def _extract_indices(self, prefix: str, formdata: Any) -> Iterator[int]:
        offset = len(prefix) + 1
        for key in formdata:
            if key.startswith(prefix):
                index = parse_db_int(key[offset:].split(self._field_separator, 1)[0])
                if index is not None:
                    yield index


def typed_length(text: str) -> int:
    """How many characters a person typed: a line break counts once, as the browser's
    ``maxlength`` counts it, though the form sends it as two (CR LF)."""
    return len(text.replace("\r\n", "\n"))


def as_typed(text: str) -> str:
    """What a person typed, exactly (outer spaces and line breaks too); ``""`` when it is
    nothing but spaces and line breaks, which says nothing."""
    return text if text.strip() else ""


def parse_lock_version(value: object) -> int | None:
    """The version counter a page was built from, as its hidden field sends it back; None
    (a page of no version: the action is refused as stale) when it is no such number."""
    return parse_db_int(value)


class LockVersionForm(FlaskForm):
    """A form acting on a submission: carries the version counter the page was built from,
    so that an action sent from an older page is refused."""

    lock_version = HiddenField()

    @property
    def seen_lock_version(self) -> int | None:
        return parse_lock_version(self.lock_version.data)
