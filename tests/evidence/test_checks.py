from __future__ import annotations

import zipfile
from io import BytesIO

import pytest

from pmg.evidence import checks
from pmg.evidence.checks import (
    EvidenceRefused,
    check_size,
    clean_name,
    detect_type,
    download_name,
    format_size,
)
from pmg.evidence.models import EvidenceType
from tests.evidence.files import (
    CSV,
    DOCM_TYPES,
    EXE,
    HTML,
    SVG,
    docx,
    image,
    odf,
    pdf,
    xlsx,
    zip_of,
)

ACCEPTED = "Se aceptan archivos PDF, PNG, JPEG, DOCX, XLSX, ODT, ODS y CSV."
NOT_ACCEPTED = f"El tipo de este archivo no se acepta. {ACCEPTED}"
MARKUP = (
    "El archivo parece una página web, una imagen SVG o un documento XML, que no se "
    f"aceptan. {ACCEPTED}"
)
EXECUTABLE = f"El archivo es un programa o un script y no se acepta. {ACCEPTED}"
EMPTY = f"El archivo está vacío. {ACCEPTED}"
XLSX_MACROS = "El libro contiene macros; guárdelo como .xlsx sin macros."
DOCX_MACROS = "El documento contiene macros; guárdelo como .docx sin macros."
ODF_MACROS = "El documento contiene macros; guárdelo sin macros."


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (pdf(), EvidenceType.PDF),
        (image("PNG"), EvidenceType.PNG),
        (image("JPEG"), EvidenceType.JPEG),
        (docx(), EvidenceType.DOCX),
        (xlsx(), EvidenceType.XLSX),
        (odf("text"), EvidenceType.ODT),
        (odf("spreadsheet"), EvidenceType.ODS),
        (CSV, EvidenceType.CSV),
        (b"\xef\xbb\xbf" + CSV, EvidenceType.CSV),
        ("región;reclamos\nÑuble;1.250\n".encode("cp1252"), EvidenceType.CSV),
        (b"=SUMA(A1:A2);+1;-2;@x\r\n", EvidenceType.CSV),  # cells are data, never run
        (b"nombre\tvalor\n\"a, b\";3\n", EvidenceType.CSV),
    ],
    ids=[
        "pdf", "png", "jpeg", "docx", "xlsx", "odt", "ods", "csv utf-8", "csv utf-8 bom",
        "csv windows-1252", "csv formula-like cells", "csv tabs and quotes",
    ],
)
def test_detect_type_accepts_each_type_by_its_content(data: bytes, expected: EvidenceType) -> None:
    assert detect_type(data) is expected


