"""Time an evidence package of a whole cycle against zipping the same files with zipfile.

Builds the cycle of :mod:`benchmarks.export_consolidated` (the real catalog of 166
institutions, each with a diagnostic and most with a plan, reviewed in every way) on a new
SQLite database, or on PostgreSQL when ``DATABASE_URL`` is set (**its public schema is
dropped and rebuilt**), stores every latest version's PDF as the worker does, then times,
in the same run, after a warm-up:

- the package: ``build_package`` of the whole cycle (the versions chosen, each stored PDF
  looked up, copied into the ZIP and checked against its SHA-256, the stored consolidated
  workbook likewise, the manifests, the ZIP read back and checked, then renamed);
- the baseline: ``zipfile`` writing the same files (the stored PDFs and a copy of the
  workbook, from disk) under the same names, with the same compression.

back to back, ``--runs`` times, alternating which goes first (``harness.paired_ratios``),
each writing a new file, as a worker does. The consolidated workbook is written once for
each state of the data (:mod:`pmg.exports.workbook.stored`): the warm-up package stores
it, as the first package after any change does, and the timed ones find it. What writing it
costs that first package is printed apart. Prints the files and bytes, both medians, the
ratio and PASS/FAIL against the target (≤ 1.5). Exits 1 with ``--strict`` when over it.

    .venv/bin/python benchmarks/package_build.py [--runs 5] [--strict]
"""

from __future__ import annotations

import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.export_consolidated import build
from benchmarks.harness import (
    arguments,
    environment_database,
    migrated_app,
    paired_ratios,
    report,
    seconds,
)
from pmg.cycles.queries import chile_today
from pmg.exports.workbook import consolidated_filename, export_consolidated, write_consolidated
from pmg.packages.builder import build_package
from pmg.packages.queries import Selection, packaged_versions

TARGET = 1.5


def main() -> int:
    options = arguments(__doc__.splitlines()[0])
    with migrated_app(database=environment_database()), tempfile.TemporaryDirectory() as work:
        from pmg.exports.documents.stored import pdf_files, store_pdf

        folder = Path(work)
        cycle = build(1, chile_today())
        selection = Selection(cycle_year=cycle.year)
        versions = packaged_versions(cycle, selection)
        stored = [store_pdf(version) for version in versions]
        pdf_folder = pdf_files.backend().root  # type: ignore[attr-defined]  # a folder here
        workbook = folder / consolidated_filename(cycle)
        with workbook.open("wb") as stream:
            export_consolidated(cycle, stream)
        target = folder / "paquete.zip"
        writing = seconds(lambda: write_consolidated(cycle, folder / "escrito.xlsx"))
        summary = build_package(cycle, selection, target)
        with zipfile.ZipFile(target) as archive:
            names = [n for n in archive.namelist() if n.endswith(".pdf") and "_evidencia/" not in n]
        files = [
            (pdf_folder / kept.stored_name[:2] / kept.stored_name, name)
            for kept, name in zip(stored, names, strict=True)
        ]
        files.append((workbook, workbook.name))

        written = iter(range(1_000_000))

        def new_name() -> Path:
            """A file not there yet, as a worker writes each package to (all of them go
            with the temporary folder)."""
            return folder / f"paquete-{next(written)}.zip"

        def bare_zip() -> None:
            with zipfile.ZipFile(new_name(), "w", compression=zipfile.ZIP_DEFLATED) as z:
                for path, name in files:
                    z.write(path, name)

        timings = paired_ratios(
            lambda: build_package(cycle, selection, new_name()), bare_zip, options.runs
        )
    runs = options.runs
    return report(
        [
            f"package: {summary.versions} versions, {summary.files} files, "
            f"{summary.size:,} bytes",
            f"build_package, median of {runs}: {timings.app_median * 1000:.0f} ms",
            f"zipfile of the same files, median of {runs}: {timings.baseline_median * 1000:.0f} ms",
            f"the workbook, written once for this data (by the warm-up package): "
            f"{writing * 1000:.0f} ms",
        ],
        "ratio",
        timings.median_ratio,
        TARGET,
        strict=options.strict,
    )


if __name__ == "__main__":
    sys.exit(main())
