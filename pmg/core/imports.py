"""What every spreadsheet import reports: rows created, updated, unchanged and skipped.

Imports count per spreadsheet row and list each skipped row with its number (as
Excel shows it) and a reason fit to show the person who uploaded the file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app
from flask_wtf import FlaskForm

from pmg.core.errors import DomainError
from pmg.core.spreadsheets import read_limited
from pmg.extensions import db

BLANK_ROW = "Fila vacía."


@dataclass(frozen=True)
class SkippedRow:
    row_number: int
    reason: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[SkippedRow] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """The summary as the audit trail keeps it."""
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": len(self.skipped),
        }

    @property
    def summary(self) -> str:
        """The one line the CLI ends with and the page shows: ``created N, updated N, …``."""
        return (
            f"created {self.created}, updated {self.updated}, "
            f"unchanged {self.unchanged}, skipped {len(self.skipped)}"
        )


def sentence(problems: list[str]) -> str:
    """``["falta A", "falta B"]`` as ``"Falta A; falta B."``."""
    text = "; ".join(problems)
    return text[0].upper() + text[1:] + "."


def import_upload(form: FlaskForm, run: Callable[[bytes], ImportResult]) -> ImportResult | None:
    """An upload page's transaction: read the file within the size limit, ``run`` the import,
    commit; on any refusal roll back and show the message at the file field."""
    if not form.validate_on_submit():
        return None
    try:
        limit = current_app.config["PMG_MAX_UPLOAD_BYTES"]
        result = run(read_limited(form.file.data.stream, limit))
    except DomainError as refused:
        db.session.rollback()
        form.file.errors = [refused.message]
        return None
    db.session.commit()
    return result
