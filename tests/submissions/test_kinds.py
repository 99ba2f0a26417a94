"""The registry of kinds: one entry per kind, named by its slug in URLs and documents."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from blinker import Namespace
from flask import Flask
from flask.testing import FlaskClient

from pmg import create_app
from pmg.core.permissions import Role
from pmg.submissions.kinds import KINDS, by_slug, kind_of, register_kind, slugs
from pmg.submissions.models import SubmissionKind
from pmg.submissions.signals import (
    announce,
    documenting,
    freezing,
    frozen,
    resubmitting,
    transitioned,
)
from tests.factories import create_cycle, create_institution, create_user


def test_every_kind_is_registered_once_with_its_own_slug(app: Flask) -> None:
    assert set(KINDS) == set(SubmissionKind)
    assert slugs() == {SubmissionKind.DIAGNOSTIC: "diagnostico", SubmissionKind.PLAN: "plan"}
    assert by_slug("plan") is KINDS[SubmissionKind.PLAN]
    with pytest.raises(KeyError):
        by_slug("otro")


def test_a_frozen_document_names_its_kind_by_value(app: Flask) -> None:
    assert kind_of("diagnostic") is KINDS[SubmissionKind.DIAGNOSTIC]
    assert kind_of("otro") is None
    assert kind_of(None) is None


def test_a_kind_cannot_be_registered_twice_differently(app: Flask) -> None:
    plan = KINDS[SubmissionKind.PLAN]
    assert register_kind(plan) is plan  # the same entry again changes nothing
    with pytest.raises(ValueError, match="already registered"):
        register_kind(replace(plan, slug="plan-2"))
    assert KINDS[SubmissionKind.PLAN] is plan


def test_urls_name_only_registered_kinds(client: FlaskClient, login_as: Any) -> None:
    institution = create_institution("1306")
    create_cycle()
    login_as(create_user(Role.COORDINATOR, institutions=[institution]))
    assert client.get("/instituciones/1306/plan").status_code == 200
    assert client.get("/instituciones/1306/otro").status_code == 404


def test_building_the_app_again_connects_each_receiver_once(app: Flask) -> None:
    signals = (transitioned, resubmitting, documenting, freezing, frozen)
    before = [len(signal.receivers) for signal in signals]
    create_app({"TESTING": True, "SECRET_KEY": "x"})
    assert [len(signal.receivers) for signal in signals] == before
    # ``transitioned``: mail and the PDFs; ``frozen``: evidence, review (back to its reviewer)
    # and the new version's PDF.
    assert before == [2, 1, 1, 1, 3]


def test_kinds_keep_the_enums_order_whichever_registers_first(app: Flask) -> None:
    diagnostic, plan = KINDS[SubmissionKind.DIAGNOSTIC], KINDS[SubmissionKind.PLAN]
    KINDS.clear()
    register_kind(plan)
    register_kind(diagnostic)
    assert list(KINDS) == [SubmissionKind.DIAGNOSTIC, SubmissionKind.PLAN]


def test_a_signal_nobody_receives_stops_the_change(app: Flask) -> None:
    unwired = Namespace().signal("unwired")
    with pytest.raises(RuntimeError, match=r"pmg\.wiring\.connect"):
        announce(unwired, object())
    unwired.connect(lambda sender: "answer", weak=False)
    assert announce(unwired, object()) == ["answer"]
