"""The institution list: each institution with its diagnostic's and plan's standing in a
cycle, filtered by them (the dashboard's conditions), by lateness on both sides of each
deadline and by the institution's own fields; unknown filters said at the field with 400;
the Excel and CSV downloads holding exactly the filtered list, formula-safe; a coordinator
sees only their institutions; and a number of statements that does not grow with the data."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date, timedelta
from html import unescape
from io import BytesIO, StringIO
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from pmg.auth.models import User
from pmg.core.permissions import Role
from pmg.cycles.models import Cycle
from pmg.dashboard.listing import (
    UNKNOWN_CATEGORY,
    UNKNOWN_CYCLE,
    UNKNOWN_KIND,
    UNKNOWN_MINISTRY,
    UNKNOWN_STAGE,
    UNKNOWN_STANDING,
    ListingFilters,
    listing_rows,
)
from pmg.dashboard.standing import BY_VALUE, STANDINGS
from pmg.extensions import db
from pmg.institutions.models import FunctionalCategory, Institution, Ministry, Stage
from pmg.submissions.kinds import KINDS
from pmg.submissions.models import Submission, SubmissionKind, SubmissionState
from tests.exports.queries import counting_computed
from tests.factories import (
    create_cycle,
    create_institution,
    create_ministry,
    create_sample_catalog,
    create_user,
)

S = SubmissionState
D, P = SubmissionKind.DIAGNOSTIC, SubmissionKind.PLAN
DAY = date(2026, 4, 15)  # the diagnostic's window ends; the plan's ends ten days later
CORRECTION_END = DAY + timedelta(days=2)
VIEW = DAY + timedelta(days=3)  # the day the pages are looked at
FIELDS = ["MINISTERIO DE PRUEBA", "Etapa 3", "No", "SERVICIOS PÚBLICOS GENERALES"]
HEADERS = ["Código", "Institución", "Ministerio", "Etapa", "MESU", "Categoría funcional"]
STATE_HEADERS = [
    "Diagnóstico 2026",
    "Diagnóstico 2026 atrasado",
    "Plan de mejora 2026",
    "Plan de mejora 2026 atrasado",
]
FORMULA = '=HYPERLINK("http://ejemplo.cl/?x=1","ver")'


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    ministry: str
    stage: Stage
    diagnostic: S | None = None
    plan: S | None = None
    active: bool = True
    commits: bool = True


# The world of cycle 2026, in the list's order (ministry, then name). ADUANA ZETA is
# inactive with nothing sent: it does not take part, so it is neither «Sin iniciar» nor
# late; CASA THETA does not commit the system but sent: it takes part.
PLACES = (
    Place("1004", "ESCUELA DELTA", "EDUCACIÓN", Stage.SAIP),
    Place("1003", "ESCUELA GAMA", "EDUCACIÓN", Stage.STAGE_1, S.DRAFT),
    Place("1006", "ADUANA ZETA", "HACIENDA", Stage.STAGE_3, active=False),
    Place("1007", "CASA ETA", "HACIENDA", Stage.STAGE_2, S.REJECTED, S.OBSERVED),
    Place("1008", "CASA THETA", "HACIENDA", Stage.STAGE_2, S.RESUBMITTED, S.APPROVED, False, False),
    Place("1005", "TESORERÍA ÉPSILON", "HACIENDA", Stage.STAGE_3, S.IN_REVIEW, S.DRAFT),
    Place("1001", "HOSPITAL ALFA", "SALUD", Stage.STAGE_1, S.APPROVED, S.SUBMITTED),
    Place("1002", "HOSPITAL BETA", "SALUD", Stage.STAGE_2, S.OBSERVED),
)
ALL = [place.code for place in PLACES]
# When each observed submission must be corrected by (the cycle's correction window ends
# on CORRECTION_END; a later date given when observed counts).
DUE = {("1002", D): CORRECTION_END, ("1007", P): DAY + timedelta(days=20)}


@dataclass
class World:
    cycle: Cycle
    previous: Cycle
    admin: User
    ministries: dict[str, Ministry]
    institutions: dict[str, Institution]


def make_cycle(year: int, current: bool) -> Cycle:
    start = DAY - timedelta(days=30)
    return create_cycle(
        year,
        current=current,
        diagnostic_start=start,
        diagnostic_end=DAY,
        plan_start=start,
        plan_end=DAY + timedelta(days=10),
        review_start=start,
        review_end=DAY + timedelta(days=40),
        correction_start=start,
        correction_end=CORRECTION_END,
    )


def add_submission(
    institution: Institution, cycle: Cycle, kind: SubmissionKind, state: S, due: date | None
) -> None:
    db.session.add(
        Submission(institution=institution, cycle=cycle, kind=kind, state=state, correction_due=due)
    )


def build_world() -> World:
    cycle, previous = make_cycle(2026, current=True), make_cycle(2025, current=False)
    names = ("EDUCACIÓN", "HACIENDA", "SALUD")
    ministries = {name: create_ministry(f"MINISTERIO DE {name}") for name in names}
    institutions = {}
    for place in PLACES:
        institution = create_institution(
            place.code, place.name, ministry=ministries[place.ministry], stage=place.stage
        )
        institution.active, institution.commits_system = place.active, place.commits
        institutions[place.code] = institution
        for kind, state in ((D, place.diagnostic), (P, place.plan)):
            if state is not None:
                add_submission(institution, cycle, kind, state, DUE.get((place.code, kind)))
    add_submission(institutions["1001"], previous, D, S.REJECTED, None)
    db.session.commit()
    return World(cycle, previous, create_user(Role.ADMIN), ministries, institutions)


@pytest.fixture
def world(app: Flask) -> World:
    return build_world()


@pytest.fixture
def viewed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pages are looked at on :data:`VIEW`."""
    monkeypatch.setattr("pmg.dashboard.routes.chile_today", lambda: VIEW)


