"""A form field (:func:`form_field`): its label, its hint, error, warnings and the review's
observations on it, and its input, written in one pass (the templates call these).

WTForms' widgets write the same markup through ``html_params``, which sorts the attributes
and formats each through ``Markup.format``; with three Jinja macros around every input, a
form of some 100 fields spent most of its time there (issue 16). :func:`write_control` writes
the inputs the project's forms use (every ``<input>`` whose widget adds nothing of its own
but the number bounds and a checkbox's mark, ``<textarea>``, ``<select>``, and lists of
checkboxes or radio buttons) byte for byte as WTForms' own widgets write them
(``tests/core/test_controls.py`` compares the two for every field of the diagnostic's and
the plan's forms and for every widget written here), with the attributes that bind it to
its hint, error, warnings and observations. Any other widget is still WTForms'.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from markupsafe import Markup, escape
from wtforms import widgets
from wtforms.fields import Field
from wtforms.widgets.core import clean_key

# The <input> widgets written here: the classes themselves, not their subclasses (which may
# add what this module does not know). Some of WTForms 3.3's private API is read (choices
# normalized, a datalist): tests/core/test_controls.py compares the output with its
# widgets' and fails on a change.
_INPUTS = frozenset(
    {
        widgets.TextInput, widgets.HiddenInput, widgets.EmailInput, widgets.SearchInput,
        widgets.DateInput, widgets.NumberInput, widgets.CheckboxInput, widgets.RadioInput,
    }
)  # fmt: skip


def _value(value: Any) -> str:
    """An attribute's value, escaped as ``html_params`` escapes it."""
    text = str(escape(value))
    return text.replace('"', "&quot;") if '"' in text else text


def attributes_html(attributes: Mapping[str, Any]) -> str:
    """``name="value"`` pairs sorted by name, ``True`` a bare name, ``False`` left out: what
    WTForms' ``html_params`` writes, for names already written as HTML's."""
    parts = []
    for name, value in sorted(attributes.items()):
        if value is True:
            parts.append(name)
        elif value is not False:
            parts.append(f'{name}="{_value(value)}"')
    return " ".join(parts)


def _flag_attributes(
    field: Field, names: Iterable[str], attributes: dict[str, Any], *, call: bool = False
) -> None:
    """The field's flags among the widget's validation attributes (``required``…), as its
    widget adds them: those not given already (an ``<input>``'s widget calls a flag that is
    a function: ``call``)."""
    flags = vars(field.flags)
    for name in names:
        if name in flags and name not in attributes:
            value = flags[name]
            attributes[name] = value() if call and callable(value) else value


def _input(field: Field, widget: Any, attributes: dict[str, Any]) -> str:
    if isinstance(widget, widgets.NumberInput):
        for bound in ("step", "min", "max"):
            if getattr(widget, bound) is not None:
                attributes.setdefault(bound, getattr(widget, bound))
    if isinstance(widget, widgets.CheckboxInput | widgets.RadioInput) and getattr(
        field, "checked", field.data
    ):
        attributes.setdefault("checked", True)
    attributes.setdefault("id", field.id)
    attributes.setdefault("type", widget.input_type)
    if "value" not in attributes:
        attributes["value"] = field._value()
    datalist = getattr(field, "_datalist", None)
    if datalist is not None and "list" not in attributes:
        attributes["list"] = datalist if isinstance(datalist, str) else datalist.id
    _flag_attributes(field, widget.validation_attrs, attributes, call=True)
    attributes["name"] = field.name
    return f"<input {attributes_html(attributes)}>"


def _textarea(field: Field, widget: Any, attributes: dict[str, Any]) -> str:
    attributes.setdefault("id", field.id)
    _flag_attributes(field, widget.validation_attrs, attributes)
    attributes["name"] = field.name
    text = escape(field._value())
    return f"<textarea {attributes_html(attributes)}>\r\n{text}</textarea>"


def _option(choice: Any) -> str:
    value = str(choice.value) if isinstance(choice.value, bool) else choice.value
    options = {"value": value, **{clean_key(k): v for k, v in (choice.render_kw or {}).items()}}
    if choice.selected:
        options["selected"] = True
    return f"<option {attributes_html(options)}>{escape(choice.label or choice.value)}</option>"


def _select(field: Any, widget: Any, attributes: dict[str, Any]) -> str:
    attributes.setdefault("id", field.id)
    if widget.multiple:
        attributes["multiple"] = True
    _flag_attributes(field, widget.validation_attrs, attributes)
    attributes["name"] = field.name
    html = [f"<select {attributes_html(attributes)}>"]
    if field.has_groups():
        for group, choices in field._iter_groups_normalized():
            if group is not None:
                html.append(f"<optgroup {attributes_html({'label': group})}>")
            html.extend(_option(choice) for choice in choices)
            if group is not None:
                html.append("</optgroup>")
    else:
        html.extend(_option(choice) for choice in field._iter_choices_normalized())
    html.append("</select>")
    return "".join(html)


