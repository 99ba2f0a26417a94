"""Jinja filters that show dates and numbers as people in Chile read them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import cast
from zoneinfo import ZoneInfo

from flask import Flask, get_flashed_messages

from pmg.core import controls

CHILE = ZoneInfo("America/Santiago")
MONTHS = (
    "enero", "febrero", "marzo", "abril", "mayo", "junio",
    "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
)


def format_date(value: date | None) -> str:
    """``3 de marzo de 2026``."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.astimezone(CHILE).date()
    return f"{value.day} de {MONTHS[value.month - 1]} de {value.year}"


def format_datetime(value: datetime | None) -> str:
    """``3 de marzo de 2026, 14:05`` in Chilean time."""
    if value is None:
        return "—"
    local = value.astimezone(CHILE)
    return f"{format_date(local.date())}, {local:%H:%M}"


def format_number(value: int | float | Decimal | None) -> str:
    """``12.345`` for integers, ``31,3`` for one decimal; ``-`` when missing."""
    if value is None:
        return "-"
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    text = f"{value:,.1f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def format_decimal(value: int | float | Decimal) -> str:
    """Every digit that was sent, in es-CL: ``1.250``, ``8,5``, ``12,25``."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    text = f"{number.normalize() if number == number.to_integral_value() else number:,f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def register_filters(app: Flask) -> None:
    app.jinja_env.filters["date_es"] = format_date
    app.jinja_env.filters["datetime_es"] = format_datetime
    app.jinja_env.filters["number_es"] = format_number
    app.jinja_env.globals["field_attributes"] = controls.field_attributes
    app.jinja_env.globals["described_by"] = controls.described_by
    app.jinja_env.globals["control"] = controls.control
    app.jinja_env.globals["write_control"] = controls.write_control
    app.jinja_env.globals["field_label"] = controls.label
    app.jinja_env.globals["form_field"] = controls.form_field
    app.jinja_env.globals["field_messages"] = controls.field_messages
    app.jinja_env.globals["observation_note"] = controls.observation_note
    app.jinja_env.globals["page_messages"] = page_messages


# A flashed message whose category starts so belongs to one field (``campo:<field id>``):
# the page shows it at that field, not among the messages at the top.
FIELD_MESSAGE = "campo:"


def page_messages() -> list[tuple[str, str]]:
    """The flashed messages for the top of the page: all but those of a field."""
    flashed = cast("list[tuple[str, str]]", get_flashed_messages(with_categories=True))
    return [
        (category, message)
        for category, message in flashed
        if not category.startswith(FIELD_MESSAGE)
    ]