def codes(rows: list[Any]) -> list[str]:
    return [row.institution.code for row in rows]


# --- The rows, as plain functions --------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (
            D,
            {
                "sin_iniciar": ["1004"],
                "draft": ["1003"],
                "submitted": [],
                "in_review": ["1005"],
                "observed": ["1002"],
                "resubmitted": ["1008"],
                "approved": ["1001"],
                "rejected": ["1007"],
            },
        ),
        (
            P,
            {
                "sin_iniciar": ["1004", "1003", "1002"],
                "draft": ["1005"],
                "submitted": ["1001"],
                "in_review": [],
                "observed": ["1007"],
                "resubmitted": [],
                "approved": ["1008"],
                "rejected": [],
            },
        ),
    ],
)
def test_each_standing_filter_lists_the_institutions_shown_in_it(
    world: World, kind: SubmissionKind, expected: dict[str, list[str]]
) -> None:
    spec = KINDS[kind]
    every = listing_rows(world.admin, ListingFilters(cycle=world.cycle), VIEW)
    assert codes(every) == ALL
    assert [standing.value for standing in STANDINGS] == list(expected)
    for standing in STANDINGS:
        filters = ListingFilters(cycle=world.cycle, standings=((spec, standing),))
        found = listing_rows(world.admin, filters, VIEW)
        assert codes(found) == expected[standing.value], standing.value
        shown = [
            row.institution.code
            for row in every
            if row.standings[list(KINDS).index(kind)].standing == standing
        ]
        assert shown == expected[standing.value], standing.value


def test_an_institution_not_taking_part_is_shown_as_such(world: World) -> None:
    every = listing_rows(world.admin, ListingFilters(cycle=world.cycle), VIEW)
    rows = {row.institution.code: row for row in every}
    assert [(s.label, s.late) for s in rows["1006"].standings] == [
        ("No participa", False),
        ("No participa", False),
    ]
    assert [s.label for s in rows["1008"].standings] == ["Reenviado", "Aprobado"]
    assert [s.label for s in rows["1004"].standings] == ["Sin iniciar", "Sin iniciar"]


