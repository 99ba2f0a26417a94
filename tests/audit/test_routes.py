"""The admin's audit page: filters, pages, the Excel export, and who may see it."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from io import BytesIO
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook

from pmg.audit.operations import canonical_json, record
from pmg.audit.queries import actions_in_trail
from pmg.core.permissions import Role
from pmg.core.xlsx import XLSX_MIMETYPE
from pmg.extensions import db
from tests.audit.trail import entries, only
from tests.exports.queries import counting_parameters
from tests.exports.reading import records, sheets
from tests.factories import create_institution, create_user

ROW_NUMBER = re.compile(r'<th scope="row">(\d+)</th>')


class Clock:
    """Stands in for the trail's clock, so entries fall on chosen days."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def trail(app, client: FlaskClient, login_as, monkeypatch) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Four entries on known days (Chile is UTC-3 in March), after the set-up's own."""
    clock = Clock()
    monkeypatch.setattr("pmg.audit.operations.utcnow", clock)
    riego = create_institution("1306", "COMISION NACIONAL DE RIEGO")
    fonasa = create_institution("3101_61", "FONDO NACIONAL DE SALUD")
    reviewer = create_user(Role.REVIEWER, email="revisor@modernizacion.gob.cl")
    admin = login_as(create_user(Role.ADMIN, email="jefa@modernizacion.gob.cl"))
    found: dict[str, Any] = {"admin": admin, "riego": riego}
    for name, when, action, actor, institution, changes in [
        ("a", (3, 2, 12, 0), "cycle.create", admin, None, (None, {"year": 2027})),
        ("b", (3, 3, 2, 30), "institution.update", admin, riego, ({"name": "A"}, {"name": "B"})),
        ("c", (3, 3, 15, 0), "evidence.download", reviewer, fonasa, (None, {"name": "x.pdf"})),
        ("d", (3, 4, 10, 0), "auth.login_failed", None, None, (None, {"email": "x@y.cl"})),
    ]:
        clock.now = datetime(2026, *when, tzinfo=UTC)
        entry = record(
            action,
            object_type="Thing",
            object_id=name,
            actor=actor,
            institution_id=institution.id if institution else None,
            before=changes[0],
            after=changes[1],
        )
        found[name] = entry.id
    db.session.commit()
    return found


def _page(client: FlaskClient, **args: str) -> tuple[int, str, list[int]]:
    response = client.get("/admin/auditoria", query_string=args)
    body = html.unescape(response.get_data(as_text=True))
    return response.status_code, body, [int(n) for n in ROW_NUMBER.findall(body)]


def test_page_lists_entries_newest_first_as_people_read_them(
    client: FlaskClient, trail: dict[str, Any]
) -> None:
    status, body, numbers = _page(client)
    assert status == 200
    assert numbers == sorted(numbers, reverse=True) == list(range(trail["d"], 0, -1))
    total = len(numbers)
    assert (
        f"<caption>Entradas del registro de auditoría, de la más reciente a la más antigua "
        f"({total})</caption>"
    ) in body
    entry = only("institution.update")
    row = body[body.index(f'<th scope="row">{trail["b"]}</th>') :].split("</tr>")[0]
    assert '<time datetime="2026-03-03T02:30:00+00:00">2 de marzo de 2026, 23:30:00</time>' in row
    assert 'jefa@modernizacion.gob.cl<br><span class="muted">Administrador/a</span>' in row
    assert "1306 · COMISION NACIONAL DE RIEGO" in row
    assert 'Institución modificada<br><code class="muted">institution.update</code>' in row
    assert "<td>Thing #b</td>" in row
    assert '<code class="audit-value">{"name":"A"}</code>' in row
    assert '<code class="audit-value">{"name":"B"}</code>' in row
    assert "<details" not in row
    assert f'<code class="hash" title="{entry.entry_hash}">{entry.entry_hash[:12]}</code>' in row
    assert "Visitante sin sesión" in body


LONG_TEXT = "Se agregó a Luis Díaz al equipo de trabajo de la OIRS. " * 8


def _row(body: str, number: int) -> str:
    return body[body.index(f'<th scope="row">{number}</th>') :].split("</tr>")[0]


def test_page_shortens_long_values_and_shows_them_whole_in_a_disclosure(
    client: FlaskClient, trail: dict[str, Any]
) -> None:
    after = {"answer": f"{LONG_TEXT}<script>alert(1)</script>", "requirement": "R01"}
    number = record("observation.answer", object_type="Thing", object_id="e", after=after).id
    db.session.commit()
    raw = client.get("/admin/auditoria").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in raw
    row = html.unescape(_row(raw, number))
    compact = canonical_json(after)
    assert f'<code class="audit-value">{compact[:119]}…</code>' in row
    assert "<summary>Ver antes y después completos" in row
    pretty = json.dumps(after, indent=2, sort_keys=True, ensure_ascii=False)
    assert re.search(r'<p class="audit-full-label">Antes</p>\s*<pre>—</pre>', row)
    assert re.search(
        rf'<p class="audit-full-label">Después</p>\s*<pre>{re.escape(pretty)}</pre>', row
    )


def test_page_shows_short_values_whole_without_a_disclosure(
    client: FlaskClient, trail: dict[str, Any]
) -> None:
    exactly = {"answer": "x" * 107}  # 120 characters as compact JSON
    number = record("observation.answer", object_type="Thing", object_id="f", after=exactly).id
    db.session.commit()
    row = _row(html.unescape(client.get("/admin/auditoria").get_data(as_text=True)), number)
    assert f'<code class="audit-value">{canonical_json(exactly)}</code>' in row
    assert "<details" not in row


def test_page_offers_every_known_action_in_spanish(
    client: FlaskClient, trail: dict[str, Any]
) -> None:
    _, body, _ = _page(client)
    assert '<option value="auth.login_failed">Inicio de sesión fallido</option>' in body
    assert '<option value="export.audit">Registro de auditoría exportado</option>' in body
    assert '<option selected value="">Todas</option>' in body


FILTERS = [
    ({"accion": "institution.update"}, ["b"]),
    ({"correo": " REVISOR@modernizacion "}, ["c"]),
    ({"institucion": "3101_61"}, ["c"]),
    ({"desde": "2026-03-03", "hasta": "2026-03-03"}, ["c"]),  # b is 2 March in Chile
    ({"desde": "2026-03-02", "hasta": "2026-03-02"}, ["b", "a"]),
    ({"desde": "2026-03-04"}, ["d"]),
    ({"accion": "evidence.download", "institucion": "1306"}, []),
    ({"institucion": "no-existe"}, []),
]


@pytest.mark.parametrize(("args", "expected"), FILTERS, ids=lambda value: str(value))
def test_page_filters(
    client: FlaskClient, trail: dict[str, Any], args: dict[str, str], expected: list[str]
) -> None:
    status, body, numbers = _page(client, **args)
    assert status == 200
    assert numbers == [trail[name] for name in expected]
    if not expected:
        assert "No hay entradas que coincidan con los filtros." in body


@pytest.mark.parametrize(
    ("args", "message", "expected"),
    [
        ({"desde": "ayer", "accion": "cycle.create"}, "Escriba una fecha válida", ["a"]),
        ({"accion": "nada", "institucion": "1306"}, "Seleccione una opción de la lista.", ["b"]),
        (
            {"desde": "2026-03-04", "hasta": "2026-03-03"},
            "La fecha «Hasta» no puede ser anterior a «Desde».",
            ["d"],
        ),
    ],
)
def test_page_invalid_filter_is_shown_and_the_others_still_apply(
    client: FlaskClient,
    trail: dict[str, Any],
    args: dict[str, str],
    message: str,
    expected: list[str],
) -> None:
    status, body, numbers = _page(client, **args)
    assert status == 422
    assert message in body
    assert numbers == [trail[name] for name in expected]


class TestPagination:
    @pytest.fixture
    def app_config(self) -> dict[str, Any]:
        return {"PMG_PAGE_SIZE": 2}

    def test_pages_keep_the_filters_in_their_links(
        self, client: FlaskClient, trail: dict[str, Any]
    ) -> None:
        _, body, numbers = _page(client, correo="jefa")
        assert numbers == [trail["b"], trail["a"]]
        assert "Página 1 de 2" in body
        assert 'href="/admin/auditoria?pagina=2&correo=jefa" rel="next"' in body
        _, _, numbers = _page(client, correo="jefa", pagina="2")
        assert numbers == [trail["a"] - 1]  # the admin's login


# --- Excel ---------------------------------------------------------------------------------


def test_export_is_an_xlsx_attachment_with_the_filtered_entries(
    client: FlaskClient, trail: dict[str, Any]
) -> None:
    response = client.get("/admin/auditoria.xlsx?institucion=1306")
    assert response.status_code == 200
    assert response.mimetype == XLSX_MIMETYPE
    assert re.fullmatch(
        r'attachment; filename="auditoria_\d{8}-\d{6}\.xlsx"',
        response.headers["Content-Disposition"],
    )
    assert response.headers["Cache-Control"] == "private, no-store"
    entry = only("institution.update")
    assert records(sheets(response.get_data())["auditoria"]) == [
        {
            "N.º": trail["b"],
            "Fecha y hora (Chile)": datetime(2026, 3, 2, 23, 30),
            "Fecha y hora (UTC)": "2026-03-03T02:30:00+00:00",
            "Quién": "jefa@modernizacion.gob.cl",
            "Rol": "Administrador/a",
            "Código institución": "1306",
            "Institución": "COMISION NACIONAL DE RIEGO",
            "Acción": "Institución modificada",
            "Código de acción": "institution.update",
            "Objeto": "Thing #b",
            "Tipo e id del objeto": "Thing b",
            "Antes": '{"name":"A"}',
            "Después": '{"name":"B"}',
            "Hash anterior": entry.previous_hash,
            "Hash de la entrada": entry.entry_hash,
        }
    ]
    exported = only("export.audit")
    assert exported.actor_id == trail["admin"].id
    assert exported.after == {"filters": {"institucion": "1306"}, "rows": 1}


def test_export_lists_entries_in_chain_order(client: FlaskClient, trail: dict[str, Any]) -> None:
    response = client.get("/admin/auditoria.xlsx?desde=2026-03-02")
    rows = records(sheets(response.get_data())["auditoria"])
    assert [row["N.º"] for row in rows] == [trail[name] for name in "abcd"]


def test_export_keeps_text_that_looks_like_a_formula_as_text(
    client: FlaskClient, trail: dict[str, Any]
) -> None:
    hostile = create_institution("6666", '=HYPERLINK("http://malo.example","x")')
    record("institution.update", hostile, institution_id=hostile.id, after={"name": "-1+1"})
    db.session.commit()
    response = client.get("/admin/auditoria.xlsx?institucion=6666")
    sheet = load_workbook(BytesIO(response.get_data()))["auditoria"]
    name = sheet["G2"]
    assert (name.value, name.data_type, name.quotePrefix) == (hostile.name, "s", True)
    assert sheet["M2"].value == '{"name":"-1+1"}'


def test_export_with_invalid_filters_shows_the_page_and_records_nothing(
    client: FlaskClient, trail: dict[str, Any]
) -> None:
    response = client.get("/admin/auditoria.xlsx?desde=ayer")
    assert response.status_code == 422
    assert "Escriba una fecha válida" in response.get_data(as_text=True)
    assert entries("export.audit") == []


# --- Who may see it ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/admin/auditoria", "/admin/auditoria.xlsx"])
@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.REVIEWER, Role.DIPRES])
def test_audit_pages_are_forbidden_to_other_roles(
    client: FlaskClient,
    login_as,  # type: ignore[no-untyped-def]
    role: Role,
    path: str,
) -> None:
    login_as(create_user(role))
    assert client.get(path).status_code == 403
    assert "Auditoría" not in client.get("/").get_data(as_text=True)
    assert entries("export.audit") == []


def test_admin_navigation_links_to_the_audit_page(
    client: FlaskClient,
    login_as,  # type: ignore[no-untyped-def]
) -> None:
    login_as(create_user(Role.ADMIN))
    body = client.get("/admin/auditoria").get_data(as_text=True)
    assert '<a href="/admin/auditoria" aria-current="page">Auditoría</a>' in body



def test_page_offers_an_action_of_another_version_once_the_trail_holds_it(
    client: FlaskClient, trail: dict[str, Any]
) -> None:
    _, body, _ = _page(client)
    assert "receipt.void" not in body
    record("receipt.void", object_type="Thing", object_id="e", actor=None)
    db.session.commit()

    _, body, _ = _page(client)
    assert '<option value="receipt.void">receipt.void</option>' in body


def test_the_actions_found_are_read_from_the_entries_added_since(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pmg.audit.queries.LATE_COMMITS", 0)
    first = record("legacy.one", object_type="Thing", object_id="1", actor=None)
    db.session.commit()
    assert "legacy.one" in actions_in_trail()
    record("receipt.void", object_type="Thing", object_id="2", actor=None)
    db.session.commit()

    with counting_parameters() as parameters:
        found = actions_in_trail()

    assert {"legacy.one", "receipt.void"} <= found
    assert parameters == [(first.id,)]  # only the entries after the last one read
