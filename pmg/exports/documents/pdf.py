"""The PDF of a submitted version: the evidence DIPRES downloads.

Importing this module imports WeasyPrint (0.4 s), once per process; import it
lazily, from the route that serves a PDF, never at app start-up.

Rendering fetches nothing outside the app's own print assets. The HTML is
rendered with the app's static folder as base URL and :class:`AssetFetcher`,
which serves only files under ``static/pdf`` and ``static/fonts`` (by real path,
so ``..``, percent-encoded ``..`` and symlinks cannot leave them) and refuses
every other URL: ``http``/``https`` (no request may leave the server, not even to
127.0.0.1), other ``file`` paths (no local file may be read into a document), and
``data:`` (nothing of ours needs it, and it would let markup carry arbitrary
attachments or huge images). User text reaches the HTML only through Jinja
autoescaping, so markup typed into a field prints as text; the fetcher is the
second wall. A refused or failed fetch makes the render fail: a document that
silently lacks its stylesheet or fonts is not evidence.

The assets are plain ``file:`` URLs under that one base rather than a private
scheme, so the same HTML renders unchanged with bare WeasyPrint (the baseline of
``benchmarks/pdf_diagnostic.py``) and relative URLs in the stylesheet resolve.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import weasyprint
from flask import current_app
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse, path2url

from pmg.exports.documents import version_context
from pmg.exports.documents.document import pdf_filename
from pmg.submissions.kinds import KINDS
from pmg.submissions.models import SubmissionVersion

__all__ = [
    "AssetFetcher",
    "PdfRenderingError",
    "VersionHtml",
    "asset_base_url",
    "pdf_filename",
    "render_version_html",
    "render_version_pdf",
    "version_html",
    "warm_up",
    "write_pdf",
]

ASSET_FOLDERS = ("pdf", "fonts")
MEDIA_TYPES = {
    ".css": "text/css",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
}


class PdfRenderingError(RuntimeError):
    """The PDF could not be rendered as it must be (an asset was refused or missing)."""


class AssetRefused(ValueError):
    """A URL outside the app's print assets."""


class AssetFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves only the app's print assets.

    ``fetched`` and ``problems`` record what was asked, for the caller to check.
    """

    def __init__(self, static_folder: str | Path) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False)
        self.static_folder = Path(static_folder).resolve()
        self.roots = tuple((self.static_folder / folder).resolve() for folder in ASSET_FOLDERS)
        self.fetched: list[str] = []
        self.problems: list[tuple[str, str]] = []

    def resolve(self, url: str) -> Path:
        """The file ``url`` names, if it is one of the assets; raises :class:`AssetRefused`."""
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise AssetRefused(f"URL no permitida: {url[:200]}")
        if parts.query or parts.fragment:
            raise AssetRefused(f"URL no permitida: {url[:200]}")
        path = Path(unquote(parts.path)).resolve()
        inside = any(path.is_relative_to(root) for root in self.roots)
        if not inside or path.suffix.lower() not in MEDIA_TYPES:
            raise AssetRefused(f"Archivo fuera de los recursos del PDF: {url[:200]}")
        return path

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        try:
            path = self.resolve(url)
            body = path.read_bytes()
        except (AssetRefused, OSError) as problem:
            self.problems.append((url, str(problem)))
            raise
        self.fetched.append(url)
        return URLFetcherResponse(url, body, {"Content-Type": MEDIA_TYPES[path.suffix.lower()]})


# One font configuration per process: it decodes the @font-face files once (the
# first render) instead of on every render. WeasyPrint's font configuration is not
# meant to be shared by concurrent renders, hence the lock.
_render_lock = threading.Lock()
_font_config: FontConfiguration | None = None


def _fonts() -> FontConfiguration:
    global _font_config
    if _font_config is None:
        _font_config = FontConfiguration()
    return _font_config


WARM_UP_HTML = (
    '<html lang="es-CL"><head><link rel="stylesheet" href="pdf/pdf.css"></head>'
    "<body><p>Áé <strong>ñ</strong></p></body></html>"
)


def warm_up(static_folder: str | Path) -> None:
    """Render a line with the print stylesheet: the fonts decoded into this process's font
    configuration, and WeasyPrint's own start-up paid. The production server calls it in
    its master process before the workers fork (``pmg.gunicorn_config``), so that no
    worker's first PDF pays it."""
    write_pdf(WARM_UP_HTML, AssetFetcher(static_folder))