@pytest.mark.parametrize(
    ("days", "diagnostic", "plan"),
    [
        (0, [], []),  # the diagnostic's last day
        (1, ["1004", "1003"], []),  # its window closed: nothing sent is late
        (2, ["1004", "1003"], []),  # HOSPITAL BETA's correction deadline
        (3, ["1004", "1003", "1002"], []),  # ...passed
        (10, ["1004", "1003", "1002"], []),  # the plan's last day
        (11, ["1004", "1003", "1002"], ["1004", "1003", "1005", "1002"]),
        (20, ["1004", "1003", "1002"], ["1004", "1003", "1005", "1002"]),  # CASA ETA's plan due
        (21, ["1004", "1003", "1002"], ["1004", "1003", "1007", "1005", "1002"]),
    ],
)
def test_late_on_both_sides_of_each_deadline(
    world: World, days: int, diagnostic: list[str], plan: list[str]
) -> None:
    today = DAY + timedelta(days=days)
    every = listing_rows(world.admin, ListingFilters(cycle=world.cycle), today)
    for index, (kind, expected) in enumerate(((D, diagnostic), (P, plan))):
        filters = ListingFilters(cycle=world.cycle, late=KINDS[kind])
        assert codes(listing_rows(world.admin, filters, today)) == expected, kind
        assert [row.institution.code for row in every if row.standings[index].late] == expected


def test_the_filters_add_up(world: World) -> None:
    plan = KINDS[P]
    not_started = ((plan, BY_VALUE["sin_iniciar"]),)

    def found(**filters: Any) -> list[str]:
        return codes(listing_rows(world.admin, ListingFilters(cycle=world.cycle, **filters), VIEW))

    assert found(standings=not_started, stage=Stage.STAGE_1) == ["1003"]
    assert found(standings=not_started, ministry_id=world.ministries["SALUD"].id) == ["1002"]
    assert found(standings=not_started, late=KINDS[D]) == ["1004", "1003", "1002"]
    assert found(standings=not_started, search="escuela") == ["1004", "1003"]
    assert found(
        standings=((KINDS[D], BY_VALUE["approved"]), (plan, BY_VALUE["submitted"]))
    ) == ["1001"]
    assert found(category=FunctionalCategory.REGULATION) == []


def test_the_standings_are_those_of_the_cycle_asked_for(world: World) -> None:
    rows = listing_rows(world.admin, ListingFilters(cycle=world.previous), VIEW)
    shown = {row.institution.code: [s.label for s in row.standings] for row in rows}
    assert shown["1001"] == ["Rechazado", "Sin iniciar"]
    assert shown["1002"] == ["Sin iniciar", "Sin iniciar"]
    rejected = ((KINDS[D], BY_VALUE["rejected"]),)
    filters = ListingFilters(cycle=world.previous, standings=rejected)
    assert codes(listing_rows(world.admin, filters, VIEW)) == ["1001"]


# --- The page ---------------------------------------------------------------------------

ROW = re.compile(r"<tr>\s*(<td>.*?)</tr>", re.S)
CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)


def table(body: str) -> list[list[str]]:
    """The list's rows as the text of their cells."""
    rows = [row for row in ROW.findall(body) if "colspan" not in row]
    return [[text(cell) for cell in CELL.findall(row)] for row in rows]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", html))).strip()


def listed(client: FlaskClient, query: str = "", status: int = 200) -> list[str]:
    response = client.get(f"/instituciones/?{query}")
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return [row[0] for row in table(response.get_data(as_text=True))]


@pytest.mark.usefixtures("viewed")
def test_the_page_shows_each_standing_in_the_current_cycle(
    world: World, client: FlaskClient, login_as: Any
) -> None:
    login_as(create_user(Role.DIPRES))
    body = client.get("/instituciones/").get_data(as_text=True)
    headers = re.findall(r'<th scope="col">(.*?)</th>', body)
    assert headers == [*HEADERS, "Diagnóstico 2026", "Plan de mejora 2026"]
    assert "Instituciones y el estado de sus envíos en el ciclo 2026 (8)" in body
    rows = {row[0]: row for row in table(body)}
    assert list(rows) == ALL
    assert rows["1002"] == [
        "1002",
        "HOSPITAL BETA",
        "MINISTERIO DE SALUD",
        "Etapa 2",
        "No",
        "SERVICIOS PÚBLICOS GENERALES",
        "Con observaciones atrasado",
        "Sin iniciar",
    ]
    assert rows["1004"][6:] == ["Sin iniciar atrasado", "Sin iniciar"]
    assert rows["1006"][1] == "ADUANA ZETA (inactiva)"
    assert rows["1006"][6:] == ["No participa", "No participa"]
    assert rows["1001"][6:] == ["Aprobado", "Enviado"]
    assert '<strong class="status-closed">atrasado</strong>' in body
    assert '<option selected value="2026">2026</option>' in body


