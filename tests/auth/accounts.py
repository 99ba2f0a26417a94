"""Spreadsheets of coordinators, and the links the outbox carries."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select

from pmg.audit.models import AuditEntry
from pmg.auth.models import PasswordLink, User
from pmg.extensions import db
from pmg.notifications.models import OutgoingMail
from tests.workbooks import xlsx_bytes

HEADER = ("Correo", "Nombre", "Instituciones")
LINK = re.compile(r"https?://\S+/cuenta/(?:activar|restablecer)/[A-Za-z0-9_-]+")


def coordinators_xlsx(*rows: tuple[Any, ...], header: tuple[Any, ...] = HEADER) -> bytes:
    """A workbook whose first sheet has ``header`` and then ``rows``."""
    return xlsx_bytes({"Coordinadores": [header, *rows]})


def mails_to(email: str) -> list[OutgoingMail]:
    query = select(OutgoingMail).where(OutgoingMail.recipient == email).order_by(OutgoingMail.id)
    return list(db.session.scalars(query))


def link_in(mail: OutgoingMail) -> str:
    """The one link to set a password that ``mail`` carries."""
    found = LINK.findall(mail.body)
    assert len(found) == 1, mail.body
    return str(found[0])


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def counts() -> dict[str, int]:
    """How many accounts, links, mails and audit entries there are: what a refused file
    must leave as it was."""
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model)) or 0
        for model in (User, PasswordLink, OutgoingMail, AuditEntry)
    }
