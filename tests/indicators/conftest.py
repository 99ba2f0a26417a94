from __future__ import annotations

import pytest
from flask import Flask

from pmg.institutions.models import Institution
from tests.factories import create_institution


@pytest.fixture
def riego(app: Flask) -> Institution:
    return create_institution("1306", "COMISION NACIONAL DE RIEGO")