@pytest.mark.usefixtures("viewed")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("plan=sin_iniciar", ["1004", "1003", "1002"]),
        ("diagnostico=observed", ["1002"]),
        ("atrasadas=diagnostico", ["1004", "1003", "1002"]),
        ("atrasadas=plan", []),
        ("ciclo=2026&plan=sin_iniciar&etapa=etapa_1", ["1003"]),
        ("ciclo=2025&diagnostico=rejected", ["1001"]),
        ("ciclo=2025&atrasadas=diagnostico", ["1004", "1003", "1007", "1005", "1002"]),
        ("ciclo=&plan=draft", ["1005"]),  # no cycle chosen: the current one
        ("q=hospital&diagnostico=approved", ["1001"]),
        ("etapa=saip", ["1004"]),
        ("categoria=servicios_generales&plan=approved", ["1008"]),
    ],
)
def test_the_page_filters_by_standing_lateness_and_fields(
    world: World, client: FlaskClient, login_as: Any, query: str, expected: list[str]
) -> None:
    login_as(create_user(Role.REVIEWER))
    assert listed(client, query) == expected


@pytest.mark.usefixtures("viewed")
def test_the_filters_stay_chosen_and_the_links_keep_them(
    world: World, client: FlaskClient, login_as: Any
) -> None:
    login_as(create_user(Role.ADMIN))
    body = client.get("/instituciones/?ciclo=2025&plan=draft&atrasadas=plan").get_data(as_text=True)
    assert '<option selected value="2025">2025</option>' in body
    assert '<option selected value="draft">Borrador</option>' in body
    assert '<option selected value="plan">Plan de mejora</option>' in body
    for download in ("xlsx", "csv"):
        href = f"/instituciones/descargar.{download}?ciclo=2025&amp;plan=draft&amp;atrasadas=plan"
        assert f'href="{href}"' in body


@pytest.mark.usefixtures("viewed")
@pytest.mark.parametrize(
    ("arg", "value", "message"),
    [
        ("ciclo", "1999", UNKNOWN_CYCLE),
        ("ciclo", "12345678901234567890", UNKNOWN_CYCLE),
        ("ministerio", "12345678901234567890", UNKNOWN_MINISTRY),
        ("ministerio", "abc", UNKNOWN_MINISTRY),
        ("ministerio", "-1", UNKNOWN_MINISTRY),
        ("ministerio", "²", UNKNOWN_MINISTRY),
        ("etapa", "etapa_9", UNKNOWN_STAGE),
        ("categoria", "salud", UNKNOWN_CATEGORY),
        ("diagnostico", "borrador", UNKNOWN_STANDING),
        ("plan", "Sin iniciar", UNKNOWN_STANDING),
        ("atrasadas", "informe", UNKNOWN_KIND),
    ],
)
def test_an_unknown_filter_is_400_with_the_message_at_the_field(
    world: World, client: FlaskClient, login_as: Any, arg: str, value: str, message: str
) -> None:
    login_as(create_user(Role.ADMIN))
    response = client.get("/instituciones/", query_string={arg: value})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(
        rf'<p class="field-error" id="{arg}-error">\s*'
        rf'<span class="visually-hidden">Error:</span> {re.escape(message)}\s*</p>',
        body,
    )
    assert f'aria-describedby="{arg}-error"' in body
    assert [row[0] for row in table(body)] == ALL  # the unknown filter is left out
    assert "Diagnóstico 2026" in body  # an unknown cycle: the current one is shown
    for download in ("xlsx", "csv"):
        refused = client.get(f"/instituciones/descargar.{download}", query_string={arg: value})
        assert refused.status_code == 400
        assert message in refused.get_data(as_text=True)


