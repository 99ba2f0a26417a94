"""What an uploaded file is, decided by its content; and its declared name made safe to show.

The name a browser sends is never trusted: ``informe.pdf`` may hold a program and
``acta.pdf.exe`` may be a real PDF. Office Open XML and OpenDocument files are zips,
so their inner structure decides the type, and macros and zip bombs are refused.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from io import BytesIO

from pmg.core.errors import DomainError
from pmg.core.filters import format_number
from pmg.core.spreadsheets import (
    BAD_ZIP,
    MAX_UNCOMPRESSED_BYTES,
    OLE2_SIGNATURE,
    OoxmlPackage,
    SpreadsheetError,
    check_ooxml,
    check_xlsx,
    within_bounds,
)
from pmg.evidence.models import EvidenceType

ACCEPTED = "Se aceptan archivos PDF, PNG, JPEG, DOCX, XLSX, ODT, ODS y CSV."
NOT_ACCEPTED = f"El tipo de este archivo no se acepta. {ACCEPTED}"
EMPTY = f"El archivo está vacío. {ACCEPTED}"
EXECUTABLE = f"El archivo es un programa o un script y no se acepta. {ACCEPTED}"
MARKUP = (
    "El archivo parece una página web, una imagen SVG o un documento XML, que no se "
    f"aceptan. {ACCEPTED}"
)
OLD_OFFICE = (
    "El archivo es un documento de Office antiguo (.doc, .xls) o protegido con contraseña; "
    "guárdelo como .docx o .xlsx sin contraseña."
)
DOCX_PACKAGE = OoxmlPackage(
    required=("[Content_Types].xml", "word/document.xml"),
    macro_member="word/vbaProject.bin",
    not_valid="El archivo no es un documento Word (.docx) válido.",
    has_macros="El documento contiene macros; guárdelo como .docx sin macros.",
    too_big="El documento es demasiado grande una vez descomprimido; no se acepta.",
)
ODF_TYPES = {
    b"application/vnd.oasis.opendocument.text": EvidenceType.ODT,
    b"application/vnd.oasis.opendocument.spreadsheet": EvidenceType.ODS,
}
ODF_REQUIRED = ("content.xml", "META-INF/manifest.xml")
ODF_MACRO_FOLDERS = ("Basic/", "Scripts/")
NOT_ODF = "El archivo no es un documento OpenDocument (.odt, .ods) válido."
ODF_MACROS = "El documento contiene macros; guárdelo sin macros."
ODF_TOO_BIG = "El documento es demasiado grande una vez descomprimido; no se acepta."

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EXECUTABLE_SIGNATURES = (
    b"MZ",  # Windows .exe, .dll
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",  # Mach-O, both word sizes and byte orders, and universal binaries
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",
)
MARKUP_MARKERS = ("<script", "<html", "<svg", "<!doctype", "<?xml", "<iframe", "<body")
# Tab, line feed, form feed and carriage return are the only control characters text has.
CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")

MEDIA_TYPES: dict[EvidenceType, str] = {
    EvidenceType.PDF: "application/pdf",
    EvidenceType.PNG: "image/png",
    EvidenceType.JPEG: "image/jpeg",
    EvidenceType.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    EvidenceType.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    EvidenceType.ODT: "application/vnd.oasis.opendocument.text",
    EvidenceType.ODS: "application/vnd.oasis.opendocument.spreadsheet",
    EvidenceType.CSV: "text/csv",
}
EXTENSIONS: dict[EvidenceType, tuple[str, ...]] = {
    EvidenceType.PDF: (".pdf",),
    EvidenceType.PNG: (".png",),
    EvidenceType.JPEG: (".jpg", ".jpeg"),
    EvidenceType.DOCX: (".docx",),
    EvidenceType.XLSX: (".xlsx",),
    EvidenceType.ODT: (".odt",),
    EvidenceType.ODS: (".ods",),
    EvidenceType.CSV: (".csv",),
}


class EvidenceRefused(DomainError):
    """The file cannot be attached; ``message`` says why and what is accepted."""

    status_code = 422


def check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise EvidenceRefused(
            f"El archivo supera el tamaño máximo de {format_size(max_bytes)}. "
            "Reduzca su tamaño o divídalo en varios archivos."
        )


def detect_type(data: bytes, *, max_uncompressed: int = MAX_UNCOMPRESSED_BYTES) -> EvidenceType:
    """The type of ``data`` by its content, or :class:`EvidenceRefused` saying why not."""
    if not data.strip():
        raise EvidenceRefused(EMPTY)
    if data.startswith(b"%PDF-"):
        return EvidenceType.PDF
    if data.startswith(PNG_SIGNATURE) and data[12:16] == b"IHDR":
        return EvidenceType.PNG
    if data.startswith(b"\xff\xd8\xff"):
        return EvidenceType.JPEG
    if data.startswith(b"PK\x03\x04"):
        return _zip_type(data, max_uncompressed)
    if data.startswith(OLE2_SIGNATURE):
        raise EvidenceRefused(OLD_OFFICE)
    if data.startswith(EXECUTABLE_SIGNATURES):
        raise EvidenceRefused(EXECUTABLE)
    _check_csv(data)
    return EvidenceType.CSV


def _zip_type(data: bytes, max_uncompressed: int) -> EvidenceType:
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            members = archive.infolist()
            names = [member.filename for member in members]
            if names and names[0] == "mimetype":
                return _odf_type(archive, members, max_uncompressed)
    except BAD_ZIP:
        raise EvidenceRefused(NOT_ACCEPTED) from None
    try:
        if "word/document.xml" in names:
            check_ooxml(data, DOCX_PACKAGE, max_uncompressed=max_uncompressed)
            return EvidenceType.DOCX
        if "xl/workbook.xml" in names:
            check_xlsx(data, max_uncompressed=max_uncompressed)
            return EvidenceType.XLSX
    except SpreadsheetError as refused:
        raise EvidenceRefused(refused.message) from None
    raise EvidenceRefused(NOT_ACCEPTED)


def _odf_type(
    archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], max_uncompressed: int
) -> EvidenceType:
    """ODF puts an uncompressed ``mimetype`` member first, holding exactly its media type."""
    names = {member.filename for member in members}
    if members[0].file_size > 100 or not all(name in names for name in ODF_REQUIRED):
        raise EvidenceRefused(NOT_ODF)
    file_type = ODF_TYPES.get(archive.read(members[0]))
    if file_type is None:
        raise EvidenceRefused(NOT_ACCEPTED)
    if not within_bounds(members, max_uncompressed):
        raise EvidenceRefused(ODF_TOO_BIG)
    if any(name.startswith(ODF_MACRO_FOLDERS) for name in names):
        raise EvidenceRefused(ODF_MACROS)
    return file_type


def _check_csv(data: bytes) -> None:
    """Plain text in UTF-8 or Windows-1252, not markup; the cells are data, never run."""
    if CONTROL_BYTES.search(data):
        raise EvidenceRefused(NOT_ACCEPTED)
    head = decode_text(data[:4096]).lstrip().lower()
    if head.startswith("<") or any(marker in head for marker in MARKUP_MARKERS):
        raise EvidenceRefused(MARKUP)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, else Latin-1 (which decodes anything)."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


# Characters Windows refuses in file names (path separators are handled before).
_FORBIDDEN = re.compile(r'[<>:"|?*]')
_SPACES = re.compile(r"\s+")
MAX_NAME_LENGTH = 255
FALLBACK_NAME = "archivo"


def clean_name(declared: str, limit: int = MAX_NAME_LENGTH) -> str:
    """The declared name fit to show and to offer as a download name.

    Only the last path segment is kept (``../../etc/passwd`` → ``passwd``,
    ``C:\\Windows\\x.pdf`` → ``x.pdf``); control characters, bidirectional overrides
    and other invisible characters go; spaces collapse; accents stay; at most ``limit``
    characters (255), keeping the extension.
    """
    name = unicodedata.normalize("NFC", declared or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(_visible(char) for char in name)
    name = _FORBIDDEN.sub("_", name)
    name = _SPACES.sub(" ", name).strip(" .")
    if len(name) > limit:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = stem[: limit - len(extension) - 1].rstrip(" .") + "." + extension
        else:
            name = name[:limit].rstrip(" .")
    return name or FALLBACK_NAME


def _visible(char: str) -> str:
    category = unicodedata.category(char)
    if category.startswith("Z"):  # every kind of space and line or paragraph separator
        return " "
    if category in {"Cc", "Cf", "Cs", "Co", "Cn"}:  # controls, bidi and zero-width marks
        return " " if char in "\t\n\r\f\v" else ""
    return char


def download_name(name: str, file_type: EvidenceType) -> str:
    """``name`` ending in an extension of its real type, so the computer opens it right."""
    extensions = EXTENSIONS[file_type]
    if name.lower().endswith(extensions):
        return name
    return name[: MAX_NAME_LENGTH - len(extensions[0])] + extensions[0]


def format_size(size: int) -> str:
    """``850 bytes``, ``12,3 KB``, ``4,5 MB`` as read in Chile."""
    if size < 1024:
        return f"{size} byte{'s' if size != 1 else ''}"
    value, unit = (size / 1024, "KB") if size < 1024 * 1024 else (size / (1024 * 1024), "MB")
    rounded = round(value, 1)
    return f"{format_number(int(rounded) if rounded.is_integer() else rounded)} {unit}"
