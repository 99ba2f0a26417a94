"""The official consolidated layouts (reclamos, SAIP, trámites) as data.

One sheet ``consolidado``, one row per institution (per procedure for trámites):
fixed leading columns, then a block of columns per year (oldest first), then
the plan targets. The import reads these definitions and the consolidated
export writes them, so both agree on names and order.

A layout's columns, in export order, are ``layout.headers(years)``:

- ``layout.leading``: :class:`Column` — ``source`` says where the value lives,
  as ``"institution.<attr>"`` or ``"procedure.<attr>"``;
- ``layout.per_year``: for each year, ``f"{year}_{suffix}"`` for every
  :class:`YearFigure` (an attribute of ``layout.figures_model``) or
  :class:`DerivedPercent` (never stored: ``numerator`` ÷ ``denominator`` × 100,
  one decimal, as :func:`pmg.core.numbers.percent`; ``name`` is the key that
  :mod:`pmg.indicators.figures` gives it);
- ``layout.targets``: :class:`Column` whose ``source`` is an attribute of
  :class:`~pmg.indicators.models.CycleTargets`.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any

from pmg.indicators.models import ComplaintFigures, ProcedureFigures, SaipFigures

SHEET = "consolidado"
YEAR_HEADER = re.compile(r"^(\d{4})_(.+)$")


class Kind(enum.Enum):
    """How a cell is read (import) and written (export)."""

    CODE = "code"  # an institution code, kept as text: 1306, 3101_61
    TEXT = "text"
    COUNT = "count"  # a whole number, not negative
    NUMBER = "number"  # a time or a quantity, not negative
    PERCENT = "percent"  # a number from 0 to 100
    JUSTIFICATION = "justification"  # a Justification, by its label
    TIME_UNIT = "time_unit"  # a TimeUnit, by its label


NUMERIC_KINDS = frozenset({Kind.COUNT, Kind.NUMBER, Kind.PERCENT})


@dataclass(frozen=True)
class Column:
    """A fixed column: its header and where its value lives (see the module docstring)."""

    header: str
    source: str
    kind: Kind

    @property
    def attribute(self) -> str:
        """The attribute name without its owner: ``"procedure.name"`` gives ``"name"``."""
        return self.source.rpartition(".")[2]


@dataclass(frozen=True)
class YearFigure:
    """A reported figure of one year: ``{year}_{suffix}`` ↔ ``figures_model.<attribute>``."""

    suffix: str
    attribute: str
    kind: Kind


@dataclass(frozen=True)
class DerivedPercent:
    """A percentage the files show but we recompute: ``numerator`` ÷ ``denominator`` × 100."""

    suffix: str
    name: str
    numerator: str
    denominator: str


YearColumn = YearFigure | DerivedPercent


@dataclass(frozen=True)
class Layout:
    name: str  # as the files and the CLI call it: reclamos, saip, tramites
    label: str  # for people: "reclamos", "solicitudes de acceso a información (SAIP)"
    leading: tuple[Column, ...]
    per_year: tuple[YearColumn, ...]
    targets: tuple[Column, ...]
    figures_model: type[Any]

    @property
    def per_procedure(self) -> bool:
        """One row per procedure (trámites) rather than per institution."""
        return self.figures_model is ProcedureFigures

    @property
    def figures(self) -> tuple[YearFigure, ...]:
        return tuple(column for column in self.per_year if isinstance(column, YearFigure))

    @property
    def derived(self) -> tuple[DerivedPercent, ...]:
        return tuple(column for column in self.per_year if isinstance(column, DerivedPercent))

    def year_headers(self, year: int) -> list[str]:
        return [year_header(year, column) for column in self.per_year]

    def headers(self, years: list[int] | tuple[int, ...]) -> list[str]:
        """Every header in the official order, years oldest first."""
        by_year = [header for year in sorted(years) for header in self.year_headers(year)]
        return [
            *(column.header for column in self.leading),
            *by_year,
            *(column.header for column in self.targets),
        ]


def year_header(year: int, column: YearColumn) -> str:
    return f"{year}_{column.suffix}"


REPORT_CODE = Column("codigo_reporte", "institution.report_code", Kind.CODE)
# What names an institution in every sheet of the consolidated workbook.
IDENTITY_COLUMNS = (
    Column("codigo_interno_SCSEU", "institution.code", Kind.CODE),
    Column("nombre_institucion", "institution.name", Kind.TEXT),
)
INSTITUTION_COLUMNS = (REPORT_CODE, *IDENTITY_COLUMNS)
CODE_HEADER = "codigo_interno_SCSEU"

RESPONSE_TIMES = (
    YearFigure("promedio_tiempo_de_respuesta", "mean_days", Kind.NUMBER),
    YearFigure("mediana_tiempo_de_respuesta", "median_days", Kind.NUMBER),
    YearFigure("minimo_tiempo_de_respuesta", "min_days", Kind.NUMBER),
    YearFigure("maximo_tiempo_de_respuesta", "max_days", Kind.NUMBER),
)

COMPLAINTS = Layout(
    name="reclamos",
    label="reclamos",
    leading=INSTITUTION_COLUMNS,
    per_year=(
        YearFigure("n_de_reclamos_respondidos_en_el_ano", "answered", Kind.COUNT),
        YearFigure("n_de_reclamos_recibidos_al_ano", "received", Kind.COUNT),
        DerivedPercent("respondidos", "answered_pct", "answered", "received"),
        *RESPONSE_TIMES,
        YearFigure(
            "n_de_reclamos_respondidos_en_mas_de_20_dias_habiles_en_el_ano",
            "answered_over_20",
            Kind.COUNT,
        ),
        DerivedPercent(
            "respondidos_en_mas_de_20_dias_habiles",
            "answered_over_20_pct",
            "answered_over_20",
            "answered",
        ),
    ),
    targets=(
        Column("plan_reclamos_resp_anual_meta", "complaints_answered_pct", Kind.PERCENT),
        Column("plan_reclamos_resp_fuera_plazo_meta", "complaints_late_pct", Kind.PERCENT),
        Column("plan_reclamos_tpo_resp_meta", "complaints_mean_days", Kind.NUMBER),
    ),
    figures_model=ComplaintFigures,
)

SAIP_BANDS = (
    ("10_dias_habiles_o_menos", "answered_within_10"),
    ("15_dias_habiles_o_menos", "answered_within_15"),
    ("20_dias_habiles_o_menos", "answered_within_20"),
    ("mas_de_20_dias_habiles", "answered_over_20"),
)

SAIP = Layout(
    name="saip",
    label="solicitudes de acceso a información (SAIP)",
    leading=INSTITUTION_COLUMNS,
    per_year=(
        YearFigure("n_de_saip_respondidas_en_el_ano", "answered", Kind.COUNT),
        YearFigure("n_de_saip_recibidas_al_ano", "received", Kind.COUNT),
        DerivedPercent("respondidas", "answered_pct", "answered", "received"),
        *RESPONSE_TIMES,
        *(
            YearFigure(f"n_de_saip_respondidas_en_{band}", attribute, Kind.COUNT)
            for band, attribute in SAIP_BANDS
        ),
        *(
            DerivedPercent(f"respondidas_en_{band}", f"{attribute}_pct", attribute, "answered")
            for band, attribute in SAIP_BANDS
        ),
    ),
    targets=(
        Column("plan_saip_resp_anual_meta", "saip_answered_pct", Kind.PERCENT),
        Column("plan_saip_resp_fuera_plazo_meta", "saip_late_pct", Kind.PERCENT),
        Column("plan_saip_tpo_resp_meta", "saip_mean_days", Kind.NUMBER),
    ),
    figures_model=SaipFigures,
)

PROCEDURES = Layout(
    name="tramites",
    label="trámites y servicios relevantes",
    leading=(
        *INSTITUTION_COLUMNS,
        Column("nombre_del_tramite_y_o_servicio_relevante", "procedure.name", Kind.TEXT),
        Column(
            "justificacion_de_la_seleccion_del_tramite_y_o_servicio",
            "procedure.justification",
            Kind.JUSTIFICATION,
        ),
        Column(
            "especifique_otra_razon_para_seleccionar_el_tramite_y_o_servicio_solo_si_elige_"
            "otro_en_justificacion_de_seleccion",
            "procedure.other_reason",
            Kind.TEXT,
        ),
        Column("hito_de_inicio", "procedure.start_milestone", Kind.TEXT),
        Column("hito_final", "procedure.end_milestone", Kind.TEXT),
        Column(
            "tiempo_esperado_para_la_gestion_del_servicio_relevante",
            "procedure.expected_time",
            Kind.NUMBER,
        ),
        Column(
            "periodo_de_tiempo_dias_habiles_dias_corridos_horas_minutos",
            "procedure.time_unit",
            Kind.TIME_UNIT,
        ),
    ),
    per_year=(
        YearFigure("promedio", "mean", Kind.NUMBER),
        YearFigure("mediana", "median", Kind.NUMBER),
        YearFigure("minimo", "minimum", Kind.NUMBER),
        YearFigure("maximo", "maximum", Kind.NUMBER),
        YearFigure(
            "n_transacciones_gestionadas_en_un_plazo_mayor_al_esperado", "handled_late", Kind.COUNT
        ),
        YearFigure("n_transacciones_gestionadas_en_el_ano", "handled", Kind.COUNT),
    ),
    targets=(),
    figures_model=ProcedureFigures,
)

LAYOUTS: tuple[Layout, ...] = (COMPLAINTS, SAIP, PROCEDURES)
LAYOUTS_BY_NAME: dict[str, Layout] = {layout.name: layout for layout in LAYOUTS}