def test_without_any_cycle_the_list_has_no_standings(
    client: FlaskClient, login_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pmg.dashboard.routes.chile_today", lambda: VIEW)
    ministry = create_ministry("MINISTERIO DE PRUEBA")
    create_institution("1306", "COMISION NACIONAL DE RIEGO", ministry=ministry)
    login_as(create_user(Role.DIPRES))
    body = client.get("/instituciones/?plan=draft&ciclo=2026").get_data(as_text=True)
    assert re.findall(r'<th scope="col">(.*?)</th>', body) == HEADERS
    assert 'id="ciclo"' not in body and 'id="plan"' not in body and 'id="atrasadas"' not in body
    assert [row[0] for row in table(body)] == ["1306"]
    response = client.get("/instituciones/descargar.csv")
    name = f"instituciones_{VIEW.isoformat()}.csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    assert read_csv(response) == [HEADERS, ["1306", "COMISION NACIONAL DE RIEGO", *FIELDS]]


# --- The institution's own fields: search, ministry, pagination ---------------------------


@pytest.fixture
def catalog() -> dict[str, Any]:
    return create_sample_catalog()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.REVIEWER, Role.DIPRES])
def test_the_list_is_by_ministry_and_name(
    client: FlaskClient, login_as: Any, catalog: dict[str, Any], role: Role
) -> None:
    login_as(create_user(role))
    response = client.get("/instituciones/")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert [row[0] for row in table(body)] == ["1306", "1303", "3101_61"]
    assert "<caption>Instituciones (3)</caption>" in body
    assert '<form method="get" class="filters" role="search"' in body
    assert '<label for="q">Nombre o código</label>' in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=riego", ["1306"]),
        ("q=NACIONAL", ["1306", "3101_61"]),
        ("q=3101_61", ["3101_61"]),
        ("q=130", ["1306", "1303"]),
        ("etapa=saip", ["3101_61"]),
        ("categoria=fomento_productivo", ["1303"]),
        ("etapa=etapa_3&categoria=servicios_generales", ["1306"]),
        ("q=inexistente", []),
    ],
)
def test_the_search_and_the_institutions_fields(
    client: FlaskClient, login_as: Any, catalog: dict[str, Any], query: str, expected: list[str]
) -> None:
    login_as(create_user(Role.ADMIN))
    assert listed(client, query) == expected


def test_the_ministry_filter_stays_chosen_and_no_match_says_so(
    client: FlaskClient, login_as: Any, catalog: dict[str, Any]
) -> None:
    login_as(create_user(Role.ADMIN))
    ministry_id = catalog["fonasa"].ministry_id
    body = client.get(f"/instituciones/?ministerio={ministry_id}").get_data(as_text=True)
    assert [row[0] for row in table(body)] == ["3101_61"]
    assert f'<option selected value="{ministry_id}">MINISTERIO DE SALUD</option>' in body
    body = client.get("/instituciones/?q=inexistente").get_data(as_text=True)
    assert '<td colspan="6">No hay instituciones que coincidan con la búsqueda.</td>' in body
    assert 'value="inexistente"' in body


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ninez", ["2501"]),
        ("NIÑEZ", ["2501"]),
        ("defensoria", ["2501"]),
        ("EDUCACIÓN", ["2502"]),
        ("  superintendencia   DE  ", ["2502"]),
        ("%", ["2503"]),
        ("_", ["2504_1"]),
        ("o'higgins", ["2504_1"]),
        ("c:\\arch", ["2505"]),
        ("%%", []),
    ],
)
def test_the_search_ignores_case_and_accents_and_reads_every_character_literally(
    client: FlaskClient, login_as: Any, typed: str, expected: list[str]
) -> None:
    ministry = create_ministry("MINISTERIO DE DESARROLLO SOCIAL Y FAMILIA")
    for code, name in [
        ("2501", "DEFENSORÍA DE LA NIÑEZ"),
        ("2502", "SUPERINTENDENCIA DE EDUCACION"),
        ("2503", "PROGRAMA 100% CHILE"),
        ("2504_1", "SERVICIO DE SALUD O'HIGGINS / LIBERTADOR"),
        ("2505", "UNIDAD C:\\ARCHIVO"),
    ]:
        create_institution(code, name, ministry=ministry)
    login_as(create_user(Role.REVIEWER))
    response = client.get("/instituciones/", query_string={"q": typed})
    assert response.status_code == 200
    assert [row[0] for row in table(response.get_data(as_text=True))] == expected


