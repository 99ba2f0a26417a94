"""axe-core in the browser tests: a page has no WCAG 2.0/2.1 A or AA violation that axe finds.

axe-core is vendored in ``tests/browser/vendor/`` (``axe.min.js`` from the npm package
``axe-core``, MPL-2.0, its LICENSE beside it; see the README there): one pinned file, no
Python package and no network. It is evaluated in the page through the DevTools protocol,
which the page's Content-Security-Policy does not govern, and only by tests: the
application never serves it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
# The WCAG 2.0 and 2.1 success criteria of levels A and AA.
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def loaded(page: Any) -> Any:
    """``page`` once its stylesheets, fonts and scripts are in: a click that navigates returns
    when the new page's document is there, and a layout read before its stylesheet is in
    measures the page unstyled."""
    page.wait_for_load_state("load")
    return page


def page_width(page: Any) -> int:
    """How wide the laid-out page is, in CSS pixels (more than the window: it scrolls sideways)."""
    width: int = loaded(page).evaluate("document.documentElement.scrollWidth")
    return width


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """What axe-core finds on ``page`` against :data:`WCAG_TAGS`."""
    loaded(page)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    results = page.evaluate(
        """tags => axe.run(document, {
            runOnly: {type: 'tag', values: tags},
            resultTypes: ['violations'],
        })""",
        list(WCAG_TAGS),
    )
    violations: list[dict[str, Any]] = results["violations"]
    return violations


def describe(violations: list[dict[str, Any]]) -> list[str]:
    """One line per violation: rule id, its help, and the selectors of the elements."""
    return [
        f"{violation['id']}: {violation['help']} -> "
        + ", ".join(" ".join(map(str, node["target"])) for node in violation["nodes"])
        for violation in violations
    ]


def assert_accessible(page: Any) -> None:
    """Fail, listing every violation (rule id, help, target selectors), if axe finds any."""
    problems = describe(axe_violations(page))
    assert not problems, f"{page.url}:\n" + "\n".join(problems)
