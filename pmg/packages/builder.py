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
from pmg.core.xlsx import Table
from pmg.cycles.models import Cycle
from pmg.evidence.checks import clean_name
from pmg.evidence.storage import evidence_files
from pmg.exports.documents.stored import read_pdf, store_pdf
from pmg.exports.workbook import consolidated_filename, export_consolidated
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
Progress = Callable[[int, int], None]  # items done, items in all


class PackageError(DomainError):
    """The package cannot be built as it must be (a file missing or not as listed)."""


@dataclass(frozen=True)
class PackageSummary:
    versions: int
    files: int
    size: int
    sha256: str


@dataclass(frozen=True)
class _Entry:
    version: SubmissionVersion
    path: str
    data: bytes

    def manifest_row(self) -> dict[str, Any]:
        submission = self.version.submission
        return {
            "codigo_institucion": submission.institution.code,
            "institucion": submission.institution.name,
            "tipo": submission.kind.label,
            "version": self.version.number,
            "estado": submission.state.label,
            "enviado_el": _moment(self.version.submitted_at),
            "sha256_contenido_version": self.version.content_hash,
            "archivo": self.path,
            "tamano_bytes": len(self.data),
            "sha256_archivo": hashlib.sha256(self.data).hexdigest(),
        }


def items_of(versions: list[SubmissionVersion]) -> int:
    """How many steps building a package of ``versions`` takes: one per version, and the
    workbook."""
    return len(versions) + 1


def build_package(
    cycle: Cycle, selection: Selection, target: Path, progress: Progress | None = None
) -> PackageSummary:
    """Write the package ``selection`` chooses in ``cycle`` to ``target`` (replaced, if it
    exists, only once the new one is complete and checked); ``progress`` is told after each
    step. Raises :class:`PackageError`."""
    versions = packaged_versions(cycle, selection)
    total, done = items_of(versions), 0
    partial = target.with_name(f".{target.name}.parcial")
    rows: list[dict[str, Any]] = []
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            names = _Names()
            for version in versions:
                for entry in _entries(version, names):
                    archive.writestr(entry.path, entry.data)
                    rows.append(entry.manifest_row())
                done += 1
                if progress:
                    progress(done, total)
            workbook = io.BytesIO()
            export_consolidated(cycle, workbook)
            archive.writestr(consolidated_filename(cycle), workbook.getvalue())
            archive.writestr("manifest.csv", _manifest_csv(rows))
            archive.writestr("manifest.json", _manifest_json(cycle, selection, rows))
        _check(partial, rows)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    if progress:
        progress(total, total)
    data = target.read_bytes()
    return PackageSummary(len(versions), len(rows), len(data), hashlib.sha256(data).hexdigest())


def _entries(version: SubmissionVersion, names: _Names) -> list[_Entry]:
    """The version's PDF and evidence files, each under its path in the package."""
    submission = version.submission
    institution = submission.institution
    folder = names.folder(f"{institution.code} {institution.name}")
    stem = f"{slugs()[submission.kind]}_v{version.number}"
    entries = [_Entry(version, f"{folder}/{stem}.pdf", read_pdf(store_pdf(version)))]
    for name, digest, evidence in evidence_of(version):
        if evidence is None:
            raise PackageError(
                f"Falta el archivo «{name}» de la versión {version.number} de "
                f"{institution.code}: no se puede armar el paquete."
            )
        data = evidence_files.read(evidence.stored_name)
        if hashlib.sha256(data).hexdigest() != digest:
            raise PackageError(
                f"El archivo «{name}» de la versión {version.number} de {institution.code} "
                "no coincide con su huella SHA-256: no se puede armar el paquete."
            )
        path = names.unique(f"{folder}/{stem}_evidencia/{clean_name(name)}")
        entries.append(_Entry(version, path, data))
    return entries


class _Names:
    """Paths in the package: safe, and each used once (``informe (2).pdf``)."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.folders: dict[str, str] = {}

    def folder(self, wanted: str) -> str:
        if wanted not in self.folders:
            name = re.sub(r"\s+", " ", clean_name(wanted).replace(".", " ")).strip()
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


def _check(path: Path, rows: list[dict[str, Any]]) -> None:
    """Read the written ZIP back: every member whole, every listed file as listed."""
    with zipfile.ZipFile(path) as archive:
        broken = archive.testzip()
        if broken is not None:
            raise PackageError(f"El paquete quedó dañado en «{broken}»; vuelva a pedirlo.")
        for row in rows:
            data = archive.read(row["archivo"])
            if hashlib.sha256(data).hexdigest() != row["sha256_archivo"]:
                raise PackageError(
                    f"El paquete no guardó «{row['archivo']}» como se leyó; vuelva a pedirlo."
                )
