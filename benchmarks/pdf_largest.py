"""Time the PDFs of the largest diagnostic and plan the forms accept (target: 10 s each).

Builds, from the section specs themselves (so the figures follow any change of a limit),
in a temporary SQLite database migrated to head:

- the largest legal diagnostic: every section that applies to a stage-3 institution that
  commits MESU, every repeated section at its ``max_rows``, every text at its
  ``max_length`` as one word of the widest letter without spaces (``--text lines``: each
  long text cut into its ``max_lines`` lines, which ``white-space: pre-line`` keeps), every
  number with 15 digits;
- the largest legal plan over it: every action at ``max_rows``, each addressing every gap.

Both are submitted through the real operations (so they are legal: no errors), then
``render_version_pdf`` of each is timed: the first render in the process (fonts loaded)
and ``--runs`` more. The baseline, in the same run, is the PDF of the factories' ordinary
diagnostic. Prints pages, sizes and times (CPU, and the wall clock, which on a busy
machine counts other processes' work too), the most form fields each form can post, by
kind, and the size of each form at its largest, then PASS/FAIL of the slowest render's
CPU time against the target. Exits 0 unless ``--strict`` is given and it is over 10 s.

    .venv/bin/python benchmarks/pdf_largest.py [--runs 3] [--strict] [--text words|lines]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.harness import migrated_app, report
from pmg.diagnostics.schema import sections_for as diagnostic_sections
from pmg.institutions.models import Institution, MesuCommitment
from pmg.plans.schema import sections_for as plan_sections
from pmg.submissions.content import SectionSpec
from pmg.submissions.models import SubmissionKind
from tests.factories import (
    create_cycle,
    create_institution,
    create_ministry,
    create_submitted_diagnostic,
    create_user,
    diagnostic_draft,
)
from tests.largest import Filler, form_fields, largest_draft, posted

TARGET_SECONDS = 10.0
Draft = dict[str, Any]


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed renders after the first")
    parser.add_argument("--strict", action="store_true", help="exit 1 when over the target")
    parser.add_argument(
        "--text",
        choices=("words", "lines"),
        default="words",
        help="texts as one unbroken word (default), or long texts in their most lines",
    )
    return parser.parse_args()


def posted_sizes(draft: Draft) -> str:
    """The url-encoded size of ``draft`` as built, and with every character of its values
    one of three bytes in UTF-8 (``€``, ``—``), nine bytes once percent-encoded."""
    pairs = posted(draft)
    heaviest = [(name, "€" * len(value)) for name, value in pairs]
    return f"{len(urlencode(pairs)):,} bytes (all «€»: {len(urlencode(heaviest)):,} bytes)"


# --- Submitting and timing ----------------------------------------------------------------


class Built(NamedTuple):
    """The versions to render, and the drafts and sections they were made of."""

    diagnostic: Any
    plan: Any
    ordinary: Any
    forms: dict[str, tuple[tuple[SectionSpec, ...], Draft]]
    gaps: int


def submit(institution: Institution, cycle: Any, actor: Any, kind: Any, draft: Draft) -> Any:
    from pmg.extensions import db
    from pmg.submissions.operations import open_submission, save_draft
    from pmg.submissions.operations import submit as submit_version

    submission = open_submission(institution, cycle, kind)
    save_draft(submission, draft, actor, submission.lock_version)
    version = submit_version(submission, actor, date.today(), submission.lock_version)
    db.session.commit()
    return version


def build(style: str) -> Built:
    """The largest diagnostic and plan, submitted, and an ordinary diagnostic."""
    from pmg.core.permissions import Role

    institution = create_institution(
        "1306",
        "Servicio Nacional de Ejemplo",
        ministry=create_ministry("MINISTERIO DE DESARROLLO SOCIAL Y FAMILIA"),
        mesu=MesuCommitment.YES,
    )
    cycle = create_cycle()
    coordinator = create_user(Role.COORDINATOR, institutions=[institution])
    start, end = cycle.execution_period
    dates = {"start_date": start.isoformat(), "end_date": end.isoformat()}
    sections = diagnostic_sections(institution)
    draft = largest_draft(sections, Filler(style, dates, [], []))
    diagnostic = submit(institution, cycle, coordinator, SubmissionKind.DIAGNOSTIC, draft)
    gaps = [gap["key"] for gap in draft["gaps"]]
    procedures = [procedure["name"] for procedure in draft["procedures"]]
    plan_specs = plan_sections(institution)
    plan_draft = largest_draft(plan_specs, Filler(style, dates, gaps, procedures))
    plan = submit(institution, cycle, coordinator, SubmissionKind.PLAN, plan_draft)
    other = create_institution("1307", mesu=MesuCommitment.YES)
    ordinary = create_submitted_diagnostic(other, cycle, draft=diagnostic_draft())
    forms = {"diagnostic": (sections, draft), "plan": (plan_specs, plan_draft)}
    return Built(diagnostic, plan, ordinary, forms, len(gaps))


class Render(NamedTuple):
    pdf: bytes
    wall: list[float]  # seconds, the first render then the others
    cpu: list[float]  # seconds of CPU of this process, likewise


def timed(render: Callable[[], bytes], runs: int) -> Render:
    """The PDF, and the wall-clock and CPU time of each render: the first, then ``runs`` more.

    WeasyPrint uses one core: on an idle machine both times are the same.
    """
    result = Render(b"", [], [])
    for _ in range(runs + 1):
        wall, cpu = time.perf_counter(), time.process_time()
        pdf = render()
        result.wall.append(time.perf_counter() - wall)
        result.cpu.append(time.process_time() - cpu)
    return result._replace(pdf=pdf)


def pages(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(BytesIO(pdf)).pages)


def describe(renders: dict[str, Render], built: Built) -> list[str]:
    baseline = statistics.median(renders["baseline (ordinary diagnostic)"].cpu)
    lines = []
    for name, render in renders.items():
        slowest = max(render.cpu)
        lines.append(
            f"{name}: {pages(render.pdf)} pages, {len(render.pdf):,} bytes; "
            f"CPU first {render.cpu[0]:.2f} s, median {statistics.median(render.cpu):.2f} s, "
            f"slowest {slowest:.2f} s ({slowest / baseline:.1f}x baseline); "
            f"wall clock slowest {max(render.wall):.2f} s"
        )
    for name, (sections, draft) in built.forms.items():
        counts = form_fields(sections, built.gaps)
        detail = ", ".join(f"{kind} {count}" for kind, count in counts.items())
        lines.append(f"{name} form fields at most: {sum(counts.values())} ({detail})")
        lines.append(f"{name} form posted at its largest: {posted_sizes(draft)}")
    return lines


def main() -> int:
    options = arguments()
    with migrated_app({"PMG_PASSWORD_METHOD": "pbkdf2:sha256:1000"}):
        from pmg.exports.documents.pdf import render_version_pdf

        built = build(options.text)
        renders = {
            name: timed(lambda version=version: render_version_pdf(version), options.runs)
            for name, version in (
                ("baseline (ordinary diagnostic)", built.ordinary),
                ("largest diagnostic", built.diagnostic),
                ("largest plan", built.plan),
            )
        }
    lines = [f"texts: {options.text}; {options.runs} runs after the first"]
    lines.extend(describe(renders, built))
    slowest = max(max(renders[name].cpu) for name in ("largest diagnostic", "largest plan"))
    return report(
        lines, "slowest render, CPU seconds", slowest, TARGET_SECONDS, strict=options.strict
    )


if __name__ == "__main__":
    sys.exit(main())
