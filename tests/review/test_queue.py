"""The reviewers' queue: search, filters, sorting by any column and pages, in the query
string; a page costs the same number of statements whatever the queue's length."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from pmg.auth.models import User
from pmg.core.permissions import Role
from pmg.cycles.models import Cycle
from pmg.extensions import db
from pmg.institutions.models import Stage
from pmg.review.models import Outcome
from pmg.review.queries import due_date
from pmg.review.queue import (
    SORTS,
    QueueFilters,
    QueueSort,
    due_expression,
    review_queue,
)
from pmg.submissions.models import Submission, SubmissionKind, SubmissionState
from tests.exports.queries import counting_computed
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_plan,
    create_user,
    load_starting_catalog,
    observe_one,
)
from tests.review.queue_data import approved, submitted, taken

PAGE_SIZE = 2
TODAY = date.today()


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"PMG_PAGE_SIZE": PAGE_SIZE}


@pytest.fixture
def cycle(app: Flask) -> Cycle:
    # Reviews end after corrections do: an observed row is due before one in review.
    made = create_cycle(
        review_end=TODAY + timedelta(days=40), correction_end=TODAY + timedelta(days=20)
    )
    load_starting_catalog(made)
    return made


@pytest.fixture
def reviewer(app: Flask) -> User:
    return create_user(Role.REVIEWER, name="Rosa Revisora")


@pytest.fixture
def five(cycle: Cycle, reviewer: User) -> dict[str, Submission]:
    """Five rows, each different in every column, made in this order (so in id order)."""
    other = create_user(Role.REVIEWER, name="Bruno Revisor")
    rows = {
        "ñuble": submitted(cycle, "SERVICIO DE SALUD ÑUBLE", "2001", stage=Stage.STAGE_2),
        "genero": submitted(cycle, "SERVICIO NACIONAL DE LA MUJER Y LA EQUIDAD DE GÉNERO", "1306"),
        "aduanas": submitted(cycle, "SERVICIO NACIONAL DE ADUANAS", "0801", stage=Stage.SAIP),
        "arica": submitted(cycle, "SERVICIO DE SALUD ARICA", "2002", stage=Stage.STAGE_1),
        "indap": submitted(cycle, "INSTITUTO DE DESARROLLO AGROPECUARIO", "1303"),
    }
    taken(rows["genero"], reviewer, Outcome.MEETS)
    taken(rows["aduanas"], other)
    observe_one(rows["arica"], reviewer)
    approved(rows["indap"], other)
    return rows


DEFAULT = QueueSort()


def _names(filters: QueueFilters, sort: QueueSort = DEFAULT, page: int = 1) -> list[str]:
    cycle = db.session.scalar(select(Cycle))
    assert cycle is not None
    shown = review_queue(cycle, filters, sort, page)
    return [row.submission.institution.name for row in shown.rows]


def _everything(key: str, descending: bool) -> list[str]:
    """The names on every page of the whole queue in one order, page after page."""
    names: list[str] = []
    last: list[str] = []
    for page in range(1, 10):
        found = _names(QueueFilters(), QueueSort(key, descending), page)
        if found == last:  # past the end: the last page again
            return names
        names += found
        last = found
    raise AssertionError("more pages than expected")


# --- Search ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("genero", ["SERVICIO NACIONAL DE LA MUJER Y LA EQUIDAD DE GÉNERO"]),
        ("GÉNERO", ["SERVICIO NACIONAL DE LA MUJER Y LA EQUIDAD DE GÉNERO"]),
        ("  salud ", ["SERVICIO DE SALUD ÑUBLE", "SERVICIO DE SALUD ARICA"]),
        ("nuble", ["SERVICIO DE SALUD ÑUBLE"]),
        ("1306", ["SERVICIO NACIONAL DE LA MUJER Y LA EQUIDAD DE GÉNERO"]),
        ("%", []),
        ("_", []),
        ("", []),  # nothing typed: every row (checked below by count)
    ],
)
def test_search_looks_in_name_and_code_without_case_or_accents(
    five: dict[str, Submission], typed: str, found: list[str]
) -> None:
    sort = QueueSort("institucion", descending=True)
    names = [name for page in (1, 2, 3) for name in _names(QueueFilters(search=typed), sort, page)]
    if typed:
        assert sorted(set(names)) == sorted(found)
    else:
        assert len(set(names)) == len(five)


def test_search_combines_with_the_filters_and_the_counts(
    client: FlaskClient, login_as: Any, five: dict[str, Submission], reviewer: User
) -> None:
    login_as(reviewer)
    body = client.get("/revision/?q=servicio+de+salud&estado=observed").get_data(as_text=True)
    assert "SERVICIO DE SALUD ARICA" in body and "ÑUBLE" not in body
    # The counts per state follow the search, not the state.
    assert "Enviado: <strong>1</strong>" in body
    assert "Con observaciones: <strong>1</strong>" in body
    assert "En revisión: <strong>0</strong>" in body
    assert 'value="servicio de salud"' in body  # what was typed stays in the box
    # Each count links to its state with the search kept.
    assert 'href="/revision/?q=servicio+de+salud&amp;estado=submitted"' in body


def test_a_plan_and_a_diagnostic_of_one_institution_are_two_rows(
    client: FlaskClient, login_as: Any, cycle: Cycle, reviewer: User
) -> None:
    create_submitted_plan(create_institution("3101_61", "FONDO NACIONAL DE SALUD"), cycle)
    login_as(reviewer)
    body = client.get("/revision/?q=fondo&tipo=plan").get_data(as_text=True)
    assert "<caption>Envíos del ciclo" in body and "(1)</caption>" in body
    assert f'href="/revision/3101_61/{cycle.year}/plan"' in body


# --- Sorting ----------------------------------------------------------------------------


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("key", list(SORTS))
def test_every_order_pages_each_row_exactly_once(
    five: dict[str, Submission], key: str, descending: bool
) -> None:
    names = _everything(key, descending)
    assert sorted(names) == sorted(s.institution.name for s in five.values())


ORDERS = [
    # (column, descending, expected keys of ``five``)
    ("institucion", False, ["indap", "arica", "ñuble", "aduanas", "genero"]),
    ("institucion", True, ["genero", "aduanas", "ñuble", "arica", "indap"]),
    # Enum order, not alphabetical: Etapa 1, 2, 3, SAIP; ties by id.
    ("etapa", False, ["arica", "ñuble", "genero", "indap", "aduanas"]),
    ("estado", False, ["ñuble", "genero", "aduanas", "arica", "indap"]),
    ("estado", True, ["indap", "arica", "genero", "aduanas", "ñuble"]),
    # Observed: due at the end of corrections; the rest at the end of reviews; the approved
    # one has no date and comes last both ways.
    ("vence", False, ["arica", "ñuble", "genero", "aduanas", "indap"]),
    ("vence", True, ["ñuble", "genero", "aduanas", "arica", "indap"]),
    # Bruno before Rosa; unassigned last both ways.
    ("revisor", False, ["aduanas", "indap", "genero", "arica", "ñuble"]),
    ("revisor", True, ["genero", "arica", "aduanas", "indap", "ñuble"]),
]


@pytest.mark.parametrize(("key", "descending", "expected"), ORDERS)
def test_sorting_by_a_column(
    five: dict[str, Submission], key: str, descending: bool, expected: list[str]
) -> None:
    assert _everything(key, descending) == [five[name].institution.name for name in expected]


def test_sorting_by_versions_and_by_last_sent(
    cycle: Cycle, reviewer: User, five: dict[str, Submission]
) -> None:
    """The observed row sent again has two versions and the latest sending."""
    from tests.review.queue_data import resubmitted_and_taken

    resubmitted_and_taken(five["ñuble"], reviewer, resolve=False)
    assert _everything("version", True)[0] == "SERVICIO DE SALUD ÑUBLE"
    assert _everything("enviado", True)[0] == "SERVICIO DE SALUD ÑUBLE"
    assert _everything("enviado", False)[-1] == "SERVICIO DE SALUD ÑUBLE"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({}, QueueSort("enviado", False)),
        ({"orden": "vence", "sentido": "desc"}, QueueSort("vence", True)),
        ({"orden": "vence", "sentido": "arriba"}, QueueSort("vence", False)),
        ({"orden": "id; DROP TABLE submissions", "sentido": "desc"}, QueueSort("enviado", True)),
        ({"orden": "12345678901234567890"}, QueueSort("enviado", False)),
    ],
)
def test_an_unknown_order_is_the_default(args: dict[str, str], expected: QueueSort) -> None:
    assert QueueSort.from_args(args) == expected


def _heading(body: str, label: str) -> str:
    match = re.search(rf"<th scope=\"col\"[^>]*>\s*<a href=\"[^\"]*\">{label}<.*?</th>", body, re.S)
    assert match, label
    return match.group(0)


def test_headings_sort_and_say_which_one_sorts(
    client: FlaskClient, login_as: Any, five: dict[str, Submission], reviewer: User
) -> None:
    login_as(reviewer)
    body = client.get("/revision/?q=servicio&orden=vence&sentido=desc&pagina=2").get_data(
        as_text=True
    )
    due = _heading(body, "Vence")
    assert 'aria-sort="descending"' in due
    # Clicked again: the other way round, the search kept, back to the first page.
    assert 'href="/revision/?q=servicio&amp;orden=vence&amp;sentido=asc"' in due
    name = _heading(body, "Institución")
    assert "aria-sort" not in name
    assert 'href="/revision/?q=servicio&amp;orden=institucion&amp;sentido=asc"' in name
    assert body.count("aria-sort=") == 1
    # The search form keeps the order when filtering.
    assert '<input type="hidden" name="orden" value="vence">' in body


def test_without_an_order_the_oldest_sending_comes_first(
    client: FlaskClient, login_as: Any, five: dict[str, Submission], reviewer: User
) -> None:
    login_as(reviewer)
    body = client.get("/revision/?orden=desconocido").get_data(as_text=True)
    assert 'aria-sort="ascending"' in _heading(body, "Enviado")


# --- Pages ------------------------------------------------------------------------------


def test_pages_keep_the_search_the_filters_and_the_order(
    client: FlaskClient, login_as: Any, five: dict[str, Submission], reviewer: User
) -> None:
    login_as(reviewer)
    body = client.get("/revision/?q=servicio&tipo=diagnostic&orden=institucion").get_data(
        as_text=True
    )
    assert "Página 1 de 2" in body
    assert (
        'href="/revision/?pagina=2&amp;q=servicio&amp;tipo=diagnostic&amp;orden=institucion"'
        in body
    )
    second = client.get("/revision/?pagina=2&q=servicio&tipo=diagnostic&orden=institucion")
    text = second.get_data(as_text=True)
    assert "Página 2 de 2" in text
    assert "SERVICIO NACIONAL DE LA MUJER" in text and "SERVICIO DE SALUD ARICA" not in text


@pytest.mark.parametrize(
    ("page", "status", "shown"),
    [
        ("3", 200, "Página 3 de 3"),
        ("2147483647", 200, "Página 3 de 3"),  # past the end: the last page
        ("99999999999999999999", 404, None),  # no page number the database can hold
        ("abc", 404, None),
        ("0", 404, None),
        ("-1", 404, None),
        ("1.5", 404, None),
        ("", 200, "Página 1 de 3"),
    ],
)
def test_a_page_past_the_end_is_the_last_and_garbage_is_404(
    client: FlaskClient,
    login_as: Any,
    five: dict[str, Submission],
    reviewer: User,
    page: str,
    status: int,
    shown: str | None,
) -> None:
    login_as(reviewer)
    response = client.get("/revision/", query_string={"pagina": page})
    assert response.status_code == status
    if shown:
        assert shown in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("arg", "value"),
    [
        ("orden", "12345678901234567890"),
        ("orden", "ñ" * 10_000),
        ("sentido", "9" * 10_000),
        ("q", "ñ" * 10_000),
        ("q", "'; --"),
        ("marcado", "12345678901234567890"),
        ("marcado", "²"),
        ("ministerio", "12345678901234567890"),
    ],
)
def test_hostile_query_strings_answer_the_queue(
    client: FlaskClient,
    login_as: Any,
    five: dict[str, Submission],
    reviewer: User,
    arg: str,
    value: str,
) -> None:
    login_as(reviewer)
    assert client.get("/revision/", query_string={arg: value}).status_code == 200


@pytest.mark.parametrize(
    ("arg", "value", "message"),
    [
        ("vence_hasta", "0001-01-01", "Escriba una fecha entre el 2000-01-01 y el 2100-12-31."),
        ("revisor", "12345678901234567890", "Seleccione una opción de la lista."),
    ],
)
def test_a_filter_in_error_says_so_every_time_the_queue_is_read(
    client: FlaskClient,
    login_as: Any,
    five: dict[str, Submission],
    reviewer: User,
    arg: str,
    value: str,
    message: str,
) -> None:
    login_as(reviewer)
    for _ in range(2):  # the second reads the rows the first kept: the field is checked anyway
        body = client.get("/revision/", query_string={arg: value}).get_data(as_text=True)
        assert message in body


def _statements(client: FlaskClient, path: str) -> int:
    with counting_computed() as statements:
        assert client.get(path).status_code == 200
    return len(statements)


def test_a_page_costs_the_same_statements_whatever_the_queue_length(
    client: FlaskClient, login_as: Any, cycle: Cycle, reviewer: User
) -> None:
    """Every row in review by the person looking, checklist saved: each row asks for its
    reason (review, checklist, observations) and its facts."""
    first = taken(submitted(cycle, "SERVICIO UNO"), reviewer, Outcome.MEETS)
    login_as(reviewer)
    few = _statements(client, "/revision/")
    for number in range(3 * PAGE_SIZE):
        taken(submitted(cycle, f"SERVICIO {number}"), reviewer, Outcome.FAILS)
    observe_one(submitted(cycle, "SERVICIO OBSERVADO"), reviewer)
    many = _statements(client, "/revision/")
    assert many == few
    assert _statements(client, "/revision/?pagina=2&orden=vence") == few
    assert first.state is SubmissionState.IN_REVIEW


# --- Due dates ----------------------------------------------------------------------------


def test_the_due_date_in_sql_is_the_due_date(
    cycle: Cycle, reviewer: User, five: dict[str, Submission]
) -> None:
    """Sorting and filtering by the due date use the same date the row shows: also when the
    correction window was extended past the date given (and when it was not)."""
    extended = five["arica"]
    late = submitted(cycle, "SERVICIO OBSERVADO TARDE")
    observe_one(late, reviewer)
    late.correction_due = TODAY + timedelta(days=60)
    db.session.commit()
    assert extended.correction_due is not None
    extended.correction_due = TODAY + timedelta(days=5)
    db.session.commit()
    rows = db.session.execute(select(Submission, due_expression(cycle))).all()
    assert {s.id: due for s, due in rows} == {s.id: due_date(s) for s, _ in rows}
    assert due_date(extended) == cycle.correction_end
    assert due_date(late) == TODAY + timedelta(days=60)
    assert due_date(five["indap"]) is None
    in_twenty = QueueFilters(due_by=TODAY + timedelta(days=20))
    assert _names(in_twenty) == ["SERVICIO DE SALUD ARICA"]


def test_the_queue_says_no_rows_match(
    client: FlaskClient, login_as: Any, five: dict[str, Submission], reviewer: User
) -> None:
    login_as(reviewer)
    body = client.get("/revision/?q=inexistente").get_data(as_text=True)
    assert "No hay envíos que coincidan con la búsqueda y los filtros." in body
    assert "Página" not in body
    assert SubmissionKind.DIAGNOSTIC.label not in body.split("<tbody>")[1]
