"""The derived search text: what it holds, and that every write path keeps it right.

The search pages themselves are tested with their lists (tests/institutions/test_routes.py,
tests/auth/test_users_admin.py); here, the column they search.
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from pmg.auth import operations as auth_operations
from pmg.auth.models import User
from pmg.core.permissions import Role
from pmg.core.search import search_text, searched
from pmg.extensions import db
from pmg.institutions import operations as institution_operations
from pmg.institutions.importer import import_catalog
from pmg.institutions.models import Institution
from tests.factories import create_institution, create_user
from tests.institutions.workbooks import catalog_row, catalog_xlsx


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (("3101_61", "DEFENSORÍA DE LA NIÑEZ"), "3101_61\ndefensoria de la ninez"),
        (("  EDUCACIÓN \t Y  SALUD ",), "educacion y salud"),
        (("Straße", "ﬁscalía"), "strasse\nfiscalia"),
        (("100% C:\\ARCHIVO_1",), "100% c:\\archivo_1"),
        (("1306", None), "1306\n"),
    ],
)
def test_search_text_folds_case_accents_and_spaces_one_field_a_line(
    fields: tuple[str | None, ...], expected: str
) -> None:
    assert search_text(*fields) == expected


@pytest.mark.parametrize("typed", ["", "   ", "\u0301"])
def test_searched_leaves_the_query_alone_when_nothing_searchable_is_typed(
    app: Flask, typed: str
) -> None:
    query = select(User)
    assert searched(query, User.search_text, typed) is query


def _stored(model: type[Institution] | type[User], row_id: int) -> tuple[str, ...]:
    """What the database holds, read past the session."""
    db.session.expire_all()
    row = db.session.get(model, row_id)
    assert row is not None
    if isinstance(row, Institution):
        return row.code, row.name, row.search_text
    return row.name, row.email, row.search_text


def test_institution_search_text_follows_the_admin_edit(app: Flask) -> None:
    institution = create_institution("2501", "DEFENSORIA DE LA NINEZ")
    institution_operations.update_institution(institution, name="DEFENSORÍA DE LA NIÑEZ")
    db.session.commit()
    assert _stored(Institution, institution.id) == (
        "2501",
        "DEFENSORÍA DE LA NIÑEZ",
        "2501\ndefensoria de la ninez",
    )


def test_institution_search_text_follows_the_catalog_import(app: Flask) -> None:
    import_catalog(catalog_xlsx([catalog_row("1306", SERVICIO="COMISIÓN NACIONAL DE RIEGO")]))
    db.session.commit()
    institution = db.session.scalar(select(Institution).where(Institution.code == "1306"))
    assert institution is not None
    assert _stored(Institution, institution.id)[2] == "1306\ncomision nacional de riego"
    import_catalog(catalog_xlsx([catalog_row("1306", SERVICIO="COMISIÓN DE RIEGO Y DRENAJE")]))
    db.session.commit()
    assert _stored(Institution, institution.id) == (
        "1306",
        "COMISIÓN DE RIEGO Y DRENAJE",
        "1306\ncomision de riego y drenaje",
    )


def test_user_search_text_follows_creation_and_edition(app: Flask) -> None:
    user = create_user(Role.DIPRES, email="analista@dipres.gob.cl", name="Andrés Núñez")
    assert _stored(User, user.id)[2] == "andres nunez\nanalista@dipres.gob.cl"
    auth_operations.update_user(
        user,
        email="ANUNEZ@dipres.gob.cl",
        name="Andrés Núñez Peña",
        role=Role.DIPRES,
        institutions=[],
    )
    db.session.commit()
    assert _stored(User, user.id) == (
        "Andrés Núñez Peña",
        "anunez@dipres.gob.cl",
        "andres nunez pena\nanunez@dipres.gob.cl",
    )