def asset_base_url(static_folder: str | Path | None = None) -> str:
    """``file:///…/static/``: relative URLs in the templates resolve against it."""
    folder = static_folder or current_app.static_folder
    if folder is None:
        raise PdfRenderingError("La aplicación no tiene carpeta de recursos estáticos.")
    url: str = path2url(Path(folder).resolve())  # WeasyPrint is untyped
    return url


def write_pdf(html: str, fetcher: AssetFetcher | None = None) -> bytes:
    """The PDF of ``html`` (rendered by one of our templates), fetching only our assets."""
    fetcher = fetcher or AssetFetcher(current_app.static_folder or "")
    document = weasyprint.HTML(
        string=html, base_url=asset_base_url(fetcher.static_folder), url_fetcher=fetcher
    )
    with _render_lock:
        pdf: bytes = document.write_pdf(font_config=_fonts(), attachments=[])
    if fetcher.problems:
        urls = ", ".join(url[:120] for url, _ in fetcher.problems)
        raise PdfRenderingError(f"El PDF pidió recursos no permitidos o inexistentes: {urls}")
    return pdf


# Break opportunities in long words (see breakable_words): after every WORD_PIECE characters
# of a word of LONG_WORD or more, counting an entity (``&amp;``) as one character. Shorter
# words cost little to break, and a SHA-256 (64 characters) is copied from the PDF as it is.
LONG_WORD, WORD_PIECE = 65, 10
ZERO_WIDTH_SPACE = "\u200b"
_TEXT = re.compile(r"(?<=>)[^<]+(?=<)")
_WORD = re.compile(rf"[^ \t\n\r\f]{{{LONG_WORD},}}")
_CHARACTER = re.compile(r"&#?\w+;|.", re.DOTALL)


def _pieces(word: re.Match[str]) -> str:
    characters = _CHARACTER.findall(word.group())
    return ZERO_WIDTH_SPACE.join(
        "".join(characters[start : start + WORD_PIECE])
        for start in range(0, len(characters), WORD_PIECE)
    )


def breakable_words(html: str) -> str:
    """``html`` with an invisible break opportunity (U+200B) every few characters of each
    long word in the text of its body; tags, attributes and the head are left as they are.

    A word wider than its cell wraps anyway (``overflow-wrap: anywhere`` in pdf.css), but
    WeasyPrint 70 finds each such break by laying out the whole rest of the word again, so
    a 2,000-character word costs as much as a page of text per line. With the break
    opportunities it costs what ordinary text does. The character prints nothing and text
    extracted from the PDF does not contain it.
    """
    head, body, rest = html.partition("<body")
    return head + body + _TEXT.sub(lambda text: _WORD.sub(_pieces, text.group()), rest)


@dataclass(frozen=True)
class VersionHtml:
    """The HTML a version's PDF is made from, and the moment of what it shows."""

    html: str
    as_of: datetime


def version_html(version: SubmissionVersion) -> VersionHtml:
    """The HTML the PDF is made from (an app context is needed for the templates).

    The template is rendered by the app's Jinja environment (autoescaping on, as for
    every ``.html``) but without the context processors of the pages: the PDF needs
    no user, no navigation and no queries beyond the version's own. It is dated by the
    last change it shows, never by the moment it is made, so that the same state gives
    the same HTML, and the same PDF: byte for byte (WeasyPrint writes no date or
    identifier of its own).
    """
    spec = KINDS.get(version.submission.kind)
    if spec is None:
        raise PdfRenderingError(f"No hay PDF para envíos de tipo «{version.submission.kind}».")
    template = current_app.jinja_env.get_template(spec.pdf_template)
    context = version_context(version)
    return VersionHtml(breakable_words(template.render(context)), context["document"].as_of)


def render_version_html(version: SubmissionVersion) -> str:
    """:func:`version_html`'s HTML."""
    return version_html(version).html


def render_version_pdf(version: SubmissionVersion) -> bytes:
    """The PDF of ``version``, rendered now. Call it inside a request or app context."""
    return write_pdf(render_version_html(version))
