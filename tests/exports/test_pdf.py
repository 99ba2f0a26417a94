"""The PDF of a submitted version: what it says, what it fetches, how it is rendered."""

from __future__ import annotations

import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader

from pmg.core.filters import CHILE, MONTHS
from pmg.diagnostics.schema import sections_for
from pmg.exports.documents import pdf
from pmg.exports.documents.pdf import (
    ZERO_WIDTH_SPACE,
    AssetFetcher,
    AssetRefused,
    PdfRenderingError,
    asset_base_url,
    breakable_words,
    render_version_html,
    render_version_pdf,
    write_pdf,
)
from pmg.institutions.models import MesuCommitment
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    diagnostic_draft,
)

ROOT = Path(__file__).resolve().parents[2]


def pages_text(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(BytesIO(data)).pages]


def flat(text: str) -> str:
    """Text with every run of whitespace as one space: lines wrap where the layout says."""
    return " ".join(text.split())


def squeeze(text: str) -> str:
    """Text without whitespace: a long value may also wrap where it has no space (after /)."""
    return "".join(text.split())


@pytest.fixture
def institution(app: Flask) -> Any:
    return create_institution("1306", "Servicio Nacional de Prueba", mesu=MesuCommitment.YES)


@pytest.fixture
def version(institution: Any) -> Any:
    draft = diagnostic_draft()
    draft["saip"]["answered_within_20"] = "13"  # 13 + 2 is not 16: a warning
    return create_submitted_diagnostic(institution, create_cycle(), draft=draft)


def test_pdf_header_states_the_version_and_its_full_hash(version: Any) -> None:
    text = flat("\n".join(pages_text(render_version_pdf(version))))
    month = MONTHS[version.submitted_at.astimezone(CHILE).month - 1]

    assert version.content_hash in text
    assert "Servicio Nacional de Prueba" in text
    assert "Código de la institución 1306" in text
    assert "Diagnóstico de brechas" in text
    assert "Versión 1 (versión vigente)" in text
    assert "Estado del envío Enviado" in text
    assert f" de {month} de " in text
    assert "(hora de Chile)" in text
    assert version.submitted_by.name in text


def test_pdf_shows_figures_derived_percentages_sections_and_warnings(
    version: Any, institution: Any
) -> None:
    text = flat("\n".join(pages_text(render_version_pdf(version))))

    assert "Reclamos recibidos en el año 1.250" in text
    assert "% respondidos 96,0 %" in text.replace("\u00a0", " ")  # 1.200 of 1.250
    assert "Tiempo promedio de respuesta 8,5" in text
    assert "Justificación de la selección Masividad (volumen de transacciones)" in text
    for section in sections_for(institution):
        assert section.title in text
    (warning,) = version.warnings
    assert "Respondidas en más de 20 días hábiles" in text
    assert flat(warning["message"]) in text
    assert "[A1]" in text


def test_every_page_has_a_footer_with_page_x_of_y_code_version_and_hash(version: Any) -> None:
    pages = pages_text(render_version_pdf(version))

    assert len(pages) > 1
    for number, text in enumerate(pages, start=1):
        text = flat(text)
        assert f"Página {number} de {len(pages)}" in text
        assert f"Institución 1306 · Versión 1 · SHA-256 {version.content_hash[:12]}" in text


def test_pdf_embeds_only_the_fonts_shipped_with_the_app(app: Flask, institution: Any) -> None:
    draft = diagnostic_draft()
    draft["responsible"]["name"] = "Łukasz Gómez Núñez"  # latin-ext, then latin
    version = create_submitted_diagnostic(institution, create_cycle(), draft=draft)
    reader = PdfReader(BytesIO(render_version_pdf(version)))

    fonts = {
        font.get_object()["/BaseFont"].split("+", 1)[1]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }

    assert fonts == {"PMG-Sans", "PMG-Sans-Bold", "PMG-Sans-Ext", "PMG-Mono"}
    assert "Łukasz Gómez Núñez" in flat(reader.pages[0].extract_text())


# --- Security ---------------------------------------------------------------------------------


