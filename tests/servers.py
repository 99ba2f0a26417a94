"""The application served by gunicorn with the production configuration, in a process of
its own: for tests that need a real server (or two)."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parents[1]
ANSWER_WITHIN = 60  # seconds for gunicorn to load the app and answer


# What a process of the application reads from its environment to share a test app's data.
SHARED_SETTINGS = {
    "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    **{
        name: name
        for name in (
            "SECRET_KEY",
            "PMG_UPLOAD_DIR",
            "PMG_PDF_DIR",
            "PMG_WORKBOOK_DIR",
            "PMG_PACKAGE_DIR",
            "PMG_STORAGE_URL",
            "PMG_QUEUE_URL",
            "PMG_QUEUE_NAME",
        )
    },
}


def environment_of(app: Flask, **settings: str) -> dict[str, str]:
    """The environment that points a server or a worker at ``app``'s database, folders,
    storage and queue, ``settings`` over them."""
    return {
        **{variable: str(app.config[key]) for variable, key in SHARED_SETTINGS.items()},
        **settings,
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def gunicorn(environment: Mapping[str, str], log: Path) -> Iterator[int]:
    """``app:app`` under gunicorn (one worker) with ``environment`` over this process's, its
    output in ``log``; yields its port once ``/ingresar`` answers, stops it on the way out."""
    port = free_port()
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:pmg.gunicorn_config", "app:app"],
            cwd=ROOT,
            env={
                **os.environ,
                "PMG_WORKERS": "1",
                **environment,
                "PMG_BIND": f"127.0.0.1:{port}",
            },
            stdout=output,
            stderr=output,
        )
    try:
        deadline = time.monotonic() + ANSWER_WITHIN
        while request(port, "/ingresar")[0] == 0:
            assert server.poll() is None, f"gunicorn stopped:\n{log.read_text(errors='replace')}"
            assert time.monotonic() < deadline, f"gunicorn did not answer in {ANSWER_WITHIN} s"
            time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=20)


def request(
    port: int, path: str, headers: Mapping[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """GET ``path`` on 127.0.0.1:``port``: status, headers and body (status 0: no answer)."""
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", path, headers=dict(headers or {}))
        response = connection.getresponse()
        answer = response.status, dict(response.getheaders()), response.read()
        connection.close()
    except OSError:
        return 0, {}, b""
    return answer