def _zip_bomb() -> bytes:
    """A .docx with a member that expands past the default limit (a zip bomb)."""
    buffer = BytesIO(docx())
    chunk = bytes(1024 * 1024)
    with (
        zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("word/media/relleno.bin", "w", force_zip64=True) as member,
    ):
        for _ in range(checks.MAX_UNCOMPRESSED_BYTES // len(chunk) + 1):
            member.write(chunk)
    return buffer.getvalue()


REFUSED = [
    ("empty", b"", EMPTY),
    ("only spaces", b"  \r\n\t ", EMPTY),
    ("renamed windows executable", EXE, EXECUTABLE),
    ("linux executable", b"\x7fELF\x02\x01\x01" + bytes(40), EXECUTABLE),
    ("shell script", b"#!/bin/sh\nrm -rf ~\n", EXECUTABLE),
    ("html", HTML, MARKUP),
    ("html after a bom and spaces", b"\xef\xbb\xbf \n  <html><body>hola</body></html>", MARKUP),
    ("svg", SVG, MARKUP),
    ("xml", b'<?xml version="1.0"?><datos/>', MARKUP),
    ("script after a text line", b"titulo\n<script>alert(1)</script>\n", MARKUP),
    ("binary with nul bytes", b"abc\x00def", NOT_ACCEPTED),
    ("utf-16 text", "región;reclamos\n".encode("utf-16"), NOT_ACCEPTED),
    ("gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", NOT_ACCEPTED),
    ("plain zip", zip_of({"notas.txt": b"hola"}), NOT_ACCEPTED),
    ("truncated zip", docx()[:60], NOT_ACCEPTED),
    (
        "old office or encrypted",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
        checks.OLD_OFFICE,
    ),
    ("xlsx with a vba project", xlsx({"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"}), XLSX_MACROS),
    ("docx with a vba project", docx({"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"}), DOCX_MACROS),
    ("docm renamed docx", docx(content_types=DOCM_TYPES), DOCX_MACROS),
    ("docx without its document", zip_of({"[Content_Types].xml": b"<Types/>"}), NOT_ACCEPTED),
    ("odt with basic macros", odf("text", {"Basic/Standard/Module1.xml": b"<m/>"}), ODF_MACROS),
    ("ods with scripts", odf("spreadsheet", {"Scripts/python/x.py": b"import os"}), ODF_MACROS),
    ("odf presentation", odf("presentation"), NOT_ACCEPTED),
    ("odf without content", zip_of({"mimetype": b"application/vnd.oasis.opendocument.text"}),
     checks.NOT_ODF),
    (
        "mimetype not first",
        zip_of({"content.xml": b"<x/>", "mimetype": b"application/vnd.oasis.opendocument.text"}),
        NOT_ACCEPTED,
    ),
]


@pytest.mark.parametrize(("data", "message"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_detect_type_refuses_what_is_not_accepted(data: bytes, message: str) -> None:
    with pytest.raises(EvidenceRefused) as refused:
        detect_type(data)
    assert refused.value.message == message
    assert refused.value.status_code == 422


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (docx({"word/relleno.bin": bytes(50_000)}), checks.DOCX_PACKAGE.too_big),
        (
            xlsx({"xl/relleno.bin": bytes(50_000)}),
            "El libro es demasiado grande una vez descomprimido; no se puede leer.",
        ),
        (odf("text", {"relleno.bin": bytes(50_000)}), checks.ODF_TOO_BIG),
    ],
    ids=["docx", "xlsx", "odt"],
)
def test_detect_type_bounds_the_uncompressed_size(data: bytes, message: str) -> None:
    with pytest.raises(EvidenceRefused) as refused:
        detect_type(data, max_uncompressed=40_000)
    assert refused.value.message == message


def test_detect_type_refuses_a_zip_bomb_at_the_default_limit() -> None:
    data = _zip_bomb()
    assert len(data) < 1024 * 1024
    with pytest.raises(EvidenceRefused) as refused:
        detect_type(data)
    assert refused.value.message == checks.DOCX_PACKAGE.too_big


def test_a_real_pdf_named_like_an_executable_is_a_pdf() -> None:
    assert detect_type(pdf()) is EvidenceType.PDF
    assert clean_name("acta.pdf.exe") == "acta.pdf.exe"
    assert download_name("acta.pdf.exe", EvidenceType.PDF) == "acta.pdf.exe.pdf"


@pytest.mark.parametrize(
    ("declared", "cleaned"),
    [
        ("Informe de gestión 2026.pdf", "Informe de gestión 2026.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Windows\\System32\\x.pdf", "x.pdf"),
        ("/var/www/static/acta.pdf", "acta.pdf"),
        ("C:acta.pdf", "C_acta.pdf"),
        ("informe\x00\x07.pdf", "informe.pdf"),
        ("línea uno\r\nlínea dos.pdf", "línea uno línea dos.pdf"),
        ("factura\u202efdp.exe", "facturafdp.exe"),  # a right-to-left override hides .exe
        ("in\u200bfor\u2066me\u2069.pdf", "informe.pdf"),
        ("Gestio\u0301n.pdf", "Gestión.pdf"),  # decomposed accents are composed, not lost
        ("  Informe \t\u00a0 final  .pdf ", "Informe final .pdf"),
        ('Informe "final" <v2>|?*.pdf', "Informe _final_ _v2____.pdf"),
        ("..", "archivo"),
        ("../", "archivo"),
        ("", "archivo"),
        ("\u202e\u200b", "archivo"),
        (".bashrc", "bashrc"),
        ("a" * 300 + ".pdf", "a" * 251 + ".pdf"),
        ("b" * 300, "b" * 255),
    ],
)
def test_clean_name(declared: str, cleaned: str) -> None:
    assert clean_name(declared) == cleaned
    assert len(clean_name(declared)) <= 255


@pytest.mark.parametrize(
    ("name", "file_type", "expected"),
    [
        ("informe.pdf", EvidenceType.PDF, "informe.pdf"),
        ("foto.JPG", EvidenceType.JPEG, "foto.JPG"),
        ("foto.jpeg", EvidenceType.JPEG, "foto.jpeg"),
        ("x.pdf", EvidenceType.PNG, "x.pdf.png"),
        ("datos", EvidenceType.CSV, "datos.csv"),
        ("a" * 255, EvidenceType.ODS, "a" * 251 + ".ods"),
    ],
)
def test_download_name_ends_in_the_real_type(
    name: str, file_type: EvidenceType, expected: str
) -> None:
    assert download_name(name, file_type) == expected


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 bytes"),
        (1, "1 byte"),
        (1023, "1023 bytes"),
        (1024, "1 KB"),
        (1536, "1,5 KB"),
        (20 * 1024 * 1024, "20 MB"),
        (12_345_678, "11,8 MB"),
    ],
)
def test_format_size(size: int, text: str) -> None:
    assert format_size(size) == text


def test_check_size_refuses_one_byte_over_the_limit() -> None:
    check_size(2048, 2048)
    with pytest.raises(EvidenceRefused) as refused:
        check_size(2049, 2048)
    assert refused.value.message == (
        "El archivo supera el tamaño máximo de 2 KB. "
        "Reduzca su tamaño o divídalo en varios archivos."
    )
