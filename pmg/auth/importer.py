"""The import of coordinators from a spreadsheet (.xlsx): one row per person.

Columns, found by their header in the first row that is not blank: the e-mail, the name
and the institutions' codes (several in one cell, separated by ``;``, ``,`` or spaces).
All or nothing: every row is read and checked (against the catalog and the accounts)
before anything changes; any problem refuses the whole file and names each one by row
and column (:class:`InvalidRows`). Blank rows are skipped.

A new e-mail is a new coordinator, without a password: the link to set one is mailed
(:func:`pmg.auth.links.send_link`). An e-mail that is already an enabled coordinator's
adds the listed institutions to that account (none is removed, the name stays as it is),
so importing the same file twice changes nothing; an account of another role, or a
disabled one, is a problem.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from pmg.audit.operations import record
from pmg.auth.audit_names import AccountAction
from pmg.auth.links import send_link
from pmg.auth.models import PasswordLinkPurpose, User
from pmg.auth.operations import create_user, normalize_email, update_user
from pmg.core.errors import Conflict
from pmg.core.imports import BLANK_ROW, ImportResult, RowFindings, SkippedRow
from pmg.core.permissions import Role
from pmg.core.spreadsheets import (
    Row,
    SpreadsheetError,
    choose_sheet,
    compact_text,
    comparable,
    header_row,
    iter_rows,
    open_workbook,
)
from pmg.extensions import db
from pmg.institutions.models import Institution

# Rows of the sheet, header included: room for every coordinator (166 in 2026) and more.
MAX_ROWS = 500
MAX_EMAIL = 254
MAX_NAME = 200
# What each column is called in messages and on the page, and the headers that name it
# (compared without case, accents or extra spaces).
COLUMNS = {"email": "Correo", "name": "Nombre", "institutions": "Instituciones"}
HEADERS = {
    "email": ("correo", "correo electronico", "e-mail", "email"),
    "name": ("nombre", "nombre completo"),
    "institutions": ("instituciones", "codigos de institucion", "codigo de institucion"),
}
CODE_SEPARATORS = re.compile(r"[;,\s]+")


@dataclass(frozen=True)
class CoordinatorRow:
    row_number: int
    email: str
    name: str
    codes: tuple[str, ...]


@dataclass(frozen=True)
class ImportedAccount:
    """What the import did with one row's account, for the page to list."""

    row_number: int
    user: User
    outcome: str
    added: tuple[str, ...]


@dataclass
class CoordinatorImport(ImportResult):
    accounts: list[ImportedAccount] = field(default_factory=list)


def import_coordinators(data: bytes, *, actor: User | None) -> CoordinatorImport:
    """Create or update the coordinators listed in the workbook ``data``; flush, no commit.

    The audit trail names the file by its SHA-256 and keeps the counts; each account
    created or changed, and each link sent, is recorded as well.
    """
    rows, skipped = read_coordinators(data)
    result = CoordinatorImport(skipped=skipped)
    try:
        _apply(rows, result, actor)
    except IntegrityError as clash:
        raise Conflict(
            "Otra persona creó una de estas cuentas mientras se importaba. Intente de nuevo."
        ) from clash
    record(
        AccountAction.IMPORT,
        object_type="ImportedFile",
        object_id=hashlib.sha256(data).hexdigest(),
        actor=actor,
        after=result.counts(),
    )
    return result


def read_coordinators(data: bytes) -> tuple[list[CoordinatorRow], list[SkippedRow]]:
    """Every person's row and every blank one skipped; raises if the file itself cannot be
    used, or with every problem (:class:`InvalidRows`) if any row cannot be imported."""
    with open_workbook(data) as workbook:
        rows = iter_rows(choose_sheet(workbook), MAX_ROWS)
        titles = _read_header(rows)
        parsed, read, findings = _parse_rows(rows, titles)
    _check_catalog_and_accounts(read, titles, findings)
    findings.problems.sort(key=lambda problem: problem.row_number)  # stable: columns in order
    findings.refuse_if_any_problem()
    return parsed, findings.skipped


def _read_header(rows: Iterator[tuple[int, Row]]) -> dict[str, tuple[int, str]]:
    """Each column's position and its header as the file writes it."""
    headers = header_row(rows)
    found: dict[str, tuple[int, str]] = {}
    for key, names in HEADERS.items():
        positions = [i for i, header in enumerate(headers) if comparable(header) in names]
        if len(positions) > 1:
            raise SpreadsheetError(f"La columna {COLUMNS[key]} aparece más de una vez.")
        if positions:
            found[key] = (positions[0], headers[positions[0]])
    missing = [COLUMNS[key] for key in HEADERS if key not in found]
    if missing:
        raise SpreadsheetError(
            "El archivo no tiene el formato de la importación de coordinadores; faltan las "
            f"columnas: {', '.join(missing)} (en la primera fila con datos)."
        )
    return found


@dataclass(frozen=True)
class _Read:
    """What a row gave, problems or not: the database checks its e-mail and codes too."""

    row_number: int
    email: str | None
    codes: tuple[str, ...]


def _parse_rows(
    rows: Iterator[tuple[int, Row]], titles: dict[str, tuple[int, str]]
) -> tuple[list[CoordinatorRow], list[_Read], RowFindings]:
    """The rows without problems; what every row gave; the blank rows and the problems."""
    parsed: list[CoordinatorRow] = []
    read: list[_Read] = []
    findings = RowFindings()
    first_row_of: dict[str, int] = {}
    for row_number, values in rows:
        cells = {
            key: compact_text(values[position]) if position < len(values) else ""
            for key, (position, _) in titles.items()
        }
        if not any(cells.values()):
            findings.skip(row_number, BLANK_ROW)
            continue
        reader = _RowReader(row_number, cells, titles, findings)
        email, name, codes = reader.email(first_row_of), reader.name(), reader.codes()
        read.append(_Read(row_number, email, codes))
        if email is not None and name is not None and codes:
            parsed.append(CoordinatorRow(row_number, email, name, codes))
    return parsed, read, findings