@pytest.fixture
def listener() -> Iterator[tuple[int, list[str]]]:
    """An HTTP server on 127.0.0.1 that records every request it receives."""
    requests: list[str] = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def hostile_draft(port: int) -> tuple[dict[str, Any], list[str]]:
    local = f"http://127.0.0.1:{port}"
    strings = {
        ("gaps", 0, "description"): f'<img src="{local}/brecha.png">',
        ("gaps", 1, "causes"): '<link rel="attachment" href="file:///etc/passwd">',
        ("complaints", None, "analysis"): f'<link rel="stylesheet" href="{local}/x.css">',
        ("responsible", None, "team"): f"<style>@import url({local}/i.css);</style>",
        ("channels", 0, "description"): "{{ 7 * 7 }} </table></body>",
    }
    draft = diagnostic_draft()
    for (key, index, name), value in strings.items():
        (draft[key] if index is None else draft[key][index])[name] = value
    return draft, list(strings.values())


def test_markup_typed_in_fields_prints_as_text_and_fetches_nothing(
    app: Flask, listener: tuple[int, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    port, requests = listener
    institution = create_institution(
        "1307", f'</title><link rel="stylesheet" href="http://127.0.0.1:{port}/n.css">'
    )
    draft, hostile = hostile_draft(port)
    version = create_submitted_diagnostic(institution, create_cycle(), draft=draft)
    fetched: list[str] = []
    original = AssetFetcher.fetch

    def spy(self: AssetFetcher, url: str, headers: Any = None) -> Any:
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(AssetFetcher, "fetch", spy)
    monkeypatch.setattr(pdf, "_font_config", None)  # a fresh process: fonts are fetched too

    data = render_version_pdf(version)

    assert requests == []
    base = asset_base_url()
    assert f"{base}pdf/pdf.css" in fetched
    assert any(url.startswith(f"{base}fonts/") for url in fetched)
    assert all(url.startswith((f"{base}pdf/", f"{base}fonts/")) for url in fetched)
    text = squeeze("\n".join(pages_text(data)))
    for literal in [*hostile, institution.name]:
        assert squeeze(literal) in text
    reader = PdfReader(BytesIO(data))
    assert reader.attachments == {}
    assert "/EmbeddedFiles" not in reader.trailer["/Root"].get("/Names", {})
    for page in reader.pages:
        annotations = [a.get_object()["/Subtype"] for a in page.get("/Annots", [])]
        assert "/FileAttachment" not in annotations
    urllib.request.urlopen(f"http://127.0.0.1:{port}/control").read()
    assert requests == ["/control"]  # the listener did work: it heard nothing before


def test_markup_that_escaped_the_template_still_fetches_nothing(
    app: Flask, listener: tuple[int, list[str]]
) -> None:
    port, requests = listener
    html = (
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/a.css">'
        '<link rel="attachment" href="file:///etc/passwd">'
        f'<p>texto <img src="http://127.0.0.1:{port}/b.png"></p>'
    )

    with pytest.raises(PdfRenderingError, match="no permitidos"):
        write_pdf(html)

    assert requests == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "https://example.org/pdf.css",
        "ftp://127.0.0.1/pdf.css",
        "data:text/css,body{color:red}",
        "file:///etc/passwd",
        "file://otherhost{path}pdf/pdf.css",
        "file://127.0.0.1{path}pdf/pdf.css",
        "{static}css/app.css",
        "{static}favicon.svg",
        "{static}pdf/../../pmg/config.py",
        "{static}fonts/%2e%2e/%2e%2e/pmg/config.py",
        "{static}fonts/../pdf/../../instance/secret_key",
        "{static}pdf/pdf.css?x=1",
        "{static}fonts/noto-sans/LICENSE",
        "pmg-asset:///pdf/pdf.css",
    ],
)
def test_fetcher_refuses_everything_but_the_print_assets(app: Flask, url: str) -> None:
    fetcher = AssetFetcher(app.static_folder or "")
    base = asset_base_url()
    url = url.replace("{static}", base).replace("{path}", base.removeprefix("file://"))

    with pytest.raises(AssetRefused):
        fetcher.fetch(url)

    assert fetcher.fetched == []
    assert len(fetcher.problems) == 1


def test_fetcher_refuses_a_symlink_that_leaves_the_assets(tmp_path: Path) -> None:
    static = tmp_path / "static"
    (static / "pdf").mkdir(parents=True)
    (tmp_path / "secret.css").write_text("secret")
    (static / "pdf" / "link.css").symlink_to(tmp_path / "secret.css")
    fetcher = AssetFetcher(static)

    with pytest.raises(AssetRefused):
        fetcher.fetch(f"{asset_base_url(static)}pdf/link.css")


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("pdf/pdf.css", "text/css"),
        ("fonts/noto-sans/noto-sans-latin-400-normal.woff", "font/woff"),
    ],
)
def test_fetcher_serves_the_print_assets(app: Flask, path: str, media_type: str) -> None:
    fetcher = AssetFetcher(app.static_folder or "")

    response = fetcher.fetch(asset_base_url() + path)

    assert response.read() == (ROOT / "static" / path).read_bytes()
    assert response.content_type == media_type


