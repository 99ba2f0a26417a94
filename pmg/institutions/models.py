from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pmg.core.models import LabelledEnum, enum_column
from pmg.core.search import keeps_search_text
from pmg.extensions import Model, db

MAX_REPORT_CODE = 64  # characters of an institution's codigo_reporte

class Stage(LabelledEnum):
    """The institution's stage in the system (``ETAPA`` in the catalog)."""

    STAGE_1 = ("etapa_1", "Etapa 1")
    STAGE_2 = ("etapa_2", "Etapa 2")
    STAGE_3 = ("etapa_3", "Etapa 3")
    SAIP = ("saip", "SAIP")


class MesuCommitment(LabelledEnum):
    """Whether the institution also commits the satisfaction survey (MESU)."""

    YES = ("si", "Sí")
    NO = ("no", "No")
    VOLUNTARY = ("voluntaria", "Sí (voluntaria)")

    @property
    def commits(self) -> bool:
        return self is not MesuCommitment.NO


class FunctionalCategory(LabelledEnum):
    SOCIAL_PROTECTION = ("proteccion_social", "PROTECCIÓN SOCIAL Y MEDIOAMBIENTAL")
    GENERAL_SERVICES = ("servicios_generales", "SERVICIOS PÚBLICOS GENERALES")
    EDUCATION_HEALTH = ("educacion_salud", "EDUCACIÓN Y SALUD")
    REGULATION = ("regulacion", "REGULACIÓN")
    PRODUCTIVE_PROMOTION = ("fomento_productivo", "FOMENTO PRODUCTIVO")


@dataclass(frozen=True)
class CatalogEntry:
    """What the official catalog says of an institution, as plain values (the ministry by
    its name): what an imported row carries and what the exports write."""

    code: str
    name: str
    ministry: str
    stage: Stage
    mesu: MesuCommitment
    category: FunctionalCategory
    commits_system: bool


class Ministry(Model):
    __tablename__ = "ministries"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)

    institutions: Mapped[list[Institution]] = relationship(back_populates="ministry")

    def __repr__(self) -> str:
        return f"<Ministry {self.name}>"


class Institution(Model):
    """An institution (*servicio*) keyed by its code in the system, always text."""

    __tablename__ = "institutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    # codigo_reporte of the official consolidated files; '' when it has none.
    report_code: Mapped[str] = mapped_column(
        String(MAX_REPORT_CODE), default="", server_default=""
    )
    name: Mapped[str] = mapped_column(String(300), index=True)
    ministry_id: Mapped[int] = mapped_column(ForeignKey("ministries.id"), index=True)
    stage: Mapped[Stage] = mapped_column(enum_column(Stage, "institution_stage"), index=True)
    commits_system: Mapped[bool] = mapped_column(Boolean, default=True)
    mesu: Mapped[MesuCommitment] = mapped_column(enum_column(MesuCommitment, "institution_mesu"))
    category: Mapped[FunctionalCategory] = mapped_column(
        enum_column(FunctionalCategory, "institution_category"), index=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # What the search box ("Nombre o código") looks in; see pmg.core.search.
    search_text: Mapped[str] = mapped_column(Text)

    ministry: Mapped[Ministry] = relationship(back_populates="institutions")

    _refresh_search_text = keeps_search_text("code", "name")

    def __repr__(self) -> str:
        return f"<Institution {self.code} {self.name}>"


# The institutions each person is linked to: a coordinator sees only these
# (pmg.institutions.queries); ``User.institutions`` reads them.
user_institutions = Table(
    "user_institutions",
    db.metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "institution_id",
        Integer,
        ForeignKey("institutions.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)
