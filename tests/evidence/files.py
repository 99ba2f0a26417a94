"""Small files of every accepted type, and hostile ones, built in memory for evidence tests."""

from __future__ import annotations

import hashlib
import zipfile
from io import BytesIO
from pathlib import Path

from PIL import Image  # installed with WeasyPrint

from pmg.auth.models import User
from pmg.evidence.checks import clean_name, detect_type
from pmg.evidence.models import EvidenceFile
from pmg.evidence.storage import evidence_files
from pmg.extensions import db
from pmg.submissions.models import Submission
from tests.workbooks import rewrite_zip, xlsx_bytes

DOCX_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
DOCM_TYPES = DOCX_TYPES.replace(
    b"vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    b"vnd.ms-word.document.macroEnabled.main+xml",
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(50) + b"This program cannot be run in DOS mode."
HTML = b"<!DOCTYPE html><html><body><script>alert('hola')</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="5"/></svg>'
CSV = "región;reclamos\nÑuble;1.250\nBiobío;980\n".encode()


def pdf(text: str = "Informe") -> bytes:
    body = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>endobj\n"
        + f"4 0 obj<</Length {len(body)}>>stream\n".encode()
        + body
        + b"\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def image(kind: str) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(buffer, format=kind)
    return buffer.getvalue()


def zip_of(members: dict[str, bytes], *, stored_first: bool = False) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index, (name, content) in enumerate(members.items()):
            stored = stored_first and index == 0
            archive.writestr(name, content, zipfile.ZIP_STORED if stored else None)
    return buffer.getvalue()


def docx(extra: dict[str, bytes] | None = None, content_types: bytes = DOCX_TYPES) -> bytes:
    return zip_of(
        {
            "[Content_Types].xml": content_types,
            "_rels/.rels": b"<Relationships/>",
            "word/document.xml": b"<w:document><w:body><w:p/></w:body></w:document>",
            **(extra or {}),
        }
    )


def odf(kind: str = "text", extra: dict[str, bytes] | None = None) -> bytes:
    """An OpenDocument package: ``mimetype`` first and uncompressed, then its parts."""
    return zip_of(
        {
            "mimetype": f"application/vnd.oasis.opendocument.{kind}".encode(),
            "META-INF/manifest.xml": b"<manifest:manifest/>",
            "content.xml": b"<office:document-content/>",
            **(extra or {}),
        },
        stored_first=True,
    )


def xlsx(extra: dict[str, bytes] | None = None) -> bytes:
    data = xlsx_bytes({"Hoja1": [("región", "reclamos"), ("Ñuble", 1250)]})
    return rewrite_zip(data, extra) if extra else data


def create_evidence(
    submission: Submission,
    uploaded_by: User,
    data: bytes | None = None,
    name: str = "informe.pdf",
    action_key: str | None = None,
) -> EvidenceFile:
    """A file as if attached while ``submission`` was still a draft, whatever its state now."""
    data = data if data is not None else pdf()
    evidence = EvidenceFile(
        submission=submission,
        action_key=action_key,
        declared_name=clean_name(name),
        stored_name=evidence_files.store(data),
        file_type=detect_type(data),
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=uploaded_by,
    )
    db.session.add(evidence)
    db.session.commit()
    return evidence


def stored_files(upload_dir: str) -> list[str]:
    """Every file under the upload folder, temporary ones included."""
    root = Path(upload_dir)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())
