"""The cyclic collector is off while a workbook's tables are built and written, and comes
back as it was."""

from __future__ import annotations

import gc
from io import BytesIO
from typing import Any

import pytest
from flask import Flask

from pmg.core.memory import collector_paused
from pmg.exports import workbook
from tests.factories import create_cycle


def test_the_collector_is_back_after_the_block_even_on_an_error() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        raise RuntimeError
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            with collector_paused():
                assert not gc.isenabled()
            assert not gc.isenabled()  # the inner block leaves it to the outer one
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_workbook_is_built_and_written_without_the_collector(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, bool]] = []
    build, write = workbook.consolidated_tables, workbook.write_xlsx

    def building(*args: Any) -> Any:
        seen.append(("tablas", gc.isenabled()))
        return build(*args)

    def writing(*args: Any) -> Any:
        seen.append(("libro", gc.isenabled()))
        return write(*args)

    monkeypatch.setattr(workbook, "consolidated_tables", building)
    monkeypatch.setattr(workbook, "write_xlsx", writing)
    workbook.write_consolidated(create_cycle(2026), BytesIO())
    assert seen == [("tablas", False), ("libro", False)]
    assert gc.isenabled()
