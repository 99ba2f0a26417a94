"""Configuration: defaults, then the environment, then the overrides a test passes.

Secrets come only from the environment or the instance folder. In the embedded
(non-production) setup a missing secret key is generated once into
``instance/secret_key``; in production a missing key is a start-up error.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PRODUCTION = "production"
FORM_ROOM_BYTES = 4 * 1024 * 1024
# Where ``.ci/demo`` and ``flask run`` serve the application: the links in the mail of a
# development or demo installation lead there.
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


class ConfigError(RuntimeError):
    """The configuration cannot be used as given."""


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "si", "sí", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def database_url(raw: str) -> str:
    """Normalise a ``DATABASE_URL`` so SQLAlchemy uses psycopg 3 for PostgreSQL."""
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    return raw


def load_config(instance_path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the configuration mapping for an app whose instance folder is ``instance_path``."""
    overrides = dict(overrides or {})
    env = os.environ.get("PMG_ENV", "development")
    upload_mb = _env_int("PMG_MAX_UPLOAD_MB", 20)
    config: dict[str, Any] = {
        "PMG_ENV": env,
        "SQLALCHEMY_DATABASE_URI": database_url(
            os.environ.get("DATABASE_URL", f"sqlite:///{Path(instance_path) / 'pmg.sqlite'}")
        ),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _env_bool("PMG_SESSION_COOKIE_SECURE", env == PRODUCTION),
        "SESSION_COOKIE_NAME": "pmg_session",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_env_int("PMG_ABSOLUTE_TIMEOUT_HOURS", 10)),
        "PMG_IDLE_TIMEOUT": timedelta(minutes=_env_int("PMG_IDLE_TIMEOUT_MINUTES", 30)),
        "PMG_ABSOLUTE_TIMEOUT": timedelta(hours=_env_int("PMG_ABSOLUTE_TIMEOUT_HOURS", 10)),
        "PMG_PASSWORD_METHOD": "scrypt",
        "PMG_LOGIN_MAX_FAILURES": _env_int("PMG_LOGIN_MAX_FAILURES", 5),
        "PMG_LOGIN_WINDOW": timedelta(minutes=_env_int("PMG_LOGIN_WINDOW_MINUTES", 15)),
        "PMG_MAX_UPLOAD_BYTES": upload_mb * 1024 * 1024,
        # A submission's form page posts all its fields with any file attached (multipart):
        # the largest legal plan is about 950 fields (30 actions × 20 gaps to choose) and,
        # in three-byte characters, under 1 MB. Evidence and answers come on top.
        "MAX_FORM_PARTS": 2500,
        "PMG_UPLOAD_DIR": os.environ.get("PMG_UPLOAD_DIR", str(Path(instance_path) / "uploads")),
        # Each version's PDF, stored once rendered (pmg.exports.documents.stored).
        "PMG_PDF_DIR": os.environ.get("PMG_PDF_DIR", str(Path(instance_path) / "pdfs")),
        # Each cycle's consolidated workbook, stored once per state of the data for the
        # evidence packages (pmg.exports.workbook.stored).
        "PMG_WORKBOOK_DIR": os.environ.get(
            "PMG_WORKBOOK_DIR", str(Path(instance_path) / "workbooks")
        ),
        # Evidence packages (pmg.packages): where they are kept, for how many days, and after
        # how many seconds without news from its worker one is taken up again.
        "PMG_PACKAGE_DIR": os.environ.get(
            "PMG_PACKAGE_DIR", str(Path(instance_path) / "packages")
        ),
        "PMG_PACKAGE_DAYS": _env_int("PMG_PACKAGE_DAYS", 7),
        "PMG_PACKAGE_STALL_SECONDS": _env_int("PMG_PACKAGE_STALL_SECONDS", 120),
        # Files in an S3-compatible bucket instead of those folders (pmg.core.storage).
        "PMG_STORAGE_URL": os.environ.get("PMG_STORAGE_URL", ""),
        # Where background jobs wait for a worker (pmg.core.jobs): Redis in production.
        "PMG_QUEUE_URL": os.environ.get(
            "PMG_QUEUE_URL", f"sqlite:///{Path(instance_path) / 'queue.sqlite'}"
        ),
        "PMG_QUEUE_NAME": os.environ.get("PMG_QUEUE_NAME", "pmg-cseu"),
        "PMG_IMPORT_MAX_ROWS": _env_int("PMG_IMPORT_MAX_ROWS", 20000),
        "PMG_PAGE_SIZE": _env_int("PMG_PAGE_SIZE", 50),
        # The address people open the application at: every link in mail starts with it,
        # never with the Host a request names (see public_base_url).
        "PUBLIC_BASE_URL": os.environ.get("PMG_PUBLIC_BASE_URL", ""),
        # How long a link to set one's password works: the first one, sent with a new
        # account, and one asked for with «¿Olvidó su contraseña?» or sent by an admin.
        "PMG_INVITATION_LINK_VALID": timedelta(days=_env_int("PMG_INVITATION_LINK_DAYS", 7)),
        "PMG_RESET_LINK_VALID": timedelta(hours=_env_int("PMG_RESET_LINK_HOURS", 2)),
        "MAIL_SERVER": os.environ.get("PMG_MAIL_SERVER", ""),
        "MAIL_PORT": _env_int("PMG_MAIL_PORT", 587),
        "MAIL_USERNAME": os.environ.get("PMG_MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("PMG_MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _env_bool("PMG_MAIL_USE_TLS", True),
        "MAIL_SENDER": os.environ.get("PMG_MAIL_SENDER", "pmg-cseu@localhost"),
        # What pages computed, kept in each process until the data changes (pmg.core.caching):
        # at most this many values (a third of them goes when full), none older than this.
        # PMG_CACHE=off keeps nothing: every request computes its page.
        "CACHE_TYPE": "SimpleCache" if _env_bool("PMG_CACHE", True) else "NullCache",
        "CACHE_THRESHOLD": _env_int("PMG_CACHE_ENTRIES", 300),
        "CACHE_DEFAULT_TIMEOUT": _env_int("PMG_CACHE_SECONDS", 900),
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": True,
    }
    config.update(overrides)
    # The request limit leaves room for the form fields around an upload.
    config.setdefault("MAX_CONTENT_LENGTH", config["PMG_MAX_UPLOAD_BYTES"] + FORM_ROOM_BYTES)
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = os.environ.get("SECRET_KEY") or _instance_secret(
            Path(instance_path), create=config["PMG_ENV"] != PRODUCTION
        )
    config["PUBLIC_BASE_URL"] = public_base_url(config["PUBLIC_BASE_URL"], config["PMG_ENV"])
    return config


