"""Small .xlsx files built in memory for import tests."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from typing import Any

from openpyxl import Workbook


def xlsx_bytes(sheets: dict[str, list[tuple[Any, ...]]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()



def rewrite_zip(data: bytes, add: dict[str, bytes] | None = None) -> bytes:
    """A copy of the zip ``data`` with the members in ``add`` added or replaced."""
    add = add or {}
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            if item.filename not in add:
                target.writestr(item, source.read(item))
        for name, content in add.items():
            target.writestr(name, content)
    return out.getvalue()


def broken_after_row(data: bytes, row_number: int) -> bytes:
    """``data`` with its first sheet's ``<dimension>`` removed and its XML broken right after
    row ``row_number``: only a reader that goes past that row can notice the damage."""
    sheet = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(BytesIO(data)) as archive:
        xml = re.sub(rb"<dimension [^>]*/>", b"", archive.read(sheet))
    assert b"<dimension" not in xml
    end = xml.index(b"</row>", xml.index(b'<row r="%d"' % row_number)) + len(b"</row>")
    return rewrite_zip(data, {sheet: xml[:end] + b'<row r="%d"><c <<' % (row_number + 1)})
