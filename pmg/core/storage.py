"""Files the application keeps (evidence, stored PDFs): generated names in a folder of
the configuration, never served as static, following the database transaction.

A :class:`FileStore` is one such folder, named by a configuration key. A file is
written to a temporary name, synced, then renamed, so a half-written file never carries
a final name. The files follow the database transaction they were written or deleted
in: a file written in a transaction that does not commit is removed, and a file deleted
in a transaction is removed only once it commits.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import tempfile
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from pmg.extensions import db

STORED_NAME = re.compile(r"[0-9a-f]{32}")
WRITTEN = "pmg_files_written"  # keys of Session.info: sets of (store, name)
TO_DELETE = "pmg_files_to_delete"


class FileStore:
    """The files under the folder that the configuration key ``setting`` names, each at
    ``<folder>/ab/ab12…`` under a generated name."""

    def __init__(self, setting: str) -> None:
        self.setting = setting

    def folder(self) -> Path:
        return Path(current_app.config[self.setting])

    def path_for(self, stored_name: str) -> Path:
        """Where ``stored_name`` lives; refuses anything but a generated name, so no stored
        value can point outside the folder."""
        if not STORED_NAME.fullmatch(stored_name):
            raise ValueError(f"not a stored file name: {stored_name!r}")
        return self.folder() / stored_name[:2] / stored_name

    def store(self, data: bytes) -> str:
        """Write ``data`` under a new generated name and return the name.

        Until the current transaction commits, the file is removed if it rolls back or ends.
        """
        stored_name = secrets.token_hex(16)
        final = self.path_for(stored_name)
        while final.exists():  # never overwrite, however unlikely a repeated name is
            stored_name = secrets.token_hex(16)
            final = self.path_for(stored_name)
        final.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=final.parent, prefix=".parcial-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, final)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _sync_folder(final.parent)
        db.session.info.setdefault(WRITTEN, set()).add((self, stored_name))
        return stored_name

    def read(self, stored_name: str) -> bytes:
        return self.path_for(stored_name).read_bytes()

    def delete(self, stored_name: str) -> None:
        self.path_for(stored_name).unlink(missing_ok=True)

    def delete_on_commit(self, stored_name: str) -> None:
        """Remove the file once the current transaction commits; keep it if it rolls back."""
        db.session.info.setdefault(TO_DELETE, set()).add((self, stored_name))


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
        with contextlib.suppress(OSError):  # a file left behind is harmless; a failure is not
            store.delete(stored_name)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    """A transaction that ends without committing leaves none of the files it wrote."""
    if transaction.parent is not None:
        return
    session.info.pop(TO_DELETE, None)
    for store, stored_name in session.info.pop(WRITTEN, set()):
        with contextlib.suppress(OSError):
            store.delete(stored_name)
