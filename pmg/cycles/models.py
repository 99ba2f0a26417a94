from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, CheckConstraint, Date, Index, Integer, text
from sqlalchemy.orm import Mapped, mapped_column

from pmg.core.models import LabelledEnum
from pmg.extensions import Model


class WindowKind(LabelledEnum):
    """The windows of a cycle, in the order they happen."""

    DIAGNOSTIC = ("diagnostic", "Envío del diagnóstico")
    PLAN = ("plan", "Envío del plan de mejora")
    REVIEW = ("review", "Revisión")
    CORRECTION = ("correction", "Corrección de observaciones")
    CLOSE = ("close", "Cierre")


class Cycle(Model):
    """A PMG year with its windows; exactly one cycle is current at a time."""

    __tablename__ = "cycles"
    __table_args__ = (
        CheckConstraint("reference_year < year", name="reference_before_year"),
        CheckConstraint("execution_start <= execution_end", name="execution_in_order"),
        Index(
            "uq_cycles_current",
            "is_current",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    reference_year: Mapped[int] = mapped_column(Integer)
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)

    diagnostic_start: Mapped[date] = mapped_column(Date)
    diagnostic_end: Mapped[date] = mapped_column(Date)
    plan_start: Mapped[date] = mapped_column(Date)
    plan_end: Mapped[date] = mapped_column(Date)
    review_start: Mapped[date] = mapped_column(Date)
    review_end: Mapped[date] = mapped_column(Date)
    correction_start: Mapped[date] = mapped_column(Date)
    correction_end: Mapped[date] = mapped_column(Date)
    close_start: Mapped[date] = mapped_column(Date)
    close_end: Mapped[date] = mapped_column(Date)
    # When the improvement plan's actions may take place (their start and end dates).
    execution_start: Mapped[date] = mapped_column(Date)
    execution_end: Mapped[date] = mapped_column(Date)

    def window(self, kind: WindowKind) -> tuple[date, date]:
        return getattr(self, f"{kind.value}_start"), getattr(self, f"{kind.value}_end")

    @property
    def execution_period(self) -> tuple[date, date]:
        return self.execution_start, self.execution_end

    def window_is_open(self, kind: WindowKind, today: date) -> bool:
        start, end = self.window(kind)
        return start <= today <= end

    def __repr__(self) -> str:
        return f"<Cycle {self.year}>"
