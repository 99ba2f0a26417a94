"""Every page each role can open passes axe-core (WCAG 2.0/2.1 A and AA), on a desktop and
on a 390 px screen.

The pages are the GET routes of the authorization table (tests/test_authorization.py) that
the role may use, so a new route is checked as soon as it is listed there; downloads (PDF,
Excel, evidence) are not pages and are left out by their content type. The data, the
table's own (an institution whose submitted diagnostic has an observation and a file,
another in review, a user of each role), is built once for the module and served by one
server; every test here uses it, never the per-test ``app``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from pmg.auth.models import User
from pmg.core.permissions import Role
from pmg.extensions import db
from tests.browser.accessibility import assert_accessible, axe_violations, describe, page_width
from tests.browser.signing import sign_in
from tests.conftest import SCREENS, empty_database, make_app
from tests.test_authorization import ROUTES, build_world

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Site:
    url: str
    values: dict[str, str]
    users: dict[Role, User]


@pytest.fixture(scope="module")
def site(migrated_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder: Path = tmp_path_factory.mktemp("accessibility")
    app = make_app(empty_database(migrated_database, folder), folder)
    with app.app_context():
        values = build_world()
        emails = [values[role.value] for role in Role]
        users = {
            user.role: user
            for user in db.session.scalars(select(User).where(User.email.in_(emails)))
        }
        db.session.expunge_all()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield Site(f"http://127.0.0.1:{server.server_port}", values, users)
        finally:
            server.shutdown()
            thread.join(timeout=5)
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(params=list(SCREENS))
def screen(request: pytest.FixtureRequest, browser: Any, site: Site) -> Iterator[Any]:
    """A page of a fresh browser context on each screen of :data:`SCREENS`."""
    context = browser.new_context(
        base_url=site.url, locale="es-CL", viewport=SCREENS[request.param]
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def pages_of(role: Role, values: dict[str, str]) -> list[str]:
    """The paths of the GET routes ``role`` may use, from the authorization table."""
    return sorted(
        route.path.format(**values)
        for route in ROUTES.values()
        if route.method == "GET" and role in route.allowed
    )


def problems_on(page: Any, paths: list[str]) -> list[str]:
    """Visit each path that answers with a page (not a download) and list what axe finds,
    and any page wider than the screen (only a table may scroll sideways, inside itself)."""
    found = []
    for path in paths:
        answer = page.request.get(path)
        if not answer.headers.get("content-type", "").startswith("text/html"):
            continue
        page.goto(path)
        found += [f"{path} · {line}" for line in describe(axe_violations(page))]
        width = page_width(page)
        if width > page.viewport_size["width"]:
            found.append(f"{path} · the page is {width} px wide")
    return found


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_every_page_of_a_role_passes_axe(screen: Any, site: Site, role: Role) -> None:
    sign_in(screen, site.users[role], "/")
    paths = pages_of(role, site.values)
    assert len(paths) >= 4

    problems = problems_on(screen, paths)

    assert not problems, "\n".join(problems)


def test_pages_without_an_account_pass_axe(screen: Any, site: Site) -> None:
    problems = problems_on(screen, ["/ingresar", "/no-existe"])

    assert not problems, "\n".join(problems)


def test_a_violation_fails_with_its_rule_help_and_target(browser: Any) -> None:
    page = browser.new_page()
    page.set_content(
        '<html lang="es"><title>t</title><main><img src="x.png" id="sin-texto">'
        '<a href="/" id="vacio"></a></main></html>'
    )

    with pytest.raises(AssertionError) as failure:
        assert_accessible(page)
    page.close()

    assert "image-alt: Images must have alternative text -> #sin-texto" in str(failure.value)
    assert "link-name: Links must have discernible text -> #vacio" in str(failure.value)