def test_missing_asset_fails_the_render(app: Flask) -> None:
    with pytest.raises(PdfRenderingError, match="inexistentes"):
        write_pdf('<link rel="stylesheet" href="pdf/missing.css"><p>x</p>')


# --- Performance ------------------------------------------------------------------------------


def test_weasyprint_found_harfbuzz_subsetting() -> None:
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    assert harfbuzz_subset is not None, "install libharfbuzz-subset0"
    assert harfbuzz.hb_version_atleast(4, 1, 0)  # what WeasyPrint 70 requires to use it


def test_app_start_up_does_not_import_weasyprint(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from pmg import create_app\n"
        f"app = create_app({{'SQLALCHEMY_DATABASE_URI': 'sqlite:///{tmp_path}/x.sqlite',"
        " 'SECRET_KEY': 'x'})\n"
        "import pmg.exports.documents\n"
        "assert 'weasyprint' not in sys.modules, 'weasyprint imported at start-up'\n"
    )

    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stderr


def test_fonts_are_small_and_licensed() -> None:
    fonts = ROOT / "static" / "fonts"
    files = [path for path in fonts.rglob("*") if path.is_file()]

    assert sum(path.stat().st_size for path in files) < 1_000_000
    for folder in {path.parent for path in files}:
        assert (folder / "LICENSE").is_file()
    css = (ROOT / "static" / "pdf" / "pdf.css").read_text()
    assert len(css.encode()) < 8_000
    for path in files:
        if path.suffix == ".woff":
            assert path.relative_to(fonts).as_posix() in css, f"{path} is shipped but unused"


# --- Long words ---------------------------------------------------------------------------------

LETTERS = "abcdefghijklmnñopqrstuvwxyzáéíóúü"
WORD = (LETTERS * 61)[:2000]


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<body><td>" + "a" * 64 + "</td>", "<body><td>" + "a" * 64 + "</td>"),
        ("<body><td>" + "a" * 65 + "</td>", "<body><td>" + "aaaaaaaaaa|" * 6 + "aaaaa</td>"),
        (
            "<body><p>corto " + "b" * 55 + "&amp;" + "c" * 15 + " fin</p>",
            "<body><p>corto "
            + "|".join(["b" * 10] * 5)
            + "|bbbbb&amp;cccc|cccccccccc|c fin</p>",
        ),
        (
            "<head><title>" + "t" * 70 + '</title></head><body class="x">'
            '<td title="' + "z" * 70 + '">ok</td>',
            "<head><title>" + "t" * 70 + '</title></head><body class="x">'
            '<td title="' + "z" * 70 + '">ok</td>',
        ),
    ],
)
def test_long_words_get_break_opportunities_in_the_body_text_only(
    html: str, expected: str
) -> None:
    assert breakable_words(html).replace(ZERO_WIDTH_SPACE, "|") == expected


def test_a_2000_character_word_wraps_within_its_cell(institution: Any) -> None:
    draft = diagnostic_draft()
    draft["responsible"]["team"] = WORD
    version = create_submitted_diagnostic(institution, create_cycle(), draft=draft)

    html = render_version_html(version)
    pages = pages_text(render_version_pdf(version))

    assert WORD not in html and WORD in html.replace(ZERO_WIDTH_SPACE, "")
    text = "\n".join(pages)
    assert ZERO_WIDTH_SPACE not in text
    assert WORD in squeeze(text)
    pieces = [line for line in text.splitlines() if len(line) >= 20 and line in WORD]
    assert len(pieces) >= 30
    assert max(len(piece) for piece in pieces) <= 60
    assert len(pages) <= 5


def test_a_long_word_in_a_name_wraps_in_the_heading_too(app: Flask) -> None:
    name = "SERVICIO" + "X" * 200
    version = create_submitted_diagnostic(create_institution("1308", name), create_cycle())

    first_page = pages_text(render_version_pdf(version))[0]
    assert version.content_hash in first_page  # copied from the PDF as it is

    assert name in squeeze(first_page)
    name_lines = [line for line in first_page.splitlines() if "X" * 10 in line]
    assert len(name_lines) >= 4  # the heading's and the facts table's, wrapped
    assert max(len(line) for line in name_lines) <= 90
