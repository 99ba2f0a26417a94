"""Time a version's PDF download served from storage against rendering the same PDF.

Submits an ordinary diagnostic (:data:`PROCEDURES` procedures, :data:`GAPS` gaps, through
the real operations) in a temporary SQLite
database migrated to head, stores its PDF as a worker does (``store_pdf``), then times,
in the same run, after a warm-up:

- the download: ``GET …/v1.pdf`` by a signed-in reviewer through the application (the
  permission check, the moment the PDF shows, the stored file read, the audit entry);
- the baseline: ``render_version_pdf(version)``, the same PDF rendered now (what every
  download cost before PDFs were stored).

back to back, ``--runs`` times, alternating which goes first (``harness.paired_ratios``).
Prints both medians and the ratio download ÷ rendering, PASS/FAIL against the target
(≤ 0.05: the download at least 20 times faster). Exits 1 with ``--strict`` when over it.

    .venv/bin/python benchmarks/pdf_download.py [--runs 5] [--strict]
"""

from __future__ import annotations

import sys
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.harness import arguments, migrated_app, paired_ratios, report
from pmg.core.permissions import Role
from tests.conftest import BrowserLikeClient, login
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
    diagnostic_draft,
    load_starting_catalog,
)

TARGET = 1 / 20
PROCEDURES, GAPS = 8, 6
PDF = "/instituciones/1306/{year}/diagnostico/v1.pdf"


def main() -> int:
    options = arguments(__doc__.splitlines()[0])
    with migrated_app({"PMG_PASSWORD_METHOD": "pbkdf2:sha256:1000"}) as app:
        cycle = create_cycle()
        load_starting_catalog(cycle)
        draft = diagnostic_draft(procedures=PROCEDURES, gaps=GAPS)
        version = create_submitted_diagnostic(create_institution("1306"), cycle, draft=draft)
        from pmg.exports.documents.pdf import render_version_pdf
        from pmg.exports.documents.stored import store_pdf

        stored = store_pdf(version)
        client = BrowserLikeClient(app)
        assert login(client, create_user(Role.REVIEWER).email).status_code == 302
        path = PDF.format(year=cycle.year)

        def download() -> bytes:
            response = client.get(path)
            assert response.status_code == 200, response.status_code
            return response.data

        downloaded = download()
        assert len(downloaded) == stored.size
        pages = len(PdfReader(BytesIO(downloaded)).pages)
        timings = paired_ratios(download, lambda: render_version_pdf(version), options.runs)

    runs = options.runs
    return report(
        [
            f"diagnostic version 1 ({PROCEDURES} procedures, {GAPS} gaps): "
            f"{pages} pages, {stored.size:,} bytes of PDF",
            f"download from storage, median of {runs}: {timings.app_median * 1000:.1f} ms",
            f"rendering the PDF, median of {runs}: {timings.baseline_median * 1000:.1f} ms",
            f"the download is {timings.baseline_median / timings.app_median:.0f} times faster",
        ],
        "ratio download ÷ rendering (0.05: 20 times faster)",
        timings.ratio_of_medians,
        TARGET,
        strict=options.strict,
    )


if __name__ == "__main__":
    sys.exit(main())