def _list(field: Any, widget: Any, attributes: dict[str, Any]) -> str:
    attributes.setdefault("id", field.id)
    html = [f"<{widget.html_tag} {attributes_html(attributes)}>"]
    for option in field:
        parts = (label(option), write_control(option))
        first, second = parts if widget.prefix_label else reversed(parts)
        html.append(f"<li>{first} {second}</li>")
    html.append(f"</{widget.html_tag}>")
    return "".join(html)


_WRITERS = {widgets.TextArea: _textarea, widgets.Select: _select, widgets.ListWidget: _list}
_WRITERS.update(dict.fromkeys(_INPUTS, _input))


def _written(html: str) -> Markup:
    """Markup written here: every value in it was escaped (:func:`attributes_html`,
    ``escape``) or is markup already."""
    return Markup(html)  # noqa: S704


def write_control(field: Field, attributes: Mapping[str, Any] | None = None) -> Markup:
    """``field(**attributes)``: the field's input as its widget writes it."""
    given = {clean_key(name): value for name, value in (attributes or {}).items()}
    if field.render_kw:
        given = {**{clean_key(k): v for k, v in field.render_kw.items()}, **given}
    writer = _WRITERS.get(type(field.widget))
    if writer is None:
        return cast(Markup, field.widget(field, **given))
    return _written(writer(field, field.widget, given))


def label(field: Field) -> Markup:
    """``field.label()``: ``<label for="…">`` and its text."""
    written = attributes_html({"for": field.label.field_id})
    return _written(f"<label{' ' if written else ''}{written}>{escape(field.label.text)}</label>")


def field_attributes(field: Any, readonly: bool = False) -> dict[str, Any]:
    """HTML attributes binding an input to its hint, error and warnings (:func:`field_messages`
    writes them with these ids)."""
    described = []
    if field.description:
        described.append(f"{field.id}-ayuda")
    if field.errors:
        described.append(f"{field.id}-error")
    warnings = getattr(field, "warnings", None) or ()
    described += [f"{field.id}-aviso-{number}" for number in range(1, len(warnings) + 1)]
    attributes: dict[str, Any] = {}
    if described:
        attributes["aria-describedby"] = " ".join(described)
    if field.errors:
        attributes["aria-invalid"] = "true"
    if field.flags.required:
        attributes["required"] = True
    if readonly:
        attributes["disabled"] = True
    return attributes


def _with_observations(own: str | None, field: Any) -> str:
    ids = [own] if own else []
    ids += [f"observacion-{o.id}-nota" for o in getattr(field, "observations", None) or ()]
    return " ".join(ids)


def described_by(field: Any) -> str:
    """The ids of what describes a field: its hint, error, warnings and observations."""
    return _with_observations(field_attributes(field).get("aria-describedby"), field)


def control(field: Any, readonly: bool = False) -> Markup:
    """A field's input with its attributes (:func:`field_attributes`), described by its hint,
    error, warnings and the review's observations on it."""
    attributes = field_attributes(field, readonly)
    described = _with_observations(attributes.get("aria-describedby"), field)
    if described:
        attributes["aria-describedby"] = described
    return write_control(field, attributes)


def observation_note(observation: Any) -> Markup:
    """The review's observation beside what it points at, linked to where it is answered."""
    code, number = escape(observation.requirement.code), observation.id
    return _written(
        f'<div class="field-observation"><p id="observacion-{number}-nota"><strong>Observación'
        f" de la revisión ({code}):</strong> {escape(observation.text)}</p>"
        f'<a href="#observacion-{number}">Ver y responder la observación'
        f'<span class="visually-hidden"> de {code}</span></a></div>'
    )


def field_messages(field: Any) -> Markup:
    """A field's hint, error, warnings and observations, each with the id its input's
    ``aria-describedby`` names (:func:`field_attributes`, :func:`described_by`)."""
    parts, own = [], _value(field.id)
    if field.description:
        parts.append(f'<p class="hint" id="{own}-ayuda">{escape(field.description)}</p>')
    if field.errors:
        errors = " ".join(str(escape(error)) for error in field.errors)
        parts.append(
            f'<p class="field-error" id="{own}-error">'
            f'<span class="visually-hidden">Error:</span> {errors}</p>'
        )
    for number, warning in enumerate(getattr(field, "warnings", None) or (), start=1):
        parts.append(
            f'<p class="field-warning" id="{own}-aviso-{number}">'
            f'<span class="visually-hidden">Advertencia:</span> {escape(warning)}</p>'
        )
    parts += [observation_note(o) for o in getattr(field, "observations", None) or ()]
    return _written("".join(parts))


def form_field(field: Any, css_class: str = "", readonly: bool = False) -> Markup:
    """A field with its label, messages (:func:`field_messages`) and input (:func:`control`)."""
    state = (
        " has-error" if field.errors else " has-warning" if getattr(field, "warnings", None) else ""
    )
    classes = f"field {css_class}".rstrip() + state
    return _written(
        f'<div class="{escape(classes)}">{label(field)}{field_messages(field)}'
        f"{control(field, readonly)}</div>"
    )
