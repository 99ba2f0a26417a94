"""The filters of the audit trail page, read from the query string (no CSRF: a GET form)."""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import DateField, Form, SearchField, SelectField
from wtforms.validators import Length, Optional, ValidationError

from pmg.audit.queries import AuditFilters, action_choices
from pmg.core.forms import INVALID_CHOICE, date_filter


class AuditFilterForm(Form):
    accion = SelectField("Acción", default="", invalid_choice_message=INVALID_CHOICE)
    correo = SearchField(
        "Correo de quien actuó",
        description="Basta una parte del correo.",
        validators=[Optional(), Length(max=254)],
    )
    institucion = SearchField("Código de institución", validators=[Optional(), Length(max=32)])
    desde = date_filter("Desde")
    hasta = date_filter("Hasta")

    def __init__(self, args: MultiDict[str, str], **kwargs: Any) -> None:
        super().__init__(formdata=args, **kwargs)
        self.accion.choices = [("", "Todas"), *action_choices()]

    def validate_hasta(self, field: DateField) -> None:
        if self.desde.data and field.data and field.data < self.desde.data:
            raise ValidationError("La fecha «Hasta» no puede ser anterior a «Desde».")

    def filters(self) -> AuditFilters:
        """The filters that are valid; a field with an error is left out."""
        valid = {name: field.data for name, field in self._fields.items() if not field.errors}
        return AuditFilters(
            action=valid.get("accion") or "",
            actor_email=(valid.get("correo") or "").strip(),
            institution_code=(valid.get("institucion") or "").strip(),
            date_from=valid.get("desde"),
            date_to=valid.get("hasta"),
        )
