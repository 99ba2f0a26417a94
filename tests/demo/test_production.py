from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from pmg.auth.models import User
from pmg.extensions import db
from pmg.institutions.models import Institution


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"PMG_ENV": "production", "PUBLIC_BASE_URL": "https://pmg.ejemplo.gob.cl"}


def test_demo_refuses_to_run_in_production(runner: Any) -> None:
    outcome = runner.invoke(args=["pmg", "demo"])
    assert outcome.exit_code == 1
    assert (
        "Los datos de demostración no se pueden cargar en producción (PMG_ENV=production)."
        in outcome.output
    )
    assert db.session.scalar(select(func.count()).select_from(Institution)) == 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
