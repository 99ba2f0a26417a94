from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pmg.core.models import UTCDateTime, enum_column, utcnow
from pmg.extensions import Model
from pmg.institutions.models import Institution
from pmg.submissions.models import SubmissionKind

if TYPE_CHECKING:
    from pmg.auth.models import User
    from pmg.cycles.models import Cycle


class RequirementCatalog(Model):
    """The technical requirements of one cycle, as loaded from one file with a version.

    A cycle may have several versions; the one loaded last applies to new reviews.
    ``source`` keeps the file's text exactly, so the admin page shows what was loaded.
    """

    __tablename__ = "requirement_catalogs"
    __table_args__ = (UniqueConstraint("cycle_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    version: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    loaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    cycle: Mapped[Cycle] = relationship()
    loaded_by: Mapped[User | None] = relationship()
    requirements: Mapped[list[Requirement]] = relationship(
        back_populates="catalog", order_by="Requirement.position", cascade="all, delete-orphan"
    )

    def applicable(self, institution: Institution, kind: SubmissionKind) -> list[Requirement]:
        return [r for r in self.requirements if r.kind is kind and r.applies_to(institution)]


class Requirement(Model):
    """One requirement: what it asks, of which kind, and to which institutions it applies."""

    __tablename__ = "requirements"
    __table_args__ = (UniqueConstraint("catalog_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    catalog_id: Mapped[int] = mapped_column(ForeignKey("requirement_catalogs.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[SubmissionKind] = mapped_column(enum_column(SubmissionKind, "requirement_kind"))
    # Stage values (``etapa_1`` …); empty means every stage.
    stages: Mapped[list[str]] = mapped_column(JSON, default=list)
    mesu_only: Mapped[bool] = mapped_column(Boolean, default=False)
    # The content sections it concerns (``responsible``, ``gaps`` …): where observations point.
    sections: Mapped[list[str]] = mapped_column(JSON, default=list)

    catalog: Mapped[RequirementCatalog] = relationship(back_populates="requirements")

    def applies_to(self, institution: Institution) -> bool:
        if self.stages and institution.stage.value not in self.stages:
            return False
        return not self.mesu_only or institution.mesu.commits
