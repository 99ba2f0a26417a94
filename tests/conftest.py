"""Fixtures: an app on a migrated database (SQLite, or PostgreSQL via DATABASE_URL),
a client that sends CSRF tokens like a browser, factories, and a live server for
browser tests.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import StaticPool
from werkzeug.serving import make_server

import pmg.models  # noqa: F401  (every model mapped, for tests that build rows without an app)
from pmg import create_app
from pmg.config import database_url
from pmg.extensions import db
from tests.factories import PASSWORD

IN_CI = os.environ.get("CI", "").lower() == "true"
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database migrated to head once for the session: PostgreSQL when DATABASE_URL
    is set (its public schema is rebuilt), otherwise a template SQLite file."""
    raw = os.environ.get("DATABASE_URL")
    if raw:
        uri = database_url(raw)
        engine = create_engine(uri)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        uri = f"sqlite:///{tmp_path_factory.mktemp('db') / 'template.sqlite'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "migrations"})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return uri


def empty_database(migrated_database: str, folder: Path) -> str:
    """An empty, migrated database: for one test (``database_uri``) or a module's shared data.

    SQLite: a fresh copy of the template file in ``folder``. PostgreSQL: every row deleted and
    every sequence restarted, in one statement on a connection kept for the session (see
    :func:`_emptying`).
    """
    if migrated_database.startswith("sqlite"):
        copy = folder / "pmg-test.sqlite"
        shutil.copyfile(migrated_database.removeprefix("sqlite:///"), copy)
        return f"sqlite:///{copy}"
    with _emptying(migrated_database).begin() as connection:
        connection.exec_driver_sql(_EMPTY_EVERY_TABLE)
    return migrated_database


# DELETE rather than TRUNCATE: a test leaves a few rows, and deleting them takes about a
# millisecond, where truncating the tables (new files for each table, index and sequence)
# took 70 to 500 ms before every test. As the replica, the session fires neither the
# foreign keys' triggers nor those that keep the append-only tables append-only (the
# migrations never mark one ALWAYS); restarting every sequence at 1 is TRUNCATE's RESTART
# IDENTITY.
_EMPTY_EVERY_TABLE = "\n".join(
    [
        "SET LOCAL session_replication_role = replica;",
        *(f'DELETE FROM "{table.name}";' for table in reversed(db.metadata.sorted_tables)),  # noqa: S608  (the models' own table names)
        "SELECT setval(oid, 1, false) FROM pg_class WHERE relkind = 'S';",
    ]
)


@cache
def _emptying(uri: str) -> Engine:
    """The engine that empties the PostgreSQL database ``uri`` before each test: one
    connection for the session, never one of an app's."""
    return create_engine(uri, poolclass=StaticPool)


@pytest.fixture
def database_uri(migrated_database: str, tmp_path: Path) -> str:
    """An empty, migrated database for one test."""
    return empty_database(migrated_database, tmp_path)


def make_app(database_uri: str, tmp_path: Path, **overrides: Any) -> Flask:
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "SECRET_KEY": "test-secret-key",
        "PMG_UPLOAD_DIR": str(tmp_path / "uploads"),
        "PMG_PDF_DIR": str(tmp_path / "pdfs"),
        "PMG_WORKBOOK_DIR": str(tmp_path / "workbooks"),
        "PMG_PACKAGE_DIR": str(tmp_path / "packages"),
        "PMG_QUEUE_URL": "memory://",  # jobs wait in the process: tests/jobs.py runs them
        "SERVER_NAME": None,
        # Fast hashing keeps the suite quick; test_passwords_are_stored_hashed checks scrypt.
        "PMG_PASSWORD_METHOD": "pbkdf2:sha256:1000",
    }
    config.update(overrides)
    return create_app(config)


@contextmanager
def shared_app(migrated_database: str, folder: Path) -> Iterator[Flask]:
    """An app on its own empty database, in a context, for the data a module builds once
    and its tests only read: its clients behave like browsers (:class:`BrowserLikeClient`).
    On PostgreSQL the database is shared with no other test meanwhile: the module's tests
    use this app, never the per-test ``app``."""
    app = make_app(empty_database(migrated_database, folder), folder)
    app.test_client_class = BrowserLikeClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Override in a test module to change the app's configuration."""
    return {}


@pytest.fixture
def app(database_uri: str, tmp_path: Path, app_config: dict[str, Any]) -> Iterator[Flask]:
    app = make_app(database_uri, tmp_path, **app_config)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