class _RowReader:
    """One person's row as values to import; each problem goes to ``findings``."""

    def __init__(
        self,
        row_number: int,
        cells: dict[str, str],
        titles: dict[str, tuple[int, str]],
        findings: RowFindings,
    ) -> None:
        self.row_number = row_number
        self.cells = cells
        self.titles = titles
        self.findings = findings

    def email(self, first_row_of: dict[str, int]) -> str | None:
        """The e-mail, unless it is not valid or an earlier row has it (``first_row_of``:
        the row of each e-mail so far)."""
        email = self._email()
        if email is not None and email in first_row_of:
            self._problem("email", f"el correo {email} ya aparece en la fila {first_row_of[email]}")
            return None
        if email is not None:
            first_row_of[email] = self.row_number
        return email

    def _problem(self, key: str, problem: str) -> None:
        self.findings.add_problem(self.row_number, self.titles[key][1], problem)

    def _email(self) -> str | None:
        text = self.cells["email"]
        if not text:
            self._problem("email", "falta el correo")
        elif len(text) > MAX_EMAIL:
            self._problem("email", f"el correo tiene más de {MAX_EMAIL} caracteres")
        elif not _is_email(text):
            self._problem("email", f"«{text}» no es un correo electrónico válido")
        else:
            return normalize_email(text)
        return None

    def name(self) -> str | None:
        text = self.cells["name"]
        if not text:
            self._problem("name", "falta el nombre")
        elif len(text) > MAX_NAME:
            self._problem("name", f"el nombre tiene más de {MAX_NAME} caracteres")
        else:
            return text
        return None

    def codes(self) -> tuple[str, ...]:
        """The codes in the cell, each once, in the order written."""
        codes = tuple(
            dict.fromkeys(c for c in CODE_SEPARATORS.split(self.cells["institutions"]) if c)
        )
        if not codes:
            self._problem("institutions", "falta al menos un código de institución")
        return codes


def _is_email(text: str) -> bool:
    """An address the account form would take too (the same validator, no DNS lookup)."""
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def _check_catalog_and_accounts(
    rows: list[_Read], titles: dict[str, tuple[int, str]], findings: RowFindings
) -> None:
    """The problems only the database can tell: unknown codes, and e-mails of accounts that
    the import may not touch."""
    known = set(db.session.scalars(select(Institution.code)))
    accounts = _accounts([row.email for row in rows if row.email is not None])
    for row in rows:
        unknown = [code for code in row.codes if code not in known]
        if unknown:
            codes = ", ".join(unknown)
            findings.add_problem(
                row.row_number,
                titles["institutions"][1],
                f"no existe la institución con código {codes}"
                if len(unknown) == 1
                else f"no existen instituciones con los códigos {codes}",
            )
        refusal = _refusal(accounts.get(row.email or ""))
        if refusal:
            findings.add_problem(row.row_number, titles["email"][1], refusal)


def _accounts(emails: list[str]) -> dict[str, User]:
    if not emails:
        return {}
    query = select(User).where(User.email.in_(emails))
    return {user.email: user for user in db.session.scalars(query)}


def _refusal(user: User | None) -> str | None:
    """Why the import may not touch the existing account ``user``, if it may not."""
    if user is None:
        return None
    if user.role is not Role.COORDINATOR:
        return (
            f"ya existe una cuenta con el correo {user.email} con el rol {user.role.label}; "
            "la importación solo crea coordinadores o agrega instituciones a los existentes"
        )
    if not user.active:
        return (
            f"la cuenta de coordinador de {user.email} está deshabilitada; "
            "habilítela en Usuarios o quite la fila"
        )
    return None


def _apply(rows: list[CoordinatorRow], result: CoordinatorImport, actor: User | None) -> None:
    by_code = {i.code: i for i in db.session.scalars(select(Institution))}
    accounts = _accounts([row.email for row in rows])
    for row in rows:
        chosen = [by_code[code] for code in row.codes]
        user = accounts.get(row.email)
        added: list[Institution] = []
        if user is None:
            user = create_user(
                email=row.email,
                name=row.name,
                role=Role.COORDINATOR,
                password=None,
                institutions=chosen,
                actor=actor,
            )
            send_link(user, PasswordLinkPurpose.INVITATION, actor=actor)
            result.created += 1
            outcome = "Cuenta creada; se envió el enlace para crear su contraseña"
        else:
            added = [i for i in chosen if i not in user.institutions]
            outcome = _add_institutions(user, added, result, actor)
        codes = tuple(i.code for i in added)
        result.accounts.append(ImportedAccount(row.row_number, user, outcome, codes))


def _add_institutions(
    user: User, added: list[Institution], result: CoordinatorImport, actor: User | None
) -> str:
    """Add ``added`` to the existing coordinator ``user``; what was done, for the page."""
    if not added:
        result.unchanged += 1
        return "Cuenta existente, sin cambios"
    update_user(
        user,
        email=user.email,
        name=user.name,
        role=user.role,
        institutions=[*user.institutions, *added],
        actor=actor,
    )
    result.updated += 1
    return "Cuenta existente: se agregaron instituciones"
