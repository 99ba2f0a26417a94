"""Time the PDF of a large diagnostic against bare WeasyPrint rendering the same HTML.

Submits a diagnostic with 20 procedures and 15 gaps (through the real operations)
in a temporary SQLite database migrated to head, then times, in the same run:

- the app: ``render_version_pdf(version)`` (content, template, restricted fetcher,
  shared font configuration), median of 5 warm runs, interleaved with
  the baseline's;
- the baseline: the same HTML string, with the same stylesheet and fonts, given to
  ``weasyprint.HTML(string=html, base_url=<static folder>).write_pdf()`` with
  WeasyPrint's defaults (its own URL fetcher, a new font configuration each time).

Prints both times, the ratio and PASS/FAIL against the target (≤ 1.2). Exits 0
unless ``--strict`` is given and the ratio is over the target.

    .venv/bin/python benchmarks/pdf_diagnostic.py [--runs 5] [--strict]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade

from pmg import create_app
from pmg.extensions import db
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


def timed(action: Callable[[], Any]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def interleaved_medians(
    first: Callable[[], Any], second: Callable[[], Any], runs: int
) -> tuple[float, float]:
    """Medians of ``runs`` timings of each, alternating which goes first, so that a
    change of load on the machine during the run weighs on both alike."""
    times: tuple[list[float], list[float]] = ([], [])
    for run in range(runs):
        order = ((0, first), (1, second)) if run % 2 == 0 else ((1, second), (0, first))
        for index, action in order:
            times[index].append(timed(action))
    return statistics.median(times[0]), statistics.median(times[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--strict", action="store_true", help="exit 1 when over the target")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite",
                "SECRET_KEY": "benchmark",
                "PMG_PASSWORD_METHOD": "pbkdf2:sha256:1000",
            }
        )
        with app.app_context():
            logging.disable(logging.INFO)  # Alembic's progress lines
            upgrade()
            logging.disable(logging.NOTSET)
            institution = create_institution(
                "1306",
                "Servicio Nacional de Ejemplo",
                ministry=create_ministry("MINISTERIO DE DESARROLLO SOCIAL Y FAMILIA"),
                mesu=MesuCommitment.YES,
            )
            version = create_submitted_diagnostic(institution, create_cycle(), draft=large_draft())

            start = time.perf_counter()
            import weasyprint

            from pmg.exports.pdf import asset_base_url, render_version_html, render_version_pdf

            imported = time.perf_counter() - start
            html = render_version_html(version)
            base_url = asset_base_url()

            def app_render() -> bytes:
                return render_version_pdf(version)

            def bare_render() -> bytes:
                return weasyprint.HTML(string=html, base_url=base_url).write_pdf()

            first = timed(app_render)
            pdf = app_render()
            bare_render()  # warm-up
            ours, bare = interleaved_medians(app_render, bare_render, args.runs)
            db.session.remove()
            db.engine.dispose()

    from pypdf import PdfReader

    pages = len(PdfReader(BytesIO(pdf)).pages)
    ratio = ours / bare
    verdict = "PASS" if ratio <= TARGET else "FAIL"
    print(f"diagnostic: {PROCEDURES} procedures, {GAPS} gaps -> {pages} pages, {len(pdf):,} bytes")
    print(f"import weasyprint + pmg.exports.pdf: {imported:.3f} s (once per process)")
    print(f"render_version_pdf, first in process:  {first:.3f} s")
    print(f"render_version_pdf, median of {args.runs} warm: {ours:.3f} s")
    print(f"bare WeasyPrint, same HTML, median of {args.runs}: {bare:.3f} s")
    print(f"ratio: {ratio:.2f} (target <= {TARGET}) {verdict}")
    return 1 if args.strict and verdict == "FAIL" else 0


if __name__ == "__main__":
    sys.exit(main())
