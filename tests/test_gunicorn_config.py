"""The production server's configuration (pmg/gunicorn_config.py): what it sets, the warm-up
its master runs before forking, and a real gunicorn serving the app with it."""

from __future__ import annotations

import gc
import importlib
import os
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest
from flask import Flask

import pmg.exports.documents.pdf as pdf
from pmg import gunicorn_config
from tests.servers import gunicorn, request


def _configured(monkeypatch: pytest.MonkeyPatch, **environment: str) -> ModuleType:
    settings = ("PMG_WORKERS", "PMG_BIND", "PMG_WORKER_TIMEOUT", "PMG_WORKER_CLASS", "PMG_THREADS")
    for name in settings:
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return importlib.reload(gunicorn_config)


def test_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    config = _configured(monkeypatch)
    assert config.bind == "127.0.0.1:8000"
    assert config.workers == 2 * (os.cpu_count() or 1) + 1
    assert (config.worker_class, config.threads) == ("sync", 1)
    assert config.preload_app is True
    assert config.timeout == 120
    assert config.accesslog == "-"


def test_the_environment_sets_address_workers_and_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    config = _configured(
        monkeypatch,
        PMG_BIND="0.0.0.0:9000",
        PMG_WORKERS="3",
        PMG_WORKER_TIMEOUT="45",
        PMG_WORKER_CLASS="gthread",
        PMG_THREADS="4",
    )
    assert (config.bind, config.workers, config.timeout) == ("0.0.0.0:9000", 3, 45)
    assert (config.worker_class, config.threads) == ("gthread", 4)


def test_the_master_decodes_the_print_fonts_and_freezes_its_objects_before_forking(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf, "_font_config", None)
    fetched: list[str] = []
    monkeypatch.setattr(pdf.AssetFetcher, "fetch", _recording(pdf.AssetFetcher.fetch, fetched))
    server = SimpleNamespace(app=SimpleNamespace(wsgi=lambda: app))
    assert gc.get_freeze_count() == 0
    try:
        gunicorn_config.when_ready(server)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    assert pdf._font_config is not None
    assert any(url.endswith("pdf.css") for url in fetched)
    assert any(url.endswith(".woff") for url in fetched)


def _recording(fetch, fetched: list[str]):  # type: ignore[no-untyped-def]
    def recorded(self, url, headers=None):  # type: ignore[no-untyped-def]
        fetched.append(url)
        return fetch(self, url, headers)

    return recorded


def test_gunicorn_serves_the_app_with_it(database_uri: str, tmp_path: Path) -> None:
    environment = {
        "DATABASE_URL": database_uri,
        "SECRET_KEY": "gunicorn-test",
        "PMG_UPLOAD_DIR": str(tmp_path / "uploads"),
    }
    log = tmp_path / "gunicorn.log"
    with gunicorn(environment, log) as port:
        status = request(port, "/ingresar")[0]
    text = log.read_text(errors="replace")
    assert status == 200, text
    assert '"GET /ingresar HTTP/1.1" 200' in text  # the access log, on standard output
