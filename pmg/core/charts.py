"""Charts drawn on the server as SVG by matplotlib: they need no JavaScript (the CSP allows
none inline), print, and go into PDFs as they are.

A chart is a frozen value that says what it shows: its title, its unit, its numbers. Its
drawing is cached by that value, so a page that shows what was drawn before draws nothing;
the same value always gives the same bytes. Every chart also gives its numbers as a
:class:`Table`, which the page shows beside it for screen readers (``_macros/charts.html``).

Pages put a chart in an ``<img>`` through :attr:`Chart.data_uri` (the CSP's ``img-src``
allows ``data:``); PDFs embed :attr:`Chart.svg` inline, since their renderer fetches no URL
but the app's own assets. The SVG refers to nothing outside itself: no metadata links, no
fonts (glyphs are paths), no script.
"""

from __future__ import annotations

import base64
import hashlib
import io
import math
import textwrap
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from statistics import median
from typing import TYPE_CHECKING, Any

import matplotlib
from markupsafe import escape
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from pmg.core.filters import format_number
from pmg.core.numbers import round_half_up

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.typing import RcKeyType

# Glyphs as paths: the SVG needs no font where it is shown; a fixed salt for the ids: the
# same chart gives the same bytes. Applied while drawing only (matplotlib.rc_context), so
# importing this module changes no global setting.
STYLE: dict[RcKeyType, Any] = {
    "svg.fonttype": "path",
    "svg.hashsalt": "pmg-cseu",
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "legend.fontsize": 9,
    "legend.frameon": False,
}
# No date, no creator link, no Dublin Core type URL: nothing that varies or points outside.
METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}

# The colours of the app's palette (static/css/app.css); series after the first take the
# others in order. Contrast against white is at least 3:1 for each, as graphics require.
PALETTE = ("#0a57a4", "#d6336c", "#2b7a3d", "#8a5a00", "#5b3ea8", "#3d3d3d")
# Each series also has its own marker, so lines differ without colour.
MARKERS = ("o", "s", "^", "D", "v", "P")
REFERENCE_COLOUR = "#b03000"
HIGHLIGHT_COLOUR = "#0a57a4"
BAR_COLOUR = "#8fb3d9"
# Inches: 480 × 288 CSS pixels (_macros/charts.html), small enough that its text stays
# legible when a phone shrinks it to the screen.
SIZE = (5.0, 3.0)
CACHE_SIZE = 512

# matplotlib's state (rcParams, font cache) is shared by threads: one drawing at a time.
_drawing = threading.Lock()


def decimal_text(value: float | None) -> str:
    """``12,5`` (es-CL, one decimal, rounded half up as the official files do); ``-`` for a
    missing value."""
    return format_number(None if value is None else round_half_up(value))


def tick_text(value: float) -> str:
    """An axis tick in es-CL: ``1.500``, ``12,5``, ``0,25`` (at most two decimals)."""
    if value == 0:
        return "0"
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


