"""Files the application keeps (evidence, stored PDFs): generated names, never served as
static, following the database transaction, in a folder of this machine or in a bucket.

``PMG_STORAGE_URL`` says where:

- unset: a folder per kind of file on this machine (``PMG_UPLOAD_DIR``, ``PMG_PDF_DIR``);
- ``s3://bucket/prefix``: an S3-compatible bucket, shared by every server, each kind of file
  under ``prefix/<kind>/``. ``?endpoint=http://host:port`` names a server other than
  Amazon's (MinIO, Ceph…), ``&region=…`` its region; the credentials come from the
  environment as for any AWS client (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``).

A :class:`FileStore` is one kind of file. A file is written whole or not at all: in a
folder to a temporary name, synced, then renamed; in a bucket by one request. The files
follow the database transaction they were written or deleted in: a file written in a
transaction that does not commit is removed, and a file deleted in a transaction is
removed only once it commits.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, Protocol
from urllib.parse import parse_qs, urlsplit

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from pmg.config import ConfigError
from pmg.extensions import db

STORED_NAME = re.compile(r"[0-9a-f]{32}")
WRITTEN = "pmg_files_written"  # keys of Session.info: sets of (store, name)
TO_DELETE = "pmg_files_to_delete"
BUCKETS = "pmg_file_buckets"  # app.extensions key: the bucket of each kind of file
_OPENING = threading.Lock()
COPY_CHUNK = 1024 * 1024


class FileMissing(LookupError):
    """No file under that name (never stored, or removed since)."""


class Backend(Protocol):
    """Where the files of one kind live, each under a key ``ab/ab12…``."""

    def put(self, key: str, data: bytes) -> None: ...
    def put_file(self, key: str, path: Path) -> None: ...
    def get(self, key: str) -> bytes: ...
    def open(self, key: str) -> IO[bytes]: ...
    def delete(self, key: str) -> None: ...
    def exists(self, key: str) -> bool: ...


class LocalFolder:
    """Files in a folder of this machine."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, key: str, data: bytes) -> None:
        self._write(key, lambda stream: stream.write(data))

    def put_file(self, key: str, path: Path) -> None:
        def copy(stream: IO[bytes]) -> None:
            with path.open("rb") as source:
                shutil.copyfileobj(source, stream, COPY_CHUNK)

        self._write(key, copy)

    def _write(self, key: str, write: Callable[[IO[bytes]], object]) -> None:
        """Written to a temporary name, synced, then renamed: whole or not at all."""
        final = self.root / key
        final.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=final.parent, prefix=".parcial-")
        try:
            with os.fdopen(handle, "wb") as stream:
                write(stream)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, final)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _sync_folder(final.parent)

    def get(self, key: str) -> bytes:
        with self.open(key) as stream:
            return stream.read()

    def open(self, key: str) -> IO[bytes]:
        try:
            return (self.root / key).open("rb")
        except FileNotFoundError as missing:
            raise FileMissing(key) from missing

    def delete(self, key: str) -> None:
        (self.root / key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return (self.root / key).exists()


class Bucket:
    """Files in an S3-compatible bucket, under ``prefix``."""

    def __init__(self, client: Any, bucket: str, prefix: str) -> None:
        self.client, self.bucket, self.prefix = client, bucket, prefix

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + key, Body=data)

    def put_file(self, key: str, path: Path) -> None:
        self.client.upload_file(str(path), self.bucket, self.prefix + key)  # in parts if large

    def open(self, key: str) -> IO[bytes]:
        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)
        except ClientError as error:
            if _not_found(error):
                raise FileMissing(key) from error
            raise
        stream: IO[bytes] = answer["Body"]
        return stream

    def get(self, key: str) -> bytes:
        with self.open(key) as stream:
            return stream.read()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + key)

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.prefix + key)
        except ClientError as error:
            if _not_found(error):
                return False
            raise
        return True


def _not_found(error: Any) -> bool:
    return error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound")


