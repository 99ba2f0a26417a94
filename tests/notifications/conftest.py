"""Mail here is written for an installation at :data:`BASE_URL`, as in production."""

from __future__ import annotations

from typing import Any

import pytest

from tests.notifications.mail import BASE_URL


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"PUBLIC_BASE_URL": BASE_URL}
