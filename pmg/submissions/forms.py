"""Forms built from the content description, so a field is declared once.

The fields carry no validators: a draft keeps whatever was typed, and the
domain rules (:mod:`pmg.diagnostics.rules`) decide what is an error or a
warning. Their findings are attached to the fields for display.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)

from pmg.core.forms import CheckboxListField, RowList
from pmg.submissions.content import FieldKind, FieldSpec, Finding, SectionSpec


class DateInputField(StringField):
    """A date input that keeps whatever was typed, so a wrong date is shown again as typed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"type": "date"})
        super().__init__(*args, **kwargs)


INPUT_MODES = {
    FieldKind.COUNT: "numeric",
    FieldKind.DECIMAL: "decimal",
    FieldKind.PERCENT: "decimal",
}


def _field(spec: FieldSpec) -> Field:
    options: dict[str, Any] = {"label": spec.label, "description": spec.hint, "default": ""}
    if spec.kind is FieldKind.KEY:
        return HiddenField(**options)
    if spec.kind is FieldKind.REFERENCES:
        # Choices depend on other content (e.g. the diagnostic's gaps): set by the page.
        return CheckboxListField(
            label=spec.label,
            description=spec.hint,
            choices=[],
            coerce=str,
            validate_choice=False,  # the rules report unknown references; the draft keeps them
        )
    if spec.kind is FieldKind.DATE:
        return DateInputField(**options)
    if spec.kind is FieldKind.CHOICE and spec.choices is not None:
        choices = [SelectChoice("", "Seleccione una opción"), *spec.choices.choices()]
        return SelectField(choices=choices, validate_choice=False, **options)
    if spec.kind is FieldKind.LONG_TEXT:
        return TextAreaField(render_kw={"rows": 3}, **options)
    if spec.kind is FieldKind.EMAIL:
        return EmailField(render_kw={"autocomplete": "email"}, **options)
    if spec.numeric:
        return StringField(
            render_kw={"inputmode": INPUT_MODES[spec.kind], "class": "number"}, **options
        )
    return StringField(**options)


def section_form_class(section: SectionSpec) -> type[Form]:
    return type(
        f"{section.key.title()}Form", (Form,), {spec.name: _field(spec) for spec in section.fields}
    )


def content_form_class(sections: tuple[SectionSpec, ...]) -> type[FlaskForm]:
    """A FlaskForm (with CSRF) holding one sub-form per section, a list for repeated ones."""
    attributes: dict[str, Any] = {"lock_version": HiddenField()}
    for section in sections:
        sub_form = FormField(section_form_class(section), label=section.title)
        if section.repeated:
            sub_form = RowList(sub_form, min_entries=0)
        attributes[section.key] = sub_form
    return type("ContentForm", (FlaskForm,), attributes)


def draft_from_form(form: FlaskForm, sections: tuple[SectionSpec, ...]) -> dict[str, Any]:
    """What was typed, section by section, as plain text."""
    return {section.key: form[section.key].data for section in sections}


def _target(form: FlaskForm, path: str) -> Field | None:
    node: Any = form
    for part in path.split("."):
        try:
            node = node.entries[int(part)] if part.isdigit() else node[part]
        except (KeyError, IndexError, TypeError, AttributeError):
            return None
    return node


def attach_findings(form: FlaskForm, errors: list[Finding], warnings: list[Finding]) -> None:
    """Put each finding on its field: ``errors`` as WTForms errors, ``warnings`` beside them."""
    for finding in errors:
        field = _target(form, finding.path)
        if field is not None and not isinstance(field, FieldList):
            field.errors = [*(field.errors or []), finding.message]
    for finding in warnings:
        field = _target(form, finding.path)
        if field is not None:
            field.warnings = [*getattr(field, "warnings", []), finding.message]
