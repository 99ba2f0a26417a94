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
store_pdf`); the workbook is the one stored for the data as it is (:func:`~pmg.exports.
workbook.stored.stored_workbook`), written first if need be. Every file goes in checked
against the SHA-256 it was stored with (an evidence file's is the one its version lists).
The ZIP is written straight through, its SHA-256 taken on the way; then it is read back
against that SHA-256, and its directory against the manifest. Only then does it take its
final name: a package cut short never looks finished.
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
from typing import IO, Any, Protocol

from pmg.core.delimited import write_csv
from pmg.core.errors import DomainError
from pmg.core.models import utcnow
from pmg.core.storage import PIECE, FileMissing, FileStore
from pmg.core.xlsx import Table
from pmg.cycles.models import Cycle
from pmg.evidence.checks import clean_name
from pmg.evidence.storage import evidence_files
from pmg.exports.documents.models import StoredPdf
from pmg.exports.documents.stored import current_pdfs, pdf_files, store_pdf
from pmg.exports.workbook import consolidated_filename
from pmg.exports.workbook.stored import stored_workbook, workbook_files
from pmg.packages.queries import Listed, Selection, evidence_of, packaged_versions
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
BATCH = 200  # versions whose stored PDFs and evidence are looked up together
ALIVE_EVERY = 50  # pieces checked between two signs of life
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
        with (
            partial.open("wb") as stream,
            zipfile.ZipFile(
                written := _Hashing(stream),
                "w",
                compression=zipfile.ZIP_DEFLATED,
            ) as archive,
        ):
            names = _Names()
            for start in range(0, len(versions), BATCH):
                batch = versions[start : start + BATCH]
                pdfs, evidence = current_pdfs(batch), evidence_of(batch)
                for done, version in enumerate(batch, start=start + 1):
                    pdf = pdfs.get(version.id) or store_pdf(version)
                    rows += _added(archive, version, pdf, evidence[version.id], names)
                    tell(done, total)
            workbook = stored_workbook(cycle)
            _copied_as_stored(
                workbook_files,
                workbook,
                archive,
                consolidated_filename(cycle),
                f"el consolidado del ciclo {cycle.year}",
            )
            archive.writestr("manifest.csv", _manifest_csv(rows))
            archive.writestr("manifest.json", _manifest_json(cycle, selection, rows))
        check_package(
            partial, written.digest.hexdigest(), rows, lambda: tell(len(versions), total)
        )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    tell(total, total)
    return PackageSummary(len(versions), len(rows), written.size, written.digest.hexdigest())


def _silent(done: int, total: int) -> None:
    """No one to tell (a package built in the foreground without a bar)."""


def _added(
    archive: zipfile.ZipFile,
    version: SubmissionVersion,
    pdf: StoredPdf,
    evidence: Listed,
    names: _Names,
) -> list[dict[str, Any]]:
    """Put the version's stored ``pdf`` and the ``evidence`` files it lists in ``archive``;
    their manifest rows."""
    submission = version.submission
    institution = submission.institution
    folder = names.folder(f"{institution.code} {institution.name}")
    stem = f"{slugs()[submission.kind]}_v{version.number}"
    path = f"{folder}/{stem}.pdf"
    which = f"el PDF de la versión {version.number} de {institution.code}"
    rows = [_row(version, path, *_copied_as_stored(pdf_files, pdf, archive, path, which))]
    for name, _listed, stored in evidence:
        which = f"el archivo «{name}» de la versión {version.number} de {institution.code}"
        if stored is None:
            raise PackageError(f"Falta {which}: {NOT_BUILT}")
        path = names.unique(f"{folder}/{stem}_evidencia/{clean_name(name, MAX_FILE_NAME)}")
        copied = _copied_as_stored(evidence_files, stored, archive, path, which)
        rows.append(_row(version, path, *copied))
    return rows


NOT_BUILT = "no se puede armar el paquete."
NOTHING_CHOSEN = (
    "Ninguna versión enviada del ciclo coincide con lo elegido: cambie la selección."
)


class _Stored(Protocol):
    stored_name: str
    sha256: str


def _copied_as_stored(
    store: FileStore,
    stored: _Stored,
    archive: zipfile.ZipFile,
    path: str,
    which: str,
) -> tuple[int, str]:
    """Copy the ``stored`` file into ``archive`` at ``path`` in pieces, checking it against
    the SHA-256 it was stored with (for evidence, the one its version lists); its size and
    SHA-256. ``which`` names it (``el PDF de…``) in the error that says it is missing or altered."""
    digest, size = hashlib.sha256(), 0
    try:
        with store.open(stored.stored_name) as source, archive.open(path, "w") as member:
            while piece := source.read(PIECE):
                digest.update(piece)
                size += len(piece)
                member.write(piece)
    except FileMissing as missing:
        raise PackageError(f"Falta {which}: {NOT_BUILT}") from missing
    if digest.hexdigest() != stored.sha256:
        raise PackageError(
            f"{which[0].upper()}{which[1:]} no coincide con su huella SHA-256: {NOT_BUILT}"
        )
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


def check_package(
    path: Path, sha256: str, rows: list[dict[str, Any]], alive: Callable[[], None]
) -> None:
    """Read the ZIP at ``path`` back, in pieces: its bytes must be those written (their
    SHA-256 is ``sha256``; each file's SHA-256 in the manifest was taken of the same bytes
    on their way in), and its directory must list every file the manifest ``rows`` list,
    with its size. ``alive`` is told every few pieces. Raises :class:`PackageError`."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for number, piece in enumerate(iter(lambda: stream.read(PIECE), b""), start=1):
            digest.update(piece)
            if number % ALIVE_EVERY == 0:
                alive()
    try:
        if digest.hexdigest() != sha256:
            raise zipfile.BadZipFile("not the bytes written")
        with zipfile.ZipFile(path) as archive:
            sizes = {member.filename: member.file_size for member in archive.infolist()}
    except zipfile.BadZipFile as broken:
        raise PackageError(BROKEN) from broken
    for name, size in ((row["archivo"], row["tamano_bytes"]) for row in rows):
        if sizes.get(name) != size:
            raise PackageError(f"El paquete no guardó «{name}» como se leyó; vuelva a pedirlo.")


BROKEN = "El paquete quedó dañado al guardarse; vuelva a pedirlo."


class _Hashing:
    """A file written only forward, taking the size and SHA-256 of what goes through: the
    ZIP written to it is streamed (each member's sizes after its data), so its checksum is
    known once it is closed, without reading it again."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream, self.digest, self.size = stream, hashlib.sha256(), 0

    def write(self, data: bytes, /) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.stream.write(data)

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        self.stream.flush()

    def close(self) -> None:
        self.stream.close()
