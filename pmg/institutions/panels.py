"""What packages above this one show on an institution's page, below its facts.

A package that has something to say about an institution (its submissions) registers
a panel: a function that renders its part of the page for one institution. The page
shows every panel, in the order they were registered.
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup

from pmg.institutions.models import Institution

DetailPanel = Callable[[Institution], Markup]

DETAIL_PANELS: list[DetailPanel] = []


def register_detail_panel(panel: DetailPanel) -> None:
    DETAIL_PANELS.append(panel)


def detail_panels(institution: Institution) -> list[Markup]:
    """Every registered panel rendered for ``institution``."""
    return [panel(institution) for panel in DETAIL_PANELS]
