"""Fixtures of the export tests: a submitted diagnostic, and the PDFs rendered."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from pmg.exports.documents import pdf
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    load_starting_catalog,
)


@pytest.fixture
def version(app: Flask) -> Any:
    """Version 1 of a diagnostic of 1306 in cycle 2026, which has the starting catalog."""
    cycle = create_cycle(2026)
    load_starting_catalog(cycle)
    return create_submitted_diagnostic(create_institution("1306"), cycle)


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The HTML of every PDF rendered from now on."""
    rendered: list[str] = []
    write = pdf.write_pdf

    def counted(html: str, fetcher: Any = None) -> bytes:
        rendered.append(html)
        return write(html, fetcher)

    monkeypatch.setattr(pdf, "write_pdf", counted)
    return rendered
