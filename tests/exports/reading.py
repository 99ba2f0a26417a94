"""Reading exported workbooks back in tests: values per sheet, and the raw XML."""

from __future__ import annotations

import zipfile
from io import BytesIO
from typing import Any

from openpyxl import load_workbook

# The sheets of the consolidated workbook, in order.
SHEETS = [
    "reclamos",
    "saip",
    "tramites",
    "instituciones",
    "brechas",
    "acciones",
    "estado",
    "revision",
]


def sheets(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet's rows (header first) as openpyxl reads the values."""
    workbook = load_workbook(BytesIO(data), read_only=True)
    try:
        return {
            sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in workbook.worksheets
        }
    finally:
        workbook.close()


def records(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """Data rows as ``{header: value}``; trailing empty cells (not stored) as ``None``."""
    headers = rows[0]
    padding = (None,) * len(headers)
    return [dict(zip(headers, (*row, *padding), strict=False)) for row in rows[1:]]


def sheet_xml(data: bytes) -> dict[str, str]:
    """The XML of every worksheet part (and shared strings, if any), by part name."""
    with zipfile.ZipFile(BytesIO(data)) as archive:
        return {
            name: archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") or name == "xl/sharedStrings.xml"
        }
