"""Building an evidence package: one ZIP, written to a temporary name, checked, then renamed.

What it holds, for the versions a :class:`~pmg.packages.queries.Selection` chooses:

- a folder per institution (``<code> <name>``) with each version's stored PDF
  (``diagnostico_v1.pdf``) and the evidence files it lists (``diagnostico_v1_evidencia/``,
  each by the name the version lists it by);
- ``manifest.csv`` and ``manifest.json``: per file, the institution's code and name, the
  kind, the version's number and state, when it was sent, the version's content SHA-256,
  and the file's name in the package, size and SHA-256; the JSON also says what was chosen;
- the consolidated workbook of the cycle (``consolidado_cseu_<year>.xlsx``).

A PDF not stored yet is rendered and stored first (:func:`~pmg.exports.documents.stored.
store_pdf`). Each evidence file is checked against the SHA-256 its version lists. Once
written, the ZIP is read back: every member's checksum and every file's SHA-256 against the
manifest. Only then does it take its final name: a package cut short never looks finished.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pmg.core.delimited import write_csv
from pmg.core.errors import DomainError
from pmg.core.models import utcnow
from pmg.core.storage import FileMissing, FileStore
from pmg.core.xlsx import Table
from pmg.cycles.models import Cycle
from pmg.evidence.checks import clean_name
from pmg.evidence.storage import evidence_files
from pmg.exports.documents.stored import read_pdf, store_pdf
from pmg.exports.workbook import consolidated_filename, write_consolidated
from pmg.packages.queries import Selection, evidence_of, packaged_versions
from pmg.submissions.kinds import slugs
from pmg.submissions.models import SubmissionVersion

MANIFEST_HEADERS = (
    "codigo_institucion",
    "institucion",
    "tipo",
    "version",
    "estado",
    "enviado_el",
    "sha256_contenido_version",
    "archivo",
    "tamano_bytes",
    "sha256_archivo",
)
MAX_FOLDER = 120  # characters of an institution's folder name
# Characters of an evidence file's name in the package: the whole path stays within what
# every system extracts.
MAX_FILE_NAME = 100
PIECE = 1024 * 1024  # bytes read and written at a time
ALIVE_EVERY = 50  # members checked between two signs of life
Progress = Callable[[int, int], None]  # items done, items in all


class PackageError(DomainError):
    """The package cannot be built as it must be (a file missing or not as listed)."""


@dataclass(frozen=True)
class PackageSummary:
    versions: int
    files: int
    size: int
    sha256: str


def items_of(versions: int) -> int:
    """How many steps building a package of ``versions`` versions takes: one per version,
    and one for the workbook, the manifests and the check."""
    return versions + 1


def build_package(
    cycle: Cycle, selection: Selection, target: Path, progress: Progress | None = None
) -> PackageSummary:
    """Write the package ``selection`` chooses in ``cycle`` to ``target`` (replaced, if it
    exists, only once the new one is complete and checked). ``progress`` is told after each
    step, and again now and then during a long one (a worker's sign of life); the last step
    is told once the package has its name. Files go in and are checked in pieces, never
    whole in memory. Raises :class:`PackageError`."""
    versions = packaged_versions(cycle, selection)
    if not versions:
        raise PackageError(NOTHING_CHOSEN)
    total = items_of(len(versions))
    tell = progress or _silent
    partial = target.with_name(f".{target.name}.parcial")
    rows: list[dict[str, Any]] = []
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            names = _Names()
            for done, version in enumerate(versions, start=1):
                rows += _added(archive, version, names)
                tell(done, total)
            workbook = io.BytesIO()
            write_consolidated(cycle, workbook)
            archive.writestr(consolidated_filename(cycle), workbook.getvalue())
            archive.writestr("manifest.csv", _manifest_csv(rows))
            archive.writestr("manifest.json", _manifest_json(cycle, selection, rows))
        _check(partial, rows, lambda: tell(len(versions), total))
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    size, digest = _size_and_digest(target)
    tell(total, total)
    return PackageSummary(len(versions), len(rows), size, digest)


def _silent(done: int, total: int) -> None:
    """No one to tell (a package built in the foreground without a bar)."""


def _added(
    archive: zipfile.ZipFile, version: SubmissionVersion, names: _Names
) -> list[dict[str, Any]]:
    """Put the version's PDF and evidence files in ``archive``; their manifest rows."""
    submission = version.submission
    institution = submission.institution
    folder = names.folder(f"{institution.code} {institution.name}")
    stem = f"{slugs()[submission.kind]}_v{version.number}"
    pdf = read_pdf(store_pdf(version))
    path = f"{folder}/{stem}.pdf"
    archive.writestr(path, pdf)
    rows = [_row(version, path, len(pdf), hashlib.sha256(pdf).hexdigest())]
    for name, listed, evidence in evidence_of(version):
        which = f"«{name}» de la versión {version.number} de {institution.code}"
        if evidence is None:
            raise PackageError(f"Falta el archivo {which}: {NOT_BUILT}")
        path = names.unique(f"{folder}/{stem}_evidencia/{clean_name(name, MAX_FILE_NAME)}")
        try:
            size, digest = _copied(evidence_files, evidence.stored_name, archive, path)
        except FileMissing as missing:
            raise PackageError(f"Falta el archivo {which}: {NOT_BUILT}") from missing
        if digest != listed:
            raise PackageError(
                f"El archivo {which} no coincide con su huella SHA-256: {NOT_BUILT}"
            )
        rows.append(_row(version, path, size, digest))
    return rows


NOT_BUILT = "no se puede armar el paquete."
NOTHING_CHOSEN = (
    "Ninguna versión enviada del ciclo coincide con lo elegido: cambie la selección."
)


def _copied(
    store: FileStore, stored_name: str, archive: zipfile.ZipFile, path: str
) -> tuple[int, str]:
    """Copy the stored file into ``archive`` at ``path`` in pieces; its size and SHA-256."""
    digest, size = hashlib.sha256(), 0
    with store.open(stored_name) as source, archive.open(path, "w") as member:
        while piece := source.read(PIECE):
            digest.update(piece)
            size += len(piece)
            member.write(piece)
    return size, digest.hexdigest()


def _row(version: SubmissionVersion, path: str, size: int, digest: str) -> dict[str, Any]:
    """What the manifests say of one file, in :data:`MANIFEST_HEADERS`' order."""
    submission = version.submission
    return {
        "codigo_institucion": submission.institution.code,
        "institucion": submission.institution.name,
        "tipo": submission.kind.label,
        "version": version.number,
        "estado": submission.state.label,
        "enviado_el": _moment(version.submitted_at),
        "sha256_contenido_version": version.content_hash,
        "archivo": path,
        "tamano_bytes": size,
        "sha256_archivo": digest,
    }


class _Names:
    """Paths in the package: safe, and each used once (``informe (2).pdf``)."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.folders: dict[str, str] = {}

    def folder(self, wanted: str) -> str:
        if wanted not in self.folders:
            # A slash in a name is no folder: ``123 X / Y`` keeps its code.
            plain = re.sub(r"[/\\.]", " ", wanted)
            name = re.sub(r"\s+", " ", clean_name(plain)).strip()
            self.folders[wanted] = name[:MAX_FOLDER].rstrip()
        return self.folders[wanted]

    def unique(self, path: str) -> str:
        stem, dot, extension = path.rpartition(".")
        if not dot or "/" in extension:
            stem, dot, extension = path, "", ""
        candidate, number = path, 1
        while candidate.lower() in self.used:
            number += 1
            candidate = f"{stem} ({number}){dot}{extension}"
        self.used.add(candidate.lower())
        return candidate


def _moment(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S")


def _manifest_csv(rows: list[dict[str, Any]]) -> bytes:
    text = io.StringIO()
    values = [tuple(row[name] for name in MANIFEST_HEADERS) for row in rows]
    write_csv(Table("manifest", MANIFEST_HEADERS, values), text)
    return text.getvalue().encode()


def _manifest_json(cycle: Cycle, selection: Selection, rows: list[dict[str, Any]]) -> bytes:
    document = {
        "ciclo": cycle.year,
        "seleccion": selection.described(),
        "generado_el": _moment(utcnow()),
        "archivos": rows,
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


def _check(path: Path, rows: list[dict[str, Any]], alive: Callable[[], None]) -> None:
    """Read the written ZIP back, in pieces: every member whole (its checksum), every listed
    file as listed; ``alive`` is told every few members."""
    listed = {row["archivo"]: row["sha256_archivo"] for row in rows}
    with zipfile.ZipFile(path) as archive:
        for number, name in enumerate(archive.namelist(), start=1):
            digest = hashlib.sha256()
            try:
                with archive.open(name) as member:
                    while piece := member.read(PIECE):
                        digest.update(piece)
            except zipfile.BadZipFile as broken:
                raise PackageError(
                    f"El paquete quedó dañado en «{name}»; vuelva a pedirlo."
                ) from broken
            if name in listed and digest.hexdigest() != listed[name]:
                raise PackageError(
                    f"El paquete no guardó «{name}» como se leyó; vuelva a pedirlo."
                )
            if number % ALIVE_EVERY == 0:
                alive()


def _size_and_digest(path: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as stream:
        while piece := stream.read(PIECE):
            digest.update(piece)
            size += len(piece)
    return size, digest.hexdigest()
