"""Time the PDF of a large diagnostic against bare WeasyPrint rendering the same HTML.

Submits a diagnostic with 20 procedures and 15 gaps (through the real operations)
in a temporary SQLite database migrated to head, then times, in the same run:

- the app: ``render_version_pdf(version)`` (content, template, restricted fetcher,
  shared font configuration), once first in the process, then median of 5 warm
  runs, interleaved with the baseline's (which goes first alternates, see
  ``harness.paired_ratios``);
- the baseline: the same HTML string, with the same stylesheet and fonts, given to
  ``weasyprint.HTML(string=html, base_url=<static folder>).write_pdf()`` with
  WeasyPrint's defaults (its own URL fetcher, a new font configuration each time).

Prints both medians, their ratio and PASS/FAIL against the target (≤ 1.2). Exits 0
unless ``--strict`` is given and the ratio is over the target.

    .venv/bin/python benchmarks/pdf_diagnostic.py [--runs 5] [--strict]
"""

from __future__ import annotations

import sys
import time
from io import BytesIO
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.harness import arguments, migrated_app, paired_ratios, report
from pmg.institutions.models import MesuCommitment
from tests.factories import (
    create_cycle,
    create_institution,
    create_ministry,
    create_submitted_diagnostic,
    diagnostic_draft,
)

TARGET = 1.2
PROCEDURES, GAPS = 20, 15


def large_draft() -> dict[str, Any]:
    """A diagnostic as a large institution types it: long texts, every section filled."""
    draft = diagnostic_draft(procedures=PROCEDURES, gaps=GAPS)
    for number, procedure in enumerate(draft["procedures"], start=1):
        procedure["name"] = f"Solicitud de beneficio o certificado número {number}"
        procedure["start_milestone"] = "Ingreso de la solicitud por cualquier canal de atención"
        procedure["handled"] = f"{1000 + 137 * number}"
        procedure["handled_late"] = f"{11 * number}"
    for gap in draft["gaps"]:
        if gap["procedure"]:
            gap["procedure"] = draft["procedures"][0]["name"]
        gap["description"] = (
            "Los tiempos de respuesta superan lo comprometido en los meses de mayor demanda, "
            "en especial en las oficinas regionales con menos personal."
        )
        gap["causes"] = "Falta de personal en temporada alta.\nSistema de registro lento."
    return draft


def main() -> int:
    options = arguments(__doc__.splitlines()[0])
    with migrated_app({"PMG_PASSWORD_METHOD": "pbkdf2:sha256:1000"}):
        institution = create_institution(
            "1306",
            "Servicio Nacional de Ejemplo",
            ministry=create_ministry("MINISTERIO DE DESARROLLO SOCIAL Y FAMILIA"),
            mesu=MesuCommitment.YES,
        )
        version = create_submitted_diagnostic(institution, create_cycle(), draft=large_draft())

        start = time.perf_counter()
        import weasyprint

        from pmg.exports.documents.pdf import (
            asset_base_url,
            render_version_html,
            render_version_pdf,
        )

        imported = time.perf_counter() - start
        html = render_version_html(version)
        base_url = asset_base_url()

        def app_render() -> bytes:
            return render_version_pdf(version)

        def bare_render() -> bytes:
            return weasyprint.HTML(string=html, base_url=base_url).write_pdf()

        start = time.perf_counter()
        pdf = app_render()
        first = time.perf_counter() - start
        timings = paired_ratios(app_render, bare_render, options.runs)

    from pypdf import PdfReader

    pages = len(PdfReader(BytesIO(pdf)).pages)
    runs = options.runs
    return report(
        [
            f"diagnostic: {PROCEDURES} procedures, {GAPS} gaps -> {pages} pages, "
            f"{len(pdf):,} bytes",
            f"import weasyprint + pmg.exports.documents.pdf: {imported:.3f} s (once per process)",
            f"render_version_pdf, first in process:  {first:.3f} s",
            f"render_version_pdf, median of {runs} warm: {timings.app_median:.3f} s",
            f"bare WeasyPrint, same HTML, median of {runs}: {timings.baseline_median:.3f} s",
        ],
        "ratio",
        timings.ratio_of_medians,
        TARGET,
        strict=options.strict,
    )


if __name__ == "__main__":
    sys.exit(main())
