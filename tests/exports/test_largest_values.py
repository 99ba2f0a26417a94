"""The largest figures the forms accept (15 digits), in the PDF and the consolidated workbook."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from flask import Flask

from pmg.exports.documents.pdf import render_version_pdf
from pmg.exports.workbook import export_consolidated
from tests.exports.reading import records, sheets
from tests.exports.test_pdf import flat, pages_text
from tests.factories import create_cycle, create_institution, create_submitted_diagnostic
from tests.factories import diagnostic_draft as factory_draft

LARGEST = "999.999.999.999.999"


@pytest.fixture
def version(app: Flask) -> Any:
    """Everything answered of a single complaint received: the largest percentage there is."""
    draft = factory_draft()
    draft["complaints"].update(received="1", answered=LARGEST, answered_over_20=LARGEST)
    draft["complaints"].update(max_days="99.999.999.999.999,9")
    draft["procedures"][0].update(handled=LARGEST, handled_late="0")
    return create_submitted_diagnostic(create_institution("1306"), create_cycle(2026), draft=draft)


def test_the_pdf_prints_the_largest_figures_and_their_percentages_exactly(version: Any) -> None:
    text = flat("\n".join(pages_text(render_version_pdf(version)))).replace("\u00a0", " ")

    assert f"Reclamos respondidos en el año {LARGEST}" in text
    assert "% respondidos 99.999.999.999.999.900,0 %" in text
    assert "Tiempo máximo de respuesta 99.999.999.999.999,9" in text
    assert f"Transacciones gestionadas en el año {LARGEST}" in text
    assert "% gestionadas dentro del plazo esperado 100,0 %" in text


def test_the_workbook_holds_the_largest_figures(version: Any) -> None:
    buffer = BytesIO()
    export_consolidated(version.submission.cycle, buffer, None, None)
    result = sheets(buffer.getvalue())

    complaints = records(result["reclamos"])[0]
    assert complaints["2025_n_de_reclamos_recibidos_al_ano"] == 1
    assert complaints["2025_respondidos"] == 9.99999999999999e16  # 15 digits, as Excel holds
    assert complaints["2025_maximo_tiempo_de_respuesta"] == 99_999_999_999_999.9
    procedure = records(result["tramites"])[0]
    assert procedure["2025_n_transacciones_gestionadas_en_el_ano"] == 999_999_999_999_999