class TestPagination:
    @pytest.fixture
    def app_config(self) -> dict[str, Any]:
        return {"PMG_PAGE_SIZE": 2}

    @pytest.mark.usefixtures("viewed")
    def test_the_pages_keep_the_filters_and_the_downloads_hold_every_page(
        self, world: World, client: FlaskClient, login_as: Any
    ) -> None:
        login_as(create_user(Role.ADMIN))
        first = client.get("/instituciones/?plan=sin_iniciar").get_data(as_text=True)
        second = client.get("/instituciones/?plan=sin_iniciar&pagina=2").get_data(as_text=True)
        past = client.get("/instituciones/?plan=sin_iniciar&pagina=9").get_data(as_text=True)
        assert [row[0] for row in table(first)] == ["1004", "1003"]
        assert [row[0] for row in table(second)] == ["1002"]
        assert [row[0] for row in table(past)] == ["1002"]
        assert "Página 1 de 2 · 3 resultados" in first
        assert 'href="/instituciones/?pagina=2&amp;ciclo=2026&amp;plan=sin_iniciar"' in first
        csv_rows = read_csv(client.get("/instituciones/descargar.csv?plan=sin_iniciar"))
        assert [row[0] for row in csv_rows[1:]] == ["1004", "1003", "1002"]


# --- Downloads ---------------------------------------------------------------------------


def read_xlsx(response: Any) -> list[list[Any]]:
    sheet = load_workbook(BytesIO(response.data)).active
    rows = sheet.iter_rows(values_only=True)
    return [["" if value is None else value for value in row] for row in rows]


def read_csv(response: Any) -> list[list[str]]:
    assert response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(StringIO(response.data.decode("utf-8-sig")), delimiter=";"))


@pytest.mark.usefixtures("viewed")
@pytest.mark.parametrize(
    "query",
    [
        "",
        "plan=sin_iniciar",
        "atrasadas=diagnostico",
        "ciclo=2025&diagnostico=rejected",
        "q=escuela&etapa=saip",
        "diagnostico=submitted",
    ],
)
def test_the_downloads_hold_exactly_the_filtered_list(
    world: World, client: FlaskClient, login_as: Any, query: str
) -> None:
    login_as(create_user(Role.DIPRES))
    shown = table(client.get(f"/instituciones/?{query}").get_data(as_text=True))
    workbook = read_xlsx(client.get(f"/instituciones/descargar.xlsx?{query}"))
    text = read_csv(client.get(f"/instituciones/descargar.csv?{query}"))
    year = "2025" if "2025" in query else "2026"
    assert workbook[0] == text[0] == HEADERS + [h.replace("2026", year) for h in STATE_HEADERS]
    assert workbook[1:] == text[1:]
    # The page marks an inactive institution after its name (the downloads do not).
    assert [row[:6] for row in text[1:]] == [
        [row[0], row[1].removesuffix(" (inactiva)"), *row[2:6]] for row in shown
    ]
    # The page marks lateness beside the state; the downloads, in a column of their own.
    states = [[row[6], row[8]] for row in text[1:]]
    lateness = [[row[7], row[9]] for row in text[1:]]
    assert [
        [f"{state} atrasado" if late == "Sí" else state for state, late in zip(s, lt, strict=True)]
        for s, lt in zip(states, lateness, strict=True)
    ] == [row[6:] for row in shown]


