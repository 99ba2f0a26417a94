"""Leaving a page that holds what someone chose or typed: the browser asks first."""

from __future__ import annotations

from typing import Any


def dialogs_on_leaving(page: Any, leave: Any) -> list[str]:
    """Click ``leave`` (a locator) with every dialog it opens dismissed, as someone who
    stays on the page; the types of those dialogs, once the first has come: within
    Playwright's timeout, not a fixed moment that a busy machine may outlast."""
    dialogs: list[str] = []

    def refuse(dialog: Any) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", refuse)  # before the wait's own listener: it has run when the wait ends
    try:
        with page.expect_event("dialog"):
            leave.click()
    finally:
        page.remove_listener("dialog", refuse)
    return dialogs
