"""A template, or one of its macros, rendered as one part of a page, to be put into another
as it is."""

from __future__ import annotations

from typing import Any

from flask import get_template_attribute, render_template
from markupsafe import Markup


def render_fragment(template: str, **context: Any) -> Markup:
    """``template`` rendered with ``context``, as markup: Jinja escaped everything it put
    in, so the result goes into the page unescaped."""
    return Markup(render_template(template, **context))  # noqa: S704 (see the docstring)


def render_macro(template: str, name: str, *args: Any) -> Markup:
    """The macro ``name`` of ``template`` called with ``args``, as markup (a macro's output
    is escaped as the template's is)."""
    return Markup(get_template_attribute(template, name)(*args))  # noqa: S704 (see above)
