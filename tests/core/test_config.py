from __future__ import annotations

from pathlib import Path

import pytest

from pmg import create_app
from pmg.config import ConfigError, database_url, load_config


def test_secret_key_is_generated_once_into_the_instance_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("PMG_ENV", "development")
    first = load_config(str(tmp_path))["SECRET_KEY"]
    second = load_config(str(tmp_path))["SECRET_KEY"]
    assert first == second
    assert len(first) >= 48
    key_file = tmp_path / "secret_key"
    assert key_file.read_text() == first
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_secret_key_from_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "desde-el-entorno")
    assert load_config(str(tmp_path))["SECRET_KEY"] == "desde-el-entorno"
    assert not (tmp_path / "secret_key").exists()


def test_production_without_secret_key_refuses_to_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("PMG_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY no está definida"):
        load_config(str(tmp_path))
    assert not (tmp_path / "secret_key").exists()


def test_production_marks_the_session_cookie_secure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMG_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("PMG_PUBLIC_BASE_URL", "https://pmg.ejemplo.gob.cl")
    config = load_config(str(tmp_path))
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_default_database_is_sqlite_in_the_instance_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    assert load_config(str(tmp_path))["SQLALCHEMY_DATABASE_URI"] == (
        f"sqlite:///{tmp_path / 'pmg.sqlite'}"
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h:5432/db", "postgresql+psycopg://u@h:5432/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.sqlite", "sqlite:////tmp/x.sqlite"),
    ],
)
def test_database_url_uses_psycopg3(raw: str, expected: str) -> None:
    assert database_url(raw) == expected


def test_upload_limit_sets_the_request_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMG_MAX_UPLOAD_MB", "5")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    config = load_config(str(tmp_path))
    assert config["PMG_MAX_UPLOAD_BYTES"] == 5 * 1024 * 1024
    assert config["MAX_CONTENT_LENGTH"] > config["PMG_MAX_UPLOAD_BYTES"]


def test_create_app_touches_no_database(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'never.sqlite'}"
    create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "x"})
    assert not (tmp_path / "never.sqlite").exists()


def test_create_app_makes_no_folder_for_the_stored_pdfs_nor_the_queue(tmp_path: Path) -> None:
    queue = tmp_path / "queue.sqlite"
    create_app(
        {"SECRET_KEY": "x", "PMG_PDF_DIR": str(tmp_path / "pdfs"), "PMG_QUEUE_URL": f"sqlite:///{queue}"}
    )
    assert not (tmp_path / "pdfs").exists()  # the first PDF makes it
    assert not queue.exists()  # the first job opens it


@pytest.mark.parametrize(("setting", "kind"), [(None, "SimpleCache"), ("off", "NullCache")])
def test_pages_keep_what_they_computed_unless_told_not_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str | None, kind: str
) -> None:
    monkeypatch.setenv("SECRET_KEY", "x")
    if setting is None:
        monkeypatch.delenv("PMG_CACHE", raising=False)
    else:
        monkeypatch.setenv("PMG_CACHE", setting)
    assert load_config(str(tmp_path))["CACHE_TYPE"] == kind
