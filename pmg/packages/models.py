"""An evidence package asked for in the application: what it holds, how far it got, where
its file is and until when."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pmg.core.caching import unseen_writes
from pmg.core.models import LabelledEnum, UTCDateTime, enum_column, utcnow
from pmg.extensions import Model

if TYPE_CHECKING:
    from pmg.auth.models import User
    from pmg.cycles.models import Cycle


class PackageState(LabelledEnum):
    WAITING = ("waiting", "En cola")
    BUILDING = ("building", "Armándose")
    READY = ("ready", "Listo")
    FAILED = ("failed", "No se pudo armar")
    CANCELLED = ("cancelled", "Cancelado")
    REMOVED = ("removed", "Eliminado")


# A package still on its way: one such per person and selection (a second identical request
# joins it).
UNDER_WAY = (PackageState.WAITING, PackageState.BUILDING)
_UNDER_WAY_SQL = "state IN ('waiting', 'building')"


class EvidencePackage(Model):
    """One request for a package: ``selection`` (:class:`pmg.packages.queries.Selection` as
    plain values) of ``cycle``, by ``requested_by``. While it is built, ``done`` of
    ``total`` steps and a heartbeat; once ready, its file (generated name in the storage of
    ``packages``), size, SHA-256 and when it expires.

    Every change of state is one conditional UPDATE (:mod:`pmg.packages.operations`): a
    worker holds the package by its ``claim`` while it builds, and a person cancelling and a
    worker finishing at the same moment cannot both win.
    """

    __tablename__ = "evidence_packages"
    __table_args__ = (
        Index(
            "uq_evidence_packages_under_way",
            "requested_by_id",
            "selection_key",
            unique=True,
            postgresql_where=text(_UNDER_WAY_SQL),
            sqlite_where=text(_UNDER_WAY_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"))
    selection: Mapped[dict[str, Any]] = mapped_column(JSON)
    selection_key: Mapped[str] = mapped_column(String(64))
    state: Mapped[PackageState] = mapped_column(
        enum_column(PackageState, "evidence_package_state"), default=PackageState.WAITING
    )
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stored_name: Mapped[str | None] = mapped_column(String(32))
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    versions: Mapped[int | None] = mapped_column(Integer)
    files: Mapped[int | None] = mapped_column(Integer)
    problem: Mapped[str] = mapped_column(Text, default="")
    claim: Mapped[str | None] = mapped_column(String(32))

    requested_by: Mapped[User] = relationship()
    cycle: Mapped[Cycle] = relationship()


# No kept page shows the packages (their page reads them at each request): a worker's steps
# and a person's requests keep what pages computed.
unseen_writes(EvidencePackage.__tablename__)
