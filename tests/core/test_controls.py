"""The inputs pmg.core.controls writes are WTForms' own, byte for byte, for every field of
the diagnostic's and the plan's forms and for every widget it writes, with every kind of
value and attribute; other widgets are left to WTForms."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    FileField,
    Form,
    HiddenField,
    IntegerField,
    IntegerRangeField,
    PasswordField,
    RadioField,
    SearchField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields import Field
from wtforms.validators import DataRequired, InputRequired, Length

from pmg.core.controls import control, form_field, label, write_control
from pmg.core.forms import CheckboxListField
from pmg.diagnostics.schema import SECTIONS as DIAGNOSTIC
from pmg.plans.schema import SECTIONS as PLAN
from pmg.submissions.forms import content_form_class
from tests.factories import diagnostic_draft, plan_draft

TRICKY = "a \"b\" <c> & 'd'\r\n  e "
ATTRIBUTES: tuple[dict[str, Any], ...] = (
    {},
    {"aria-describedby": "x-ayuda x-error", "aria-invalid": "true", "required": True},
    {"disabled": True, "class_": 'c "q"', "data_row": 3, "placeholder": Markup('a"b')},
    {"required": False, "value": TRICKY, "id": "otro"},
)


def _choices(*pairs: tuple[Any, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class _Everything(Form):
    text = StringField("Texto <b>", validators=[DataRequired(), Length(max=40)])
    shown = StringField(render_kw={"inputmode": "numeric", "data_x": "1"})
    whole = IntegerField(validators=[InputRequired()])
    decimal = DecimalField(places=2)
    ranged = IntegerRangeField()
    checked = BooleanField()
    unchecked = BooleanField()
    when = DateField()
    hidden = HiddenField()
    email = EmailField()
    search = SearchField()
    notes = TextAreaField(validators=[Length(min=2, max=300)], render_kw={"rows": 3})
    one = SelectField(choices=_choices(("", "—"), ("a", 'A "1"'), ("b", "B <2>")))
    grouped = SelectField(
        choices=[
            SelectChoice("x", "X", optgroup="Grupo <1>"),
            SelectChoice("y", "Y", optgroup="Grupo 2"),
        ]
    )
    yes_no = SelectField(choices=_choices((True, "Sí"), (False, "No")), coerce=bool)
    styled = SelectField(
        choices=[
            SelectChoice("p", "P", {"data-n": '"1"', "data_x": "2", "class_": "c"}),
            SelectChoice("q", "Q"),
        ]
    )
    several = SelectMultipleField(choices=_choices(("m", "M"), ("n", "N")))
    radio = RadioField(choices=_choices(("r", "R"), ("s", "S")))
    secret = PasswordField()
    upload = FileField()
    boxes = CheckboxListField(choices=_choices(("1", "Uno"), ("2", "Dos")))


def _everything() -> Form:
    form = _Everything(
        MultiDict(
            [
                ("text", TRICKY), ("shown", "12"), ("whole", "x"), ("decimal", "1,5"),
                ("ranged", "3"), ("checked", "y"), ("when", "2026-02-30"), ("hidden", TRICKY),
                ("email", "a@b.cl"), ("notes", "\r\nlínea 1\r\n<línea 2>  "), ("one", "b"),
                ("grouped", "y"), ("yes_no", ""), ("styled", "p"), ("several", "m"),
                ("several", "n"), ("radio", "s"), ("secret", "s"), ("boxes", "2"),
            ]
        )
    )  # fmt: skip
    form.validate()
    return form


def _leaves(fields: Any) -> Iterator[Field]:
    """Every field of a form, its sub-forms and rows, and every radio button."""
    for f in fields:
        if f.type in {"FormField", "FieldList", "RowList"}:
            yield from _leaves(f)
        else:
            yield f
            if f.type == "RadioField":
                yield from f


@pytest.mark.parametrize("attributes", ATTRIBUTES)
def test_every_widget_is_written_as_wtforms_writes_it(attributes: dict[str, Any]) -> None:
    for f in _leaves(_everything()):
        assert write_control(f, attributes) == f(**attributes), f.name
        assert label(f) == f.label(), f.name


@pytest.mark.parametrize(
    ("sections", "draft"), [(DIAGNOSTIC, diagnostic_draft(4, 3)), (PLAN, plan_draft(4))]
)
def test_every_field_of_the_content_forms_is_written_as_wtforms_writes_it(
    app: Flask, sections: Any, draft: dict[str, Any]
) -> None:
    with app.test_request_context():
        form = content_form_class(sections)(data=draft)
        fields = list(_leaves(form))
        assert len(fields) > 50
        for f in fields:
            for attributes in ATTRIBUTES:
                assert write_control(f, attributes) == f(**attributes), f.name
            assert label(f) == f.label(), f.name


def test_other_widgets_are_left_to_wtforms() -> None:
    form = _everything()
    assert write_control(form.secret, {}) == Markup(
        '<input id="secret" name="secret" type="password" value="">'
    )
    assert write_control(form.upload, {}) == form.upload()


def test_a_control_is_described_by_its_hint_error_warnings_and_observations() -> None:
    form = _everything()
    field = form.text
    field.description = "Una ayuda"
    field.errors = ["Escriba a lo más 40 caracteres."]
    field.warnings = ["Revise", "Otra"]
    field.observations = [type("Observation", (), {"id": 7})()]
    written = control(field, readonly=True)
    assert (
        'aria-describedby="text-ayuda text-error text-aviso-1 text-aviso-2 '
        'observacion-7-nota"' in written
    )
    assert 'aria-invalid="true"' in written and " disabled " in written
    assert control(form.shown) == form.shown()


def test_a_form_field_holds_its_label_messages_and_input_bound_together() -> None:
    form = _everything()
    field = form.text
    field.description = Markup('Una <em>ayuda</em> & <span class="prefilled">x</span>')
    field.errors = ["Escriba <menos>."]
    field.warnings = ["Revise & confirme"]
    observation = type(
        "Observation",
        (),
        {"id": 7, "text": "Falta <b>", "requirement": type("R", (), {"code": "R01"})},
    )()
    field.observations = [observation]

    written = form_field(field, "wide", readonly=True)

    assert written.startswith(
        '<div class="field wide has-error"><label for="text">Texto &lt;b&gt;</label>'
    )
    assert (
        '<p class="hint" id="text-ayuda">Una <em>ayuda</em> & <span class="prefilled">x</span></p>'
        in written
    )
    assert (
        '<p class="field-error" id="text-error"><span class="visually-hidden">Error:</span> '
        "Escriba &lt;menos&gt;.</p>"
    ) in written
    assert (
        '<p class="field-warning" id="text-aviso-1"><span class="visually-hidden">'
        "Advertencia:</span> Revise &amp; confirme</p>" in written
    )
    assert (
        '<p id="observacion-7-nota"><strong>Observación de la revisión (R01):</strong> '
        "Falta &lt;b&gt;</p>" in written
    )
    assert written.endswith(f"{control(field, readonly=True)}</div>")
    assert form_field(form.shown) == f'<div class="field">{label(form.shown)}{form.shown()}</div>'