class BrowserLikeClient(FlaskClient):
    """A test client that behaves like a browser against a real server.

    Each request runs in an app context of its own (fresh ``g`` and database
    session, as in production), not in the one the test holds; and every form it
    posts carries the page's CSRF token.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        with self.application.app_context():
            return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        response = self.get("/ingresar", follow_redirects=True)
        match = CSRF_INPUT.search(response.get_data(as_text=True))
        assert match, "no CSRF token found on the page"
        return match.group(1)

    def post(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        data = kwargs.get("data")
        if kwargs.pop("csrf", True) and (data is None or isinstance(data, dict)):
            data = dict(data or {})
            if "csrf_token" not in data:
                data["csrf_token"] = self.csrf_token()
            kwargs["data"] = data
        return super().post(*args, **kwargs)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.test_client_class = BrowserLikeClient
    return app.test_client()


@pytest.fixture
def runner(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> Any:
    return client.post("/ingresar", data={"email": email, "password": password})


@pytest.fixture
def login_as(client: FlaskClient):  # type: ignore[no-untyped-def]
    """``login_as(user)``: sign ``client`` in as ``user`` (created with the test password)."""

    def _login(user: Any) -> Any:
        response = login(client, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return _login


# --- Browser tests ---------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    app.config["WTF_CSRF_SSL_STRICT"] = False
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    problem = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - depends on the machine
        problem = "playwright is not installed"
    if problem is None and not Path(CHROMIUM).exists():
        problem = f"{CHROMIUM} is missing (apt-get install chromium)"
    if problem:
        if IN_CI:
            pytest.fail(f"browser tests must run in CI: {problem}")
        pytest.skip(problem)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server, locale="es-CL")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


# The two screens every user path is tried on: a desktop and a 390 px phone.
SCREENS = {
    "escritorio": {"width": 1280, "height": 900},
    "390px": {"width": 390, "height": 844},
}


@pytest.fixture(params=list(SCREENS))
def screen_page(request: pytest.FixtureRequest, browser: Any, live_server: str) -> Iterator[Any]:
    """A page on each screen of :data:`SCREENS`: a test that takes it runs once per screen."""
    context = browser.new_context(
        base_url=live_server, locale="es-CL", viewport=SCREENS[request.param]
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


# --- The job queue in Redis --------------------------------------------------------------

REDIS_URL = os.environ.get("PMG_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_queue() -> Iterator[dict[str, str]]:
    """A queue of its own in the real Redis (``PMG_TEST_REDIS_URL``): the settings that point
    an app or a worker at it. Its keys are removed afterwards. Without Redis the test is
    skipped, except in CI, where it fails."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as problem:
        if IN_CI:
            pytest.fail(f"the Redis tests must run in CI: {REDIS_URL}: {problem}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {problem}")
    name = f"pmgtest{uuid.uuid4().hex}"  # huey keeps letters and digits of it in its keys
    try:
        yield {"PMG_QUEUE_URL": REDIS_URL, "PMG_QUEUE_NAME": name}
    finally:
        keys = list(client.scan_iter(match=f"*{name}*"))
        if keys:
            client.delete(*keys)
        client.close()


# --- An S3-compatible bucket ----------------------------------------------------------------


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A local S3-compatible server (moto in server mode) for the session: its address. Its
    clients sign with made-up credentials, set in the environment for the servers and
    workers the tests start too."""
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    credentials = {"AWS_ACCESS_KEY_ID": "pruebas", "AWS_SECRET_ACCESS_KEY": "pruebas"}
    before = {name: os.environ.get(name) for name in credentials}
    os.environ.update(credentials)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture
def bucket_url(s3_endpoint: str) -> str:
    """A new, empty bucket on the local S3 server: the ``PMG_STORAGE_URL`` that points at it."""
    import boto3

    name = f"pmg-{uuid.uuid4().hex[:20]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name=S3_REGION)
    client.create_bucket(Bucket=name)
    return f"s3://{name}/archivos?endpoint={s3_endpoint}&region={S3_REGION}"


S3_REGION = "us-east-1"


def bucket_keys(url: str) -> list[str]:
    """Every key in the bucket of ``url`` (a :func:`bucket_url`)."""
    import boto3

    parts = urlsplit(url)
    endpoint = parse_qs(parts.query)["endpoint"][0]
    client = boto3.client("s3", endpoint_url=endpoint, region_name=S3_REGION)
    listed = client.list_objects_v2(Bucket=parts.netloc)
    return sorted(entry["Key"] for entry in listed.get("Contents", []))
