"""The dashboard tests' world, its clock and the day the pages are looked at."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.dashboard.world import VIEW, Clock, World, build_world


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr("pmg.submissions.workflow.utcnow", clock)
    return clock


@pytest.fixture
def viewed_on_view_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pages are looked at on :data:`VIEW`."""
    monkeypatch.setattr("pmg.workspace.routes.chile_today", lambda: VIEW)
    monkeypatch.setattr("pmg.dashboard.routes.chile_today", lambda: VIEW)


@pytest.fixture
def world(app: Flask, clock: Clock) -> World:
    return build_world(clock)
