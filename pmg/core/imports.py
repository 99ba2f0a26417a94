"""What every spreadsheet import reports: rows created, updated, unchanged and skipped.

Imports count per spreadsheet row and list each skipped row with its number (as
Excel shows it) and a reason fit to show the person who uploaded the file. Only
rows that hold nothing to import are skipped (blank lines, notes, totals: rows
without a code); a problem in a row that has one refuses the whole file with
:class:`InvalidRows`, which names every problem by row and column.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import click
from flask import current_app
from flask_wtf import FlaskForm

from pmg.core.errors import DomainError
from pmg.core.spreadsheets import SpreadsheetError, read_limited
from pmg.core.transactions import transaction

BLANK_ROW = "Fila vacía."


@dataclass(frozen=True)
class SkippedRow:
    row_number: int
    reason: str


@dataclass(frozen=True)
class RowProblem:
    """Why a value cannot be imported: its row (as Excel shows it), its column's header as
    written in the file, and what is wrong, as a clause (``el valor «x» no es un número``)."""

    row_number: int
    column: str
    problem: str

    @property
    def sentence(self) -> str:
        """The problem on its own: ``El valor «x» no es un número.``"""
        return self.problem[:1].upper() + self.problem[1:] + "."

    def __str__(self) -> str:
        return f"Fila {self.row_number}, columna {self.column}: {self.problem}."


class InvalidRows(SpreadsheetError):
    """Rows that have a code hold values that cannot be imported: nothing is imported.

    ``headline`` says so in a sentence; ``message`` adds one line per problem.
    """

    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        self.headline = (
            "No se importó nada: el archivo tiene 1 error. Corríjalo y vuelva a importarlo."
            if len(problems) == 1
            else f"No se importó nada: el archivo tiene {len(problems)} errores. "
            "Corríjalos y vuelva a importarlo."
        )
        super().__init__("\n".join([self.headline, *(str(problem) for problem in problems)]))


@dataclass
class RowFindings:
    """What reading a file's rows found: the rows skipped and the problems that refuse it."""

    skipped: list[SkippedRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    def skip(self, row_number: int, reason: str) -> None:
        self.skipped.append(SkippedRow(row_number, reason))

    def add_problem(self, row_number: int, column: str, problem: str) -> None:
        self.problems.append(RowProblem(row_number, column, problem))

    def refuse_if_any_problem(self) -> None:
        if self.problems:
            raise InvalidRows(self.problems)


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


Result = TypeVar("Result", bound=ImportResult)


def import_upload(form: FlaskForm, run: Callable[[bytes], ImportResult]) -> ImportResult | None:
    """An upload page's transaction: read the file within the size limit, ``run`` the import,
    commit; on any refusal roll back and show the message at the file field.

    Problems in rows go to ``form.file.problems``, which the file field lists under its
    message (``_macros/imports.html``).
    """
    form.file.problems = []
    if not form.validate_on_submit():
        return None
    with transaction(DomainError) as outcome:
        limit = current_app.config["PMG_MAX_UPLOAD_BYTES"]
        result = run(read_limited(form.file.data.stream, limit))
    refused = outcome.refusal
    if refused is None:
        return result
    if isinstance(refused, InvalidRows):
        form.file.errors = [refused.headline]
        form.file.problems = refused.problems
    else:
        form.file.errors = [refused.message]
    return None


def import_file(path: Path, run: Callable[[bytes], Result]) -> Result:
    """A command's transaction: read ``path``, ``run`` the import, commit; on any refusal
    roll back and stop the command with the message (nothing was changed)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as missing:
        raise click.ClickException(f"No existe el archivo {path}.") from missing
    except OSError as problem:
        raise click.ClickException(f"No se pudo leer el archivo {path}.") from problem
    with transaction(DomainError) as outcome:
        result = run(data)
    if outcome.refusal is not None:
        raise click.ClickException(outcome.refusal.message) from outcome.refusal
    return result


def echo_import(result: ImportResult) -> None:
    """The rows skipped, each with its number and reason, then the summary line."""
    for row in result.skipped:
        click.echo(f"Fila {row.row_number}: {row.reason}")
    click.echo(result.summary)