@pytest.mark.usefixtures("viewed")
def test_a_download_is_a_private_attachment_named_by_cycle_and_day(
    world: World, client: FlaskClient, login_as: Any
) -> None:
    login_as(create_user(Role.REVIEWER))
    for extension, mimetype in (
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("csv", "text/csv; charset=utf-8"),
    ):
        response = client.get(f"/instituciones/descargar.{extension}?ciclo=2025")
        assert response.status_code == 200
        assert response.headers["Content-Type"] == mimetype
        assert response.headers["Cache-Control"] == "private, no-store"
        assert response.headers["Content-Disposition"] == (
            f'attachment; filename="instituciones_ciclo2025_{VIEW.isoformat()}.{extension}"'
        )
    workbook = load_workbook(BytesIO(client.get("/instituciones/descargar.xlsx?ciclo=2025").data))
    assert workbook.sheetnames == ["Instituciones 2025"]
    assert client.get("/instituciones/descargar.csv").data.split(b"\r\n")[0] == (
        "\ufeff" + ";".join(HEADERS + STATE_HEADERS)
    ).encode("utf-8")


@pytest.mark.usefixtures("viewed")
def test_a_name_like_a_formula_stays_text_in_both_downloads(
    world: World, client: FlaskClient, login_as: Any
) -> None:
    institution = world.institutions["1001"]
    institution.name = FORMULA
    db.session.commit()
    login_as(create_user(Role.ADMIN))
    assert FORMULA.replace('"', "&#34;") in client.get("/instituciones/").get_data(as_text=True)

    response = client.get("/instituciones/descargar.xlsx?q=1001")
    cell = load_workbook(BytesIO(response.data)).active["B2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (FORMULA, "s", True)
    assert read_csv(client.get("/instituciones/descargar.csv?q=1001"))[1][1] == f"'{FORMULA}"


@pytest.mark.usefixtures("viewed")
def test_a_coordinator_gets_only_their_institutions_in_the_page_and_the_downloads(
    world: World, client: FlaskClient, login_as: Any
) -> None:
    own = [world.institutions["1002"], world.institutions["1004"]]
    login_as(create_user(Role.COORDINATOR, institutions=own))
    assert listed(client) == ["1004", "1002"]
    assert listed(client, "plan=sin_iniciar") == ["1004", "1002"]
    assert listed(client, "q=1001") == []
    for query in ("", "atrasadas=diagnostico"):
        workbook = read_xlsx(client.get(f"/instituciones/descargar.xlsx?{query}"))
        text = read_csv(client.get(f"/instituciones/descargar.csv?{query}"))
        assert [row[0] for row in workbook[1:]] == [row[0] for row in text[1:]] == ["1004", "1002"]


@pytest.mark.parametrize(
    "path", ["/instituciones/", "/instituciones/descargar.xlsx", "/instituciones/descargar.csv"]
)
def test_anonymous_visitors_are_sent_to_login(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/ingresar")


# --- Statements --------------------------------------------------------------------------


def add_institutions(cycle: Cycle, first: int, last: int) -> None:
    """Institutions ``first`` to ``last - 1``, each in a ministry of its own, with a
    diagnostic and a plan in every state by turns (and some with none)."""
    states = [None, *SubmissionState]
    for number in range(first, last):
        institution = create_institution(
            f"8{number:03d}", ministry=create_ministry(f"MINISTERIO {number:03d}"), commit=False
        )
        for offset, kind in enumerate((D, P)):
            state = states[(number + offset) % len(states)]
            if state is not None:
                due = CORRECTION_END if state is S.OBSERVED else None
                add_submission(institution, cycle, kind, state, due)
    db.session.commit()


@pytest.mark.usefixtures("viewed")
def test_the_number_of_statements_does_not_grow_with_the_institutions(
    client: FlaskClient, login_as: Any
) -> None:
    cycle = make_cycle(2026, current=True)
    login_as(create_user(Role.REVIEWER))
    paths = [
        "/instituciones/",
        "/instituciones/?plan=observed&atrasadas=diagnostico",
        "/instituciones/descargar.xlsx",
        "/instituciones/descargar.csv?diagnostico=draft",
    ]
    add_institutions(cycle, 0, 5)
    few = {}
    for path in paths:
        with counting_computed() as seen:
            assert client.get(path).status_code == 200
        few[path] = len(seen)
    add_institutions(cycle, 5, 40)
    for path in paths:
        with counting_computed() as seen:
            assert client.get(path).status_code == 200
        assert len(seen) == few[path], path
    assert len(read_csv(client.get("/instituciones/descargar.csv"))) == 41
    assert len(table(client.get("/instituciones/").get_data(as_text=True))) == 40
