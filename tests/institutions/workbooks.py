"""Builders for catalog workbooks used by the institutions tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pmg
from tests.workbooks import xlsx_bytes

REAL_CATALOG = Path(pmg.__file__).parent / "demo" / "data" / "categorizacion_sistema_cseu_2025.xlsx"
HEADERS = (
    "MINISTERIO",
    "SERVICIO",
    "codigo_interno_SCSEU",
    "COMPROMETE SISTEMA (final)",
    "ETAPA",
    "COMPROMETE SISTEMA CON MESU (final)",
    "Categoría funcional",
)


def catalog_row(code: Any = "1306", **overrides: Any) -> tuple[Any, ...]:
    """A valid catalog row in the order of ``HEADERS``."""
    values = {
        "MINISTERIO": "MINISTERIO DE AGRICULTURA",
        "SERVICIO": "COMISION NACIONAL DE RIEGO",
        "codigo_interno_SCSEU": code,
        "COMPROMETE SISTEMA (final)": "Sí",
        "ETAPA": "Etapa 3",
        "COMPROMETE SISTEMA CON MESU (final)": "No",
        "Categoría funcional": "SERVICIOS PÚBLICOS GENERALES",
    }
    values.update(overrides)
    return tuple(values[header] for header in HEADERS)


def catalog_xlsx(
    rows: list[tuple[Any, ...]], headers: tuple[str, ...] = HEADERS, sheet: str = "Hoja1"
) -> bytes:
    return xlsx_bytes({sheet: [headers, *rows]})


