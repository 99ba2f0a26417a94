"""The files the application keeps, in a folder of this machine or in an S3-compatible
bucket (a local moto server): written whole under generated names, read back exactly,
following the transaction they were written or deleted in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from pmg.config import ConfigError
from pmg.core.storage import FileMissing, FileStore
from pmg.core.transactions import transaction
from pmg.extensions import db
from tests.conftest import bucket_keys, make_app

STORE = FileStore("evidence", "PMG_UPLOAD_DIR")
DATA = b"%PDF-1.4\n\x00\xff contenido \r\n"


@pytest.fixture(params=["carpeta", "balde"])
def where(request: pytest.FixtureRequest, database_uri: str, tmp_path: Path) -> Iterator[str]:
    """Where the files go: ``carpeta`` (PMG_UPLOAD_DIR) or ``balde`` (PMG_STORAGE_URL)."""
    url = request.getfixturevalue("bucket_url") if request.param == "balde" else ""
    app = make_app(database_uri, tmp_path, PMG_STORAGE_URL=url)
    with app.app_context():
        yield request.param
        db.session.remove()
        db.engine.dispose()


def _kept(where: str) -> list[str]:
    """The files kept, as ``ab/ab12…``."""
    from flask import current_app

    if where == "balde":
        prefix = "archivos/evidence/"
        keys = bucket_keys(current_app.config["PMG_STORAGE_URL"])
        assert all(key.startswith(prefix) for key in keys)
        return [key.removeprefix(prefix) for key in keys]
    root = Path(current_app.config["PMG_UPLOAD_DIR"])
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def test_a_file_is_kept_under_a_generated_name_and_read_back_exactly(where: str) -> None:
    with transaction():
        name = STORE.store(DATA)
    assert len(name) == 32 and int(name, 16) >= 0
    assert _kept(where) == [f"{name[:2]}/{name}"]
    assert STORE.read(name) == DATA
    assert STORE.store(DATA) != name  # the same bytes again: another name


def test_a_transaction_that_does_not_commit_leaves_none_of_its_files(where: str) -> None:
    with pytest.raises(RuntimeError), transaction():
        STORE.store(DATA)
        raise RuntimeError("refused")
    assert _kept(where) == []


def test_a_file_deleted_in_a_transaction_goes_only_once_it_commits(where: str) -> None:
    with transaction():
        name = STORE.store(DATA)
    with pytest.raises(RuntimeError), transaction():
        STORE.delete_on_commit(name)
        raise RuntimeError("refused")
    assert STORE.read(name) == DATA
    with transaction():
        STORE.delete_on_commit(name)
    assert _kept(where) == []


@pytest.mark.parametrize("name", ["../secret_key", "ab/../../x", "A" * 32, "", "0" * 33])
def test_only_a_generated_name_is_read(where: str, name: str) -> None:
    with pytest.raises(ValueError, match="not a stored file name"):
        STORE.read(name)


def test_a_folder_is_made_at_the_first_file(app: Flask, tmp_path: Path) -> None:
    app.config["PMG_UPLOAD_DIR"] = str(tmp_path / "nueva" / "carpeta")
    with transaction():
        STORE.store(DATA)
    assert len(list((tmp_path / "nueva" / "carpeta").rglob("*"))) == 2  # ab/ and the file


@pytest.mark.parametrize("url", ["ftp://archivos", "s3://", "/srv/archivos", "s3:///sin-balde"])
def test_a_storage_address_that_cannot_be_used_says_what_to_write(
    database_uri: str, tmp_path: Path, url: str
) -> None:
    app = make_app(database_uri, tmp_path, PMG_STORAGE_URL=url)
    with app.app_context(), pytest.raises(ConfigError, match="s3://balde/prefijo"):
        STORE.read("0" * 32)


def test_a_file_on_disk_is_kept_in_pieces_and_read_back_in_pieces(
    where: str, tmp_path: Path
) -> None:
    large = tmp_path / "paquete.zip"
    large.write_bytes(DATA * 200_000)  # several pieces of the copy
    with transaction():
        name = STORE.store_file(large)
    with STORE.open(name) as stream:
        assert stream.read() == large.read_bytes()
    assert _kept(where) == [f"{name[:2]}/{name}"]


def test_a_file_that_is_not_there_is_said_to_be_missing(where: str) -> None:
    with transaction():
        name = STORE.store(DATA)
    with transaction():
        STORE.delete_on_commit(name)
    for read in (STORE.read, STORE.open):
        with pytest.raises(FileMissing):
            read(name)
