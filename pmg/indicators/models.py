"""Yearly indicator figures as the official consolidated files report them.

Every row of a file is stored, texts exactly as written; derived percentages are always
recomputed (:mod:`pmg.indicators.figures`). ``None`` means "not reported": ``-`` in the
files, unless ``unreported_as`` says how the file wrote it (an empty cell, a dash…).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from pmg.core.models import LabelledEnum, enum_column
from pmg.extensions import Model

if TYPE_CHECKING:
    from pmg.cycles.models import Cycle
    from pmg.institutions.models import Institution


class Justification(LabelledEnum):
    """Why a procedure was chosen as relevant."""

    VOLUME = ("masividad", "Masividad (volumen de transacciones)")
    STRATEGIC = (
        "objetivos_estrategicos",
        "Asociado a objetivos estratégicos de la institución (formulario A1)",
    )
    OTHER = ("otra", "Otra razón")


class TimeUnit(LabelledEnum):
    BUSINESS_DAYS = ("dias_habiles", "días hábiles")
    CALENDAR_DAYS = ("dias_corridos", "días corridos")
    HOURS = ("horas", "horas")
    MINUTES = ("minutos", "minutos")


UNREPORTED = "unreported_as"  # the attribute of KeepsUnreported, by name


class KeepsUnreported:
    """A history row that remembers how its file wrote each value it did not report."""

    # {attribute: the cell's text} for the ``None`` values not written ``-`` ('' when empty).
    unreported_as: Mapped[dict[str, str] | None] = mapped_column(JSON)


class YearlyResponseFigures(KeepsUnreported):
    """What complaints and transparency requests both report per institution and year.

    Times are in business days.
    """

    @declared_attr.directive
    def __table_args__(cls) -> tuple[UniqueConstraint]:
        return (UniqueConstraint("institution_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    # Indexed alone: the export finds the first and last year of the history from it.
    year: Mapped[int] = mapped_column(Integer, index=True)
    received: Mapped[int | None] = mapped_column(Integer)
    answered: Mapped[int | None] = mapped_column(Integer)
    mean_days: Mapped[float | None] = mapped_column(Float)
    median_days: Mapped[float | None] = mapped_column(Float)
    min_days: Mapped[float | None] = mapped_column(Float)
    max_days: Mapped[float | None] = mapped_column(Float)
    answered_over_20: Mapped[int | None] = mapped_column(Integer)

    @declared_attr
    def institution(cls) -> Mapped[Institution]:
        return relationship()


class ComplaintFigures(YearlyResponseFigures, Model):
    """*Reclamos* of one institution in one year."""

    __tablename__ = "complaint_figures"


class SaipFigures(YearlyResponseFigures, Model):
    """Transparency requests (Ley 20.285) of one institution in one year, with the bands of
    answered requests by response time."""

    __tablename__ = "saip_figures"

    answered_within_10: Mapped[int | None] = mapped_column(Integer)
    answered_within_15: Mapped[int | None] = mapped_column(Integer)
    answered_within_20: Mapped[int | None] = mapped_column(Integer)


class Procedure(KeepsUnreported, Model):
    """A relevant procedure (*trámite o servicio relevante*) of an institution, by name.

    Texts are kept as the file wrote them; ``justification`` and ``time_unit`` are the
    choices read from ``justification_text`` and ``time_unit_text``, for the rules.
    """

    __tablename__ = "procedures"
    __table_args__ = (UniqueConstraint("institution_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    name: Mapped[str] = mapped_column(String(500))
    justification: Mapped[Justification | None] = mapped_column(
        enum_column(Justification, "procedure_justification")
    )
    justification_text: Mapped[str] = mapped_column(Text, default="")
    other_reason: Mapped[str] = mapped_column(Text, default="")
    start_milestone: Mapped[str] = mapped_column(Text, default="")
    end_milestone: Mapped[str] = mapped_column(Text, default="")
    expected_time: Mapped[float | None] = mapped_column(Float)
    time_unit: Mapped[TimeUnit | None] = mapped_column(enum_column(TimeUnit, "procedure_time_unit"))
    time_unit_text: Mapped[str] = mapped_column(Text, default="")

    institution: Mapped[Institution] = relationship()
    figures: Mapped[list[ProcedureFigures]] = relationship(
        back_populates="procedure", order_by="ProcedureFigures.year", cascade="all, delete-orphan"
    )


class ProcedureFigures(KeepsUnreported, Model):
    """Handling times of one procedure in one year, in the procedure's time unit."""

    __tablename__ = "procedure_figures"
    __table_args__ = (UniqueConstraint("procedure_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer, index=True)  # as YearlyResponseFigures.year
    mean: Mapped[float | None] = mapped_column(Float)
    median: Mapped[float | None] = mapped_column(Float)
    minimum: Mapped[float | None] = mapped_column(Float)
    maximum: Mapped[float | None] = mapped_column(Float)
    handled_late: Mapped[int | None] = mapped_column(Integer)
    handled: Mapped[int | None] = mapped_column(Integer)

    procedure: Mapped[Procedure] = relationship(back_populates="figures")


class CycleTargets(KeepsUnreported, Model):
    """The ``plan_*_meta`` targets of one institution for one cycle, as imported."""

    __tablename__ = "cycle_targets"
    __table_args__ = (UniqueConstraint("institution_id", "cycle_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    complaints_answered_pct: Mapped[float | None] = mapped_column(Float)
    complaints_late_pct: Mapped[float | None] = mapped_column(Float)
    complaints_mean_days: Mapped[float | None] = mapped_column(Float)
    saip_answered_pct: Mapped[float | None] = mapped_column(Float)
    saip_late_pct: Mapped[float | None] = mapped_column(Float)
    saip_mean_days: Mapped[float | None] = mapped_column(Float)

    institution: Mapped[Institution] = relationship()
    cycle: Mapped[Cycle] = relationship()
