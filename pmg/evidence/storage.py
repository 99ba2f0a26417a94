"""Evidence files: under ``PMG_UPLOAD_DIR``, following the transaction that attached or
removed them (see :class:`pmg.core.storage.FileStore`)."""

from __future__ import annotations

from pmg.core.storage import FileStore

evidence_files = FileStore("PMG_UPLOAD_DIR")
