"""Forms built from the content description, so a field is declared once.

The fields carry no validators: a draft keeps whatever was typed, and the
domain rules (:mod:`pmg.diagnostics.rules`) decide what is an error or a
warning. Their findings are attached to the fields for display.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from flask_wtf import FlaskForm
from markupsafe import Markup
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
from pmg.submissions.prefill import row_marks, section_marks, shown, typed, unchanged


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


@cache
def content_form_class(sections: tuple[SectionSpec, ...]) -> type[FlaskForm]:
    """A FlaskForm (with CSRF) holding one sub-form per section, a list for repeated ones;
    made once per set of sections (a kind's, for a stage), not on every request."""
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


PREFILLED = "Dato del consolidado oficial"
CHANGED = "Valor del consolidado oficial: {}"


def _mark(field: Field, spec: FieldSpec, text: str) -> None:
    """Tell in the field's hint, which ``aria-describedby`` ties to the input, that its value
    came from the official consolidated file, or which value came when it was changed."""
    same = unchanged(spec, typed(spec, field.data), text)
    note = PREFILLED if same else CHANGED.format(shown(spec, text))
    marker = Markup('<span class="prefilled">{}</span>').format(note)
    field.description = (
        Markup("{} {}").format(field.description, marker) if field.description else marker
    )


def _prefilled_forms(
    field: Field, section: SectionSpec, marks: Mapping[str, Any]
) -> list[tuple[Form, Mapping[str, Any]]]:
    """Each sub-form of ``section`` (the section's, or one per row) with its marks."""
    if not section.repeated:
        return [(field.form, section_marks(marks, section))]
    return [(entry.form, row_marks(marks, section, entry.data)) for entry in field.entries]


def attach_prefilled(
    form: FlaskForm, sections: tuple[SectionSpec, ...], marks: Mapping[str, Any]
) -> list[str]:
    """Mark each field that holds a pre-filled text (``marks``, see
    :mod:`pmg.submissions.prefill`); returns the keys of the sections with a marked field."""
    marked = []
    for section in sections:
        found = False
        for sub_form, texts in _prefilled_forms(form[section.key], section, marks):
            for name, text in texts.items():
                if name in sub_form and isinstance(text, str):
                    _mark(sub_form[name], section.field(name), text)
                    found = True
        if found:
            marked.append(section.key)
    return marked