@dataclass(frozen=True)
class Table:
    """A chart's numbers as the page shows them for screen readers (and anyone)."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Series:
    """One line: a value per category of its chart (``None`` where there is none)."""

    label: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class Reference:
    """A value marked across the chart: a target, a median, a legal deadline.

    ``note`` says where it comes from (``plan del ciclo 2026``): the data table shows it
    beside the label; the drawing, which has less room, does not.
    """

    label: str
    value: float
    note: str = ""

    @property
    def row_label(self) -> str:
        return f"{self.label} ({self.note})" if self.note else self.label


class Chart:
    """What every chart offers a page; subclasses are frozen dataclasses with ``title``."""

    title: str

    @property
    def svg(self) -> str:
        """The chart as an SVG element (without the XML prolog), for inline use: its ids
        are its own, so several charts can share a document."""
        return _inline_svg(self)

    @property
    def data_uri(self) -> str:
        return _data_uri(self)

    @property
    def description(self) -> str:
        """The ``alt`` text: the title and where the numbers are."""
        return f"{self.title}. Los datos están en la tabla que sigue al gráfico."

    @cached_property
    def table(self) -> Table:
        raise NotImplementedError

    def draw(self, axes: Axes) -> None:
        raise NotImplementedError


@dataclass(frozen=True)
class LineChart(Chart):
    """Values over categories (years), one line per series, with reference lines.

    A missing value (``None``) breaks its line: the chart draws no trend through a year
    that was not reported.
    """

    title: str
    unit: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    references: tuple[Reference, ...] = ()
    # What the categories are, as the data table's first column says.
    category_label: str = "Año"

    @cached_property
    def table(self) -> Table:
        header = (self.category_label, *(s.label for s in self.series))
        rows = tuple(
            (category, *(decimal_text(s.values[i]) for s in self.series))
            for i, category in enumerate(self.categories)
        )
        rows += tuple(
            (reference.row_label, *(decimal_text(reference.value),) * len(self.series))
            for reference in self.references
        )
        return Table(f"{self.title} ({self.unit})", header, rows)

    def draw(self, axes: Axes) -> None:
        positions = list(range(len(self.categories)))
        for index, series in enumerate(self.series):
            axes.plot(
                positions,
                [math.nan if value is None else value for value in series.values],
                marker=MARKERS[index % len(MARKERS)],
                color=PALETTE[index % len(PALETTE)],
                label=series.label,
                linewidth=2,
            )
        for reference in self.references:
            axes.axhline(
                reference.value,
                color=REFERENCE_COLOUR,
                linestyle="--",
                linewidth=1.5,
                label=f"{reference.label}: {decimal_text(reference.value)}",
            )
        axes.set_xticks(positions, list(self.categories))
        axes.set_xlim(-0.5, max(len(positions) - 0.5, 0.5))
        axes.set_ylabel(self.unit)
        axes.yaxis.set_major_formatter(FuncFormatter(_tick))
        # From zero, with room above the highest point or reference line.
        shown = [v for s in self.series for v in s.values if v is not None]
        highest = max([*shown, *(reference.value for reference in self.references), 0.0])
        axes.set_ylim(0, highest * 1.12 if highest > 0 else 1)
        axes.grid(axis="y", color="#d9d9d9", linewidth=0.6)
        axes.set_axisbelow(True)
        _legend_below(axes)


@dataclass(frozen=True)
class Histogram(Chart):
    """How many institutions fall in each interval of one indicator, with reference lines
    (the median, one institution's value)."""

    title: str
    unit: str
    values: tuple[float, ...]
    # The intervals' edges, ascending: ``len(edges) - 1`` bars.
    edges: tuple[float, ...]
    references: tuple[Reference, ...] = ()

    @property
    def counts(self) -> tuple[int, ...]:
        """Institutions per interval; the last interval includes its upper edge."""
        counts = [0] * (len(self.edges) - 1)
        for value in self.values:
            for index in range(len(counts)):
                upper = self.edges[index + 1]
                last = index == len(counts) - 1
                if self.edges[index] <= value and (value < upper or (last and value <= upper)):
                    counts[index] += 1
                    break
        return tuple(counts)

    @cached_property
    def table(self) -> Table:
        rows = tuple(
            (
                f"{decimal_text(low)} a {decimal_text(high)}",
                format_number(count),
            )
            for low, high, count in zip(self.edges, self.edges[1:], self.counts, strict=False)
        )
        rows += tuple(
            (reference.row_label, decimal_text(reference.value)) for reference in self.references
        )
        return Table(f"{self.title} ({self.unit})", (self.unit, "Instituciones"), rows)

    def draw(self, axes: Axes) -> None:
        widths = [high - low for low, high in zip(self.edges, self.edges[1:], strict=False)]
        axes.bar(
            list(self.edges[:-1]),
            list(self.counts),
            width=widths,
            align="edge",
            color=BAR_COLOUR,
            edgecolor="#ffffff",
        )
        for index, reference in enumerate(self.references):
            axes.axvline(
                reference.value,
                color=REFERENCE_COLOUR if index == 0 else HIGHLIGHT_COLOUR,
                linestyle="--" if index == 0 else "-",
                linewidth=2,
                label=f"{reference.label}: {decimal_text(reference.value)}",
            )
        axes.set_xlabel(self.unit)
        axes.set_ylabel("Instituciones")
        axes.xaxis.set_major_formatter(FuncFormatter(_tick))
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylim(0, max([*self.counts, 1]) * 1.12)
        _legend_below(axes)


def histogram_edges(values: Sequence[float], bins: int = 10) -> tuple[float, ...]:
    """``bins`` equal intervals from 0 (or the lowest value, if negative) to the highest
    value; one interval of width 1 when every value is the same."""
    low = min([0.0, *values])
    high = max([low + 1.0, *values])
    step = (high - low) / bins
    return (*(low + step * index for index in range(bins)), high)


def median_of(values: Sequence[float]) -> float | None:
    return median(values) if values else None


def _tick(value: float, _position: float) -> str:
    return tick_text(value)


# The longest two legend labels that still fit side by side in the chart's width, and the
# longest line of one label (a longer one, an institution's name, wraps).
LEGEND_ROW_CHARACTERS = 56
LEGEND_LINE_CHARACTERS = 48


def _legend_below(axes: Axes) -> None:
    """The legend under the plot, where it hides no point: its entries side by side when
    two fit in the width, else one under the other; none for a chart without entries."""
    handles, labels = axes.get_legend_handles_labels()
    if labels:
        widest = sum(sorted(len(label) for label in labels)[-2:])
        columns = 2 if len(labels) > 1 and widest <= LEGEND_ROW_CHARACTERS else 1
        wrapped = [textwrap.fill(label, LEGEND_LINE_CHARACTERS) for label in labels]
        axes.figure.legend(handles, wrapped, loc="outside lower center", ncols=columns)


@lru_cache(maxsize=CACHE_SIZE)
def _svg(chart: Chart) -> str:
    with _drawing, matplotlib.rc_context(STYLE):
        figure = Figure(figsize=SIZE, layout="constrained")
        chart.draw(figure.subplots())
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata=METADATA)
    text = buffer.getvalue()
    # The title as the SVG's first child (its accessible name where it is inline), without
    # the RDF metadata that matplotlib's "Title" would add with it.
    start = text.index("<svg")
    opened = text.index(">", start) + 1
    return f"{text[start:opened]}\n <title>{escape(chart.title)}</title>{text[opened:]}"


@lru_cache(maxsize=CACHE_SIZE)
def _inline_svg(chart: Chart) -> str:
    """:func:`_svg` with every id and reference to one prefixed by the drawing's digest."""
    text = _svg(chart)
    prefix = f"c{hashlib.sha256(text.encode()).hexdigest()[:10]}-"
    for before, after in (
        ('id="', f'id="{prefix}'),
        ('href="#', f'href="#{prefix}'),
        ("url(#", f"url(#{prefix}"),
    ):
        text = text.replace(before, after)
    return text


@lru_cache(maxsize=CACHE_SIZE)
def _data_uri(chart: Chart) -> str:
    encoded = base64.b64encode(_svg(chart).encode()).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"
