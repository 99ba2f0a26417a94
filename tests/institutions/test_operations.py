from __future__ import annotations

import pytest
from flask import Flask

from pmg.core.errors import DomainError
from pmg.institutions.models import Stage
from pmg.institutions.operations import update_institution
from tests.factories import create_institution, create_ministry


def test_update_institution_returns_only_what_changed(app: Flask) -> None:
    institution = create_institution("1306", "RIEGO", stage=Stage.STAGE_3)
    other = create_ministry("MINISTERIO DE OBRAS PUBLICAS")
    before = institution.ministry
    changes = update_institution(
        institution, name=" RIEGO ", stage=Stage.SAIP, ministry=other, active=True
    )
    assert changes == {"stage": (Stage.STAGE_3, Stage.SAIP), "ministry": (before, other)}
    assert institution.ministry_id == other.id


def test_update_institution_refuses_a_blank_name(app: Flask) -> None:
    institution = create_institution("1306", "RIEGO")
    with pytest.raises(DomainError) as refused:
        update_institution(institution, name="   ")
    assert refused.value.message == "El nombre de la institución no puede quedar vacío."
    assert institution.name == "RIEGO"


def test_update_institution_never_changes_the_code(app: Flask) -> None:
    institution = create_institution("1306")
    with pytest.raises(TypeError, match="not editable: code"):
        update_institution(institution, code="9999")
    assert institution.code == "1306"