def _bucket(url: str, kind: str) -> Bucket:
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ConfigError(
            f"PMG_STORAGE_URL no es válida: «{url}». Déjela vacía (carpetas de este servidor) "
            "o use s3://balde/prefijo (con ?endpoint=http://servidor:puerto si no es Amazon S3)."
        )
    options = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    import boto3  # only where files live in a bucket
    from botocore.config import Config

    client = boto3.client(
        "s3",
        endpoint_url=options.get("endpoint"),
        region_name=options.get("region"),
        # Checksums only where S3 asks for them: other S3-compatible servers (MinIO, Ceph)
        # may refuse the ones boto3 adds by default.
        config=Config(
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            connect_timeout=10,
            read_timeout=60,
            retries={"max_attempts": 3},
        ),
    )
    prefix = "/".join(part for part in (parts.path.strip("/"), kind) if part) + "/"
    return Bucket(client, parts.netloc, prefix)


class FileStore:
    """The files of one ``kind`` (``evidence``, ``pdfs``): in the folder that the
    configuration key ``setting`` names, or in the bucket of ``PMG_STORAGE_URL``."""

    def __init__(self, kind: str, setting: str) -> None:
        self.kind, self.setting = kind, setting

    def backend(self) -> Backend:
        """Where this kind of file lives for the current app: its folder (as configured
        now), or the bucket, whose client is made once per app."""
        config = current_app.config
        url = config["PMG_STORAGE_URL"]
        if not url:
            return LocalFolder(Path(config[self.setting]))
        app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
        with _OPENING:
            buckets: dict[str, Bucket] = app.extensions.setdefault(BUCKETS, {})
            if self.kind not in buckets:
                buckets[self.kind] = _bucket(url, self.kind)
            return buckets[self.kind]

    def store(self, data: bytes) -> str:
        """Write ``data`` under a new generated name and return the name.

        Until the current transaction commits, the file is removed if it rolls back or ends.
        """
        return self._stored(lambda backend, key: backend.put(key, data))

    def store_file(self, path: Path) -> str:
        """:meth:`store` the file at ``path``, read in pieces (a package may be large)."""
        return self._stored(lambda backend, key: backend.put_file(key, path))

    def _stored(self, put: Callable[[Backend, str], None]) -> str:
        backend = self.backend()
        stored_name = secrets.token_hex(16)
        while backend.exists(_key(stored_name)):  # never overwrite, however unlikely
            stored_name = secrets.token_hex(16)
        session = _in_transaction()
        put(backend, _key(stored_name))
        session.info.setdefault(WRITTEN, set()).add((self, stored_name))
        return stored_name

    def read(self, stored_name: str) -> bytes:
        return self.backend().get(_key(stored_name))

    def exists(self, stored_name: str) -> bool:
        return self.backend().exists(_key(stored_name))

    def open(self, stored_name: str) -> IO[bytes]:
        """The file to read in pieces (a download sent as it is read)."""
        return self.backend().open(_key(stored_name))

    def delete(self, stored_name: str) -> None:
        self.backend().delete(_key(stored_name))

    def delete_on_commit(self, stored_name: str) -> None:
        """Remove the file once the current transaction commits; keep it if it rolls back."""
        _in_transaction().info.setdefault(TO_DELETE, set()).add((self, stored_name))


PIECE = 1024 * 1024  # bytes read at a time


def size_and_digest(path: Path) -> tuple[int, str]:
    """The size of the file at ``path`` and its SHA-256, read in pieces."""
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as stream:
        while piece := stream.read(PIECE):
            digest.update(piece)
            size += len(piece)
    return size, digest.hexdigest()


def _in_transaction() -> Session:
    """The current session, its transaction begun: a file follows one even when it is the
    transaction's first change (a rollback then ends it too)."""
    session = db.session()
    if not session.in_transaction():
        session.begin()
    return session


def _key(stored_name: str) -> str:
    """``ab/ab12…``; refuses anything but a generated name, so no stored value can point
    outside its kind's folder or prefix."""
    if not STORED_NAME.fullmatch(stored_name):
        raise ValueError(f"not a stored file name: {stored_name!r}")
    return f"{stored_name[:2]}/{stored_name}"


def _sync_folder(folder: Path) -> None:
    """Make the rename durable; not every platform can open a folder, which is fine."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    session.info.pop(WRITTEN, None)
    for store, stored_name in session.info.pop(TO_DELETE, set()):
        with contextlib.suppress(Exception):  # a file left behind is harmless; a failure is not
            store.delete(stored_name)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    """A transaction that ends without committing leaves none of the files it wrote."""
    if transaction.parent is not None:
        return
    session.info.pop(TO_DELETE, None)
    for store, stored_name in session.info.pop(WRITTEN, set()):
        with contextlib.suppress(Exception):
            store.delete(stored_name)
