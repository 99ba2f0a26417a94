"""Reading an institution's indicator history: for the diagnostic form, and as stored."""

from __future__ import annotations

from flask import Flask

from pmg.extensions import db
from pmg.indicators.queries import history_before, stored_history
from tests.exports.queries import counting_queries
from tests.factories import create_cycle, create_institution
from tests.submissions.prefill_history import add_figures, add_procedure


def test_the_history_is_read_once_and_kept_until_an_import_changes_it(app: Flask) -> None:
    institution = create_institution("1306")
    add_figures(institution, 2023)
    add_procedure(institution, "Trámite de prueba", {2024: {"mean": 9.2}})

    with counting_queries() as reading:
        first = history_before(institution.id, 2025)
    assert first.years == [2022, 2023, 2024]
    assert sorted(first.complaints) == [2023] and first.complaints[2023].received == 1250
    assert first.procedure(" trámite DE prueba ")[2024].mean == 9.2

    create_cycle(2026)  # a write to another table: the history is kept
    with counting_queries() as keeping:
        again = history_before(institution.id, 2025)
    assert again == first
    assert not [s for s in keeping if "figures" in s or "procedures" in s]
    assert [s for s in reading if "FROM complaint_figures" in s]

    add_figures(institution, 2024, received=7)  # an import of another year: read again
    assert history_before(institution.id, 2025).complaints[2024].received == 7


def test_one_years_history_and_then_the_whole_in_the_same_session(app: Flask) -> None:
    """A procedure's figures read for one year do not stand for its whole history later,
    nor the other way round."""
    institution = create_institution("1306")
    add_figures(institution, 2023)
    add_figures(institution, 2024)
    add_procedure(institution, "Pago de bonos", {2023: {"mean": 8.0}, 2024: {"mean": 9.2}})
    db.session.expire_all()

    whole = stored_history(institution.id)
    assert [row.year for row in whole.complaints] == [2023, 2024]
    assert [figures.year for figures in whole.procedures[0].figures] == [2023, 2024]
    one = stored_history(institution.id, 2024)
    assert [row.year for row in one.saip] == [2024]
    assert [figures.mean for figures in one.procedures[0].figures] == [9.2]
    again = stored_history(institution.id)
    assert [figures.year for figures in again.procedures[0].figures] == [2023, 2024]
