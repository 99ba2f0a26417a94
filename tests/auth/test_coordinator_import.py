"""The import of coordinators from a spreadsheet: what it creates, and every problem that
refuses the whole file (nothing changes)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from pmg.auth import operations
from pmg.auth.importer import MAX_ROWS, import_coordinators
from pmg.auth.models import PasswordLink, PasswordLinkPurpose, User
from pmg.core.imports import InvalidRows, RowProblem
from pmg.core.permissions import Role
from pmg.core.spreadsheets import SpreadsheetError
from pmg.extensions import db
from pmg.institutions.models import Institution
from tests.audit.trail import entries, only, trail_text
from tests.auth.accounts import coordinators_xlsx, counts, link_in, mails_to
from tests.factories import create_institution, create_user

pytestmark = pytest.mark.usefixtures("catalog")


@pytest.fixture
def catalog(app: Flask) -> dict[str, Institution]:
    return {
        institution.code: institution
        for institution in (
            create_institution("1306", "COMISION NACIONAL DE RIEGO"),
            create_institution("3101_61", "FONDO NACIONAL DE SALUD"),
            create_institution("2000", "SERVICIO DE PRUEBA"),
        )
    }


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    assert user is not None, email
    return user


def _codes(user: User) -> list[str]:
    return sorted(institution.code for institution in user.institutions)


def _refused(data: bytes) -> list[RowProblem]:
    """The problems that refuse ``data``, checking that nothing changed."""
    before = counts()
    with pytest.raises(InvalidRows) as refused:
        import_coordinators(data, actor=None)
    db.session.rollback()
    assert counts() == before
    return refused.value.problems


def test_import_creates_coordinators_without_password_and_mails_each_a_link(
    app: Flask,
) -> None:
    admin = create_user(Role.ADMIN)
    data = coordinators_xlsx(
        ("Ana.Perez@Riego.gob.cl", "Ana Pérez", "1306; 3101_61"),
        ("dora@fonasa.gob.cl", "Dora Díaz", 2000),
    )
    result = import_coordinators(data, actor=admin)
    db.session.commit()

    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert [(a.row_number, a.user.email) for a in result.accounts] == [
        (2, "ana.perez@riego.gob.cl"),
        (3, "dora@fonasa.gob.cl"),
    ]
    ana = _user("ana.perez@riego.gob.cl")
    assert (ana.name, ana.role, ana.active) == ("Ana Pérez", Role.COORDINATOR, True)
    assert _codes(ana) == ["1306", "3101_61"]
    assert not ana.has_password
    with pytest.raises(operations.InvalidCredentials):
        operations.authenticate(ana.email, "", "10.0.0.1")
    link = db.session.scalar(select(PasswordLink).where(PasswordLink.user_id == ana.id))
    assert link is not None and link.purpose is PasswordLinkPurpose.INVITATION
    (mail,) = mails_to("ana.perez@riego.gob.cl")
    assert "/cuenta/activar/" in link_in(mail)
    assert "1306 COMISION NACIONAL DE RIEGO; 3101_61 FONDO NACIONAL DE SALUD" in mail.body
    assert _codes(_user("dora@fonasa.gob.cl")) == ["2000"]  # a number cell is its code
    assert len(mails_to("dora@fonasa.gob.cl")) == 1

    imported = only("user.import")
    assert imported.actor_id == admin.id
    assert imported.after == {"created": 2, "updated": 0, "unchanged": 0, "skipped": 0}
    dora = _user("dora@fonasa.gob.cl")
    by_admin = [e for e in entries() if e.actor_id == admin.id]
    assert [(e.action, e.object_id) for e in by_admin] == [
        ("user.create", str(ana.id)),
        ("user.password_link", str(ana.id)),
        ("user.create", str(dora.id)),
        ("user.password_link", str(dora.id)),
        ("user.import", imported.object_id),
    ]
    assert link_in(mail).rsplit("/", 1)[1] not in trail_text()  # the token is only mailed


def test_codes_may_be_separated_by_semicolons_commas_spaces_or_lines(app: Flask) -> None:
    import_coordinators(
        coordinators_xlsx(("ana@riego.gob.cl", "Ana", "1306,3101_61\n2000 ; 1306")), actor=None
    )
    assert _codes(_user("ana@riego.gob.cl")) == ["1306", "2000", "3101_61"]


def test_headers_are_recognised_however_written_and_other_columns_ignored(app: Flask) -> None:
    data = coordinators_xlsx(
        ("Ana Pérez", "nota", "ana@riego.gob.cl", "1306"),
        header=("NOMBRE COMPLETO", "Observaciones", "Correo electrónico", "Códigos de institución"),
    )
    import_coordinators(data, actor=None)
    assert _user("ana@riego.gob.cl").name == "Ana Pérez"


def test_blank_rows_are_skipped_and_listed(app: Flask) -> None:
    data = coordinators_xlsx((None, None, None), ("ana@riego.gob.cl", "Ana", "1306"), ("", " "))
    result = import_coordinators(data, actor=None)
    assert result.created == 1
    assert [(row.row_number, row.reason) for row in result.skipped] == [
        (2, "Fila vacía."),
        (4, "Fila vacía."),
    ]


def test_an_existing_coordinator_gets_the_listed_institutions_added(
    catalog: dict[str, Institution],
) -> None:
    existing = create_user(
        Role.COORDINATOR, email="ana@riego.gob.cl", name="Ana Pérez", institutions=[catalog["1306"]]
    )
    data = coordinators_xlsx(("ANA@riego.gob.cl", "Otro Nombre", "3101_61; 1306"))

    result = import_coordinators(data, actor=None)
    db.session.commit()
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    assert result.accounts[0].added == ("3101_61",)
    assert _codes(existing) == ["1306", "3101_61"]
    assert existing.name == "Ana Pérez"
    assert existing.has_password
    assert mails_to("ana@riego.gob.cl") == []
    assert only("user.update").after == {"institutions": ["1306", "3101_61"]}

    again = import_coordinators(data, actor=None)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


# (rows after the header, the problem's row, column and text): one of each kind.
PROBLEMS: dict[str, tuple[list[tuple[Any, ...]], int, str, str]] = {
    "missing e-mail": ([("", "Ana", "1306")], 2, "Correo", "falta el correo"),
    "invalid e-mail": (
        [("ana@", "Ana", "1306")],
        2,
        "Correo",
        "«ana@» no es un correo electrónico válido",
    ),
    "e-mail too long": (
        [("a" * 250 + "@x.cl", "Ana", "1306")],
        2,
        "Correo",
        "el correo tiene más de 254 caracteres",
    ),
    "e-mail twice in the file": (
        [("ana@riego.gob.cl", "Ana", "1306"), ("Ana@Riego.gob.cl", "Ana P.", "2000")],
        3,
        "Correo",
        "el correo ana@riego.gob.cl ya aparece en la fila 2",
    ),
    "missing name": ([("ana@riego.gob.cl", " ", "1306")], 2, "Nombre", "falta el nombre"),
    "name too long": (
        [("ana@riego.gob.cl", "A" * 201, "1306")],
        2,
        "Nombre",
        "el nombre tiene más de 200 caracteres",
    ),
    "no code": (
        [("ana@riego.gob.cl", "Ana", " ;, ")],
        2,
        "Instituciones",
        "falta al menos un código de institución",
    ),
    "unknown code": (
        [("ana@riego.gob.cl", "Ana", "1306; 9999")],
        2,
        "Instituciones",
        "no existe la institución con código 9999",
    ),
    "unknown codes": (
        [("ana@riego.gob.cl", "Ana", "9998, 1306, 9999")],
        2,
        "Instituciones",
        "no existen instituciones con los códigos 9998, 9999",
    ),
}


@pytest.mark.parametrize(("rows", "row", "column", "problem"), PROBLEMS.values(), ids=PROBLEMS)
def test_every_problem_refuses_the_whole_file_naming_row_and_column(
    app: Flask, rows: list[tuple[Any, ...]], row: int, column: str, problem: str
) -> None:
    # A good row too: it is not imported either.
    data = coordinators_xlsx(*rows, ("buena@servicio.gob.cl", "Buena", "2000"))
    assert _refused(data) == [RowProblem(row, column, problem)]


def test_problems_name_the_column_as_the_file_writes_it_and_are_all_listed(app: Flask) -> None:
    data = coordinators_xlsx(
        ("", "", "1306"),
        ("x@y", "Ana", "0000"),
        header=("E-mail", "nombre", "Instituciones"),
    )
    assert _refused(data) == [
        RowProblem(2, "E-mail", "falta el correo"),
        RowProblem(2, "nombre", "falta el nombre"),
        RowProblem(3, "E-mail", "«x@y» no es un correo electrónico válido"),
        RowProblem(3, "Instituciones", "no existe la institución con código 0000"),
    ]


@pytest.mark.parametrize(
    ("role", "active", "problem"),
    [
        (
            Role.ADMIN,
            True,
            "ya existe una cuenta con el correo ana@riego.gob.cl con el rol Administrador/a; "
            "la importación solo crea coordinadores o agrega instituciones a los existentes",
        ),
        (
            Role.COORDINATOR,
            False,
            "la cuenta de coordinador de ana@riego.gob.cl está deshabilitada; "
            "habilítela en Usuarios o quite la fila",
        ),
    ],
    ids=["another role", "disabled coordinator"],
)
def test_an_existing_account_the_import_may_not_touch_refuses_the_file(
    app: Flask, role: Role, active: bool, problem: str
) -> None:
    create_user(role, email="ana@riego.gob.cl", active=active)
    data = coordinators_xlsx(
        ("nueva@servicio.gob.cl", "Nueva", "1306"), ("ana@riego.gob.cl", "Ana", "1306")
    )
    assert _refused(data) == [RowProblem(3, "Correo", problem)]


def test_more_rows_than_the_limit_refuse_the_file(app: Flask) -> None:
    rows = [(f"persona{n}@servicio.gob.cl", f"Persona {n}", "1306") for n in range(MAX_ROWS)]
    before = counts()
    with pytest.raises(SpreadsheetError, match=f"supera el máximo de {MAX_ROWS} filas"):
        import_coordinators(coordinators_xlsx(*rows), actor=None)
    db.session.rollback()
    assert counts() == before


def test_a_file_without_the_columns_is_refused_naming_them(app: Flask) -> None:
    data = coordinators_xlsx(("ana@riego.gob.cl", "1306"), header=("Correo", "Código"))
    with pytest.raises(SpreadsheetError, match="faltan las columnas: Nombre, Instituciones"):
        import_coordinators(data, actor=None)


def test_a_column_twice_is_refused(app: Flask) -> None:
    data = coordinators_xlsx(header=("Correo", "Nombre", "Instituciones", "email"))
    with pytest.raises(SpreadsheetError, match="La columna Correo aparece más de una vez"):
        import_coordinators(data, actor=None)


def test_a_file_that_is_not_a_workbook_is_refused(app: Flask) -> None:
    with pytest.raises(SpreadsheetError, match="no es un libro Excel"):
        import_coordinators(b"correo,nombre,instituciones\n", actor=None)
