"""Factories that build valid objects with sensible defaults; tests name only what matters."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count
from typing import Any

from sqlalchemy import select

from pmg.auth import operations as auth_operations
from pmg.auth.models import Role, User
from pmg.cycles.models import Cycle
from pmg.extensions import db
from pmg.institutions.models import FunctionalCategory, Institution, MesuCommitment, Ministry, Stage

PASSWORD = "clave-de-prueba-123"
_sequence = count(1)


def create_ministry(name: str | None = None) -> Ministry:
    name = name or f"MINISTERIO DE PRUEBA {next(_sequence)}"
    ministry = db.session.scalar(select(Ministry).where(Ministry.name == name))
    if ministry is None:
        ministry = Ministry(name=name)
        db.session.add(ministry)
        db.session.flush()
    return ministry


def create_institution(
    code: str | None = None,
    name: str | None = None,
    *,
    ministry: Ministry | None = None,
    stage: Stage = Stage.STAGE_3,
    mesu: MesuCommitment = MesuCommitment.NO,
    category: FunctionalCategory = FunctionalCategory.GENERAL_SERVICES,
    commit: bool = True,
) -> Institution:
    number = next(_sequence)
    institution = Institution(
        code=code or f"9{number:03d}",
        name=name or f"SERVICIO DE PRUEBA {number}",
        ministry=ministry or create_ministry(),
        stage=stage,
        mesu=mesu,
        category=category,
    )
    db.session.add(institution)
    if commit:
        db.session.commit()
    return institution


def create_user(
    role: Role = Role.ADMIN,
    *,
    email: str | None = None,
    institutions: list[Institution] | None = None,
    active: bool = True,
    password: str = PASSWORD,
) -> User:
    if role is Role.COORDINATOR and not institutions:
        institutions = [create_institution()]
    user = auth_operations.create_user(
        email=email or f"{role.value}{next(_sequence)}@servicio.gob.cl",
        name=f"Persona {role.label}",
        role=role,
        password=password,
        institutions=institutions or [],
    )
    user.active = active
    db.session.commit()
    return user


def create_cycle(year: int | None = None, *, current: bool = True, **windows: Any) -> Cycle:
    """A cycle whose windows are all open today unless ``windows`` says otherwise."""
    today = date.today()
    year = year or today.year
    values: dict[str, Any] = {}
    for kind in ("diagnostic", "plan", "review", "correction", "close"):
        values[f"{kind}_start"] = today - timedelta(days=10)
        values[f"{kind}_end"] = today + timedelta(days=30)
    values.update(windows)
    cycle = Cycle(year=year, reference_year=year - 1, is_current=current, **values)
    db.session.add(cycle)
    db.session.commit()
    return cycle
