"""The one .csv writer: a :class:`~pmg.core.xlsx.Table` as a file Excel opens in Chile.

UTF-8 with a byte-order mark (without it Excel reads the accents as another encoding) and
``;`` between cells (Excel in es-CL keeps ``,`` for decimals, so it splits a CSV at ``;``):
the header row, then the rows. A CSV cell has no quote prefix, so text a spreadsheet could
take for a formula (:func:`~pmg.core.xlsx.reads_as_formula`, the test the .xlsx writer
uses) is written with an apostrophe before it: Excel shows it and never runs it. The other
values are written as the .xlsx writer shows them: Sí/No, dates as year-month-day,
decimals with a comma.
"""

from __future__ import annotations

import csv
from datetime import datetime
from decimal import Decimal
from typing import IO

from pmg.core.xlsx import CellValue, Table, reads_as_formula

CSV_MIMETYPE = "text/csv"
BYTE_ORDER_MARK = "\ufeff"
SEPARATOR = ";"
# Put before text a spreadsheet could take for a formula.
NEUTRALISER = "'"


def csv_cell(value: CellValue | bool | Decimal) -> str:
    """What the CSV holds for ``value``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Sí" if value else "No"
    if isinstance(value, str):
        return NEUTRALISER + value if reads_as_formula(value) else value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        return str(value).replace(".", ",")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return value.isoformat()


def write_csv(table: Table, target: IO[str]) -> int:
    """Write ``table`` (its title is not written) to the text stream ``target``, which the
    caller encodes as UTF-8; return how many rows were written."""
    writer = csv.writer(target, delimiter=SEPARATOR, lineterminator="\r\n")
    target.write(BYTE_ORDER_MARK)
    writer.writerow([csv_cell(header) for header in table.headers])
    count = 0
    for row in table.rows:
        writer.writerow([csv_cell(value) for value in row])
        count += 1
    return count