def public_base_url(raw: str, env: str) -> str:
    """The address people open the application at, without a trailing slash.

    Links in mail (a new account's, a forgotten password's) are built from it and never
    from the request: the Host header is whatever the client sends. Production must name
    it, over HTTPS; elsewhere it defaults to :data:`DEVELOPMENT_BASE_URL`.
    """
    text = raw.strip().rstrip("/")
    production = env == PRODUCTION
    if not text:
        if production:
            raise ConfigError(
                "PMG_PUBLIC_BASE_URL no está definida: defina en el entorno la dirección "
                "con que se abre la aplicación (https://…), para los enlaces de los correos."
            )
        return DEVELOPMENT_BASE_URL
    schemes = {"https"} if production else {"http", "https"}
    if not _is_base_url(text, schemes):
        raise ConfigError(
            f"PMG_PUBLIC_BASE_URL no es una dirección válida: {text!r}. Escriba solo el "
            f"esquema ({' o '.join(sorted(schemes))}), el servidor y, si la hay, la ruta."
        )
    return text


def _is_base_url(text: str, schemes: set[str]) -> bool:
    """An absolute address in one of ``schemes``, with a server, no user, query or fragment."""
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  (reading it raises for a port that is not a number)
    except ValueError:  # that, or a broken IPv6 address
        return False
    return bool(
        parts.scheme in schemes
        and parts.hostname
        and "@" not in parts.netloc
        and not parts.query
        and not parts.fragment
    )


def _instance_secret(instance_path: Path, *, create: bool) -> str:
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    if not create:
        raise ConfigError(
            "SECRET_KEY no está definida: defínala en el entorno o en instance/secret_key."
        )
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key
