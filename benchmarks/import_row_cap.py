"""Time the refusal of a catalog sheet of 1,048,576 rows (Excel's maximum) over the row cap.

Builds, from the official catalog's package, a sheet ``Hoja1`` with its header and
1,048,575 catalog rows (7 cells each, text as shared strings, as Excel writes them)
twice: without a ``<dimension>`` element, and with one that declares the real size.
Then times, in the same run, ``import_catalog`` refusing each with the default cap
(``PMG_IMPORT_MAX_ROWS``, 20,000) back to back (see ``harness.paired_ratios``).

Prints the median time of each, the median of the paired ratios (without ÷ with
the dimension: about 1 when reading stops at the cap whatever the file declares),
the time bare openpyxl (``load_workbook(read_only=True)``) takes just to open the
file without dimension, once, and PASS/FAIL for the refusal without dimension
against the target (under 2 s). Exits 0 unless ``--strict`` is given and it fails.

    .venv/bin/python benchmarks/import_row_cap.py [--runs 5] [--strict]
"""

from __future__ import annotations

import sys
import zipfile
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import openpyxl

from benchmarks.harness import arguments, migrated_app, paired_ratios, report, seconds
from pmg.core.spreadsheets import SpreadsheetError
from pmg.institutions.importer import COLUMNS, import_catalog

ROWS = 1_048_576
TARGET_SECONDS = 2.0
ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "pmg" / "demo" / "data" / "categorizacion_sistema_cseu_2025.xlsx"
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
NAMESPACE = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
ROW_TEXT = (
    "MINISTERIO DE AGRICULTURA",
    "COMISION NACIONAL DE RIEGO",
    None,  # the code: a number
    "Sí",
    "Etapa 3",
    "No",
    "SERVICIOS PÚBLICOS GENERALES",
)


def sheet_xml(dimension: bool) -> bytes:
    """The sheet: a header and ``ROWS - 1`` rows; text refers to ``shared_strings()``."""
    index = {text: number for number, text in enumerate(_strings())}
    header = "".join(f'<c t="s"><v>{index[title]}</v></c>' for title in COLUMNS.values())
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{NAMESPACE}">']
    if dimension:
        parts.append(f'<dimension ref="A1:G{ROWS}"/>')
    parts.append(f'<sheetData><row r="1">{header}</row>')
    for number in range(2, ROWS + 1):
        cells = (
            f"<c><v>{number}</v></c>" if text is None else f'<c t="s"><v>{index[text]}</v></c>'
            for text in ROW_TEXT
        )
        parts.append(f'<row r="{number}">{"".join(cells)}</row>')
    parts.append("</sheetData></worksheet>")
    return "".join(parts).encode()


def _strings() -> list[str]:
    return list(dict.fromkeys([*COLUMNS.values(), *(t for t in ROW_TEXT if t is not None)]))


def shared_strings() -> bytes:
    items = "".join(f"<si><t>{escape(text)}</t></si>" for text in _strings())
    xml = f'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="{NAMESPACE}">{items}</sst>'
    return xml.encode()


def workbook(sheet: bytes) -> bytes:
    """The official catalog's package with ``sheet`` and its shared strings in place."""
    replaced = {SHEET: sheet, STRINGS: shared_strings()}
    out = BytesIO()
    with (
        zipfile.ZipFile(CATALOG) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(item.filename, replaced.get(item.filename) or source.read(item))
    return out.getvalue()


def refuse(data: bytes) -> None:
    try:
        import_catalog(data)
    except SpreadsheetError as refused:
        assert refused.message == "El archivo supera el máximo de 20000 filas.", refused.message
    else:
        raise AssertionError("the file was not refused")


def main() -> int:
    options = arguments(__doc__.splitlines()[0])
    without = workbook(sheet_xml(dimension=False))
    declared = workbook(sheet_xml(dimension=True))
    with migrated_app():
        timings = paired_ratios(lambda: refuse(without), lambda: refuse(declared), options.runs)
    bare_open = seconds(lambda: openpyxl.load_workbook(BytesIO(without), read_only=True))
    runs = len(timings.ratios)
    return report(
        [
            f"sheet: {ROWS:,} rows × 7 cells, {len(without) / 1e6:.1f} MB compressed",
            f"refusal without <dimension> (median of {runs}): {timings.app_median:.3f} s",
            f"refusal with <dimension> (median of {runs}): {timings.baseline_median:.3f} s",
            f"ratio without ÷ with (median of the {runs} paired ratios): "
            f"{timings.median_ratio:.2f}",
            f"bare openpyxl, only opening the file without <dimension> (once): {bare_open:.2f} s",
        ],
        "seconds to refuse without <dimension>",
        timings.app_median,
        TARGET_SECONDS,
        strict=options.strict,
    )


if __name__ == "__main__":
    sys.exit(main())
