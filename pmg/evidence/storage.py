"""Evidence files: in ``PMG_UPLOAD_DIR`` or the bucket of ``PMG_STORAGE_URL``, following the
transaction that attached or removed them (see :class:`pmg.core.storage.FileStore`)."""

from __future__ import annotations

from pmg.core.storage import FileStore

evidence_files = FileStore("evidence", "PMG_UPLOAD_DIR")
