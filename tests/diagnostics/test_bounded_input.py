"""Unusable numbers and too many rows: said at the field or section, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from pmg.core.numbers import NO_EXPONENT, TOO_MANY_DIGITS
from pmg.core.permissions import Role
from pmg.diagnostics.schema import GAPS
from pmg.extensions import db
from pmg.institutions.models import MesuCommitment
from pmg.submissions.models import Submission, SubmissionKind, SubmissionState
from pmg.submissions.operations import open_submission, save_draft
from tests.diagnostics.test_routes import _post
from tests.factories import (
    create_cycle,
    create_institution,
    create_user,
    diagnostic_draft,
    with_value,
)

FORM = "/instituciones/1306/diagnostico"


@pytest.fixture
def signed_in(client: FlaskClient, login_as: Any) -> dict[str, Any]:
    """A coordinator of institution 1306, signed in, and the current cycle."""
    institution = create_institution("1306", mesu=MesuCommitment.YES)
    cycle = create_cycle(2026)
    coordinator = login_as(create_user(Role.COORDINATOR, institutions=[institution]))
    return {"institution": institution, "cycle": cycle, "coordinator": coordinator}


def _stored(signed_in: dict[str, Any], draft: dict[str, Any]) -> Submission:
    """A draft as it was stored before numbers were bounded: saving keeps what was typed."""
    institution, cycle = signed_in["institution"], signed_in["cycle"]
    submission = open_submission(institution, cycle, SubmissionKind.DIAGNOSTIC)
    save_draft(submission, draft, signed_in["coordinator"], submission.lock_version)
    db.session.commit()
    return submission


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        # More answered in a band than answered: its percentage made the form answer 500.
        ("saip.answered_within_10", "1e5000", NO_EXPONENT),
        ("complaints.answered", "9" * 310, TOO_MANY_DIGITS),
        ("procedures.0.handled", "1e100000", NO_EXPONENT),
        ("satisfaction.0.satisfied_pct", "1" * 16, TOO_MANY_DIGITS),
    ],
)
def test_a_stored_draft_with_an_unusable_number_opens_with_it_and_its_error(
    client: FlaskClient, signed_in: dict[str, Any], path: str, value: str, message: str
) -> None:
    submission = _stored(signed_in, with_value(diagnostic_draft(), path, value))
    field_id = path.replace(".", "-")

    response = client.get(FORM)

    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert f'name="{field_id}" type="text" value="{value}"' in body
    error = body.split(f'id="{field_id}-error">', 1)[1].split("</p>", 1)[0]
    assert error.split() == ["<span", 'class="visually-hidden">Error:</span>', *message.split()]

    check = client.get(f"{FORM}/revisar")
    assert check.status_code == 200
    assert message in check.get_data(as_text=True)

    sent = client.post(f"{FORM}/enviar", data={"lock_version": str(submission.lock_version)})
    assert sent.status_code == 302
    db.session.expire_all()
    assert db.session.get(Submission, submission.id).state is SubmissionState.DRAFT


def _gaps(count: int) -> dict[str, Any]:
    draft = diagnostic_draft()
    draft["gaps"] = [{**draft["gaps"][0], "key": f"brecha-{n}"} for n in range(count)]
    return draft


def _stored_gaps() -> int:
    db.session.expire_all()
    return len(db.session.scalar(select(Submission)).draft["gaps"])


def test_a_gap_beyond_the_maximum_is_not_added(
    client: FlaskClient, signed_in: dict[str, Any]
) -> None:
    _post(client, _gaps(GAPS.max_rows - 1), accion="agregar:gaps")
    assert _stored_gaps() == GAPS.max_rows

    response = _post(client, _gaps(GAPS.max_rows), accion="agregar:gaps")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("#seccion-gaps")
    assert _stored_gaps() == GAPS.max_rows
    body = client.get(FORM).get_data(as_text=True)
    assert (
        '<p class="flash flash-error">No se agregó el registro: «Brechas» admite como máximo '
        "20 registros. Quite uno para agregar otro.</p>"
    ) in body
    assert 'value="agregar:gaps"' not in body
    assert "«Brechas» admite como máximo 20 registros." in body


def test_a_post_with_more_gaps_than_allowed_is_kept_and_said_at_the_section(
    client: FlaskClient, signed_in: dict[str, Any]
) -> None:
    response = _post(client, _gaps(GAPS.max_rows + 2))

    assert response.status_code == 302
    assert _stored_gaps() == GAPS.max_rows + 2  # kept as typed, like any draft
    body = client.get(FORM).get_data(as_text=True)
    assert "«Brechas» admite como máximo 20 registros: quite 2 para poder enviar." in body
    check = client.get(f"{FORM}/revisar").get_data(as_text=True)
    assert "«Brechas» admite como máximo 20 registros: quite 2 para poder enviar." in check


def test_the_form_shows_the_largest_percentage_beside_the_figures(
    client: FlaskClient, signed_in: dict[str, Any]
) -> None:
    draft = diagnostic_draft()
    draft["complaints"].update(received="1", answered="999.999.999.999.999")
    _stored(signed_in, draft)

    response = client.get(FORM)

    assert response.status_code == 200
    assert "99.999.999.999.999.900,0" in response.get_data(as_text=True)
