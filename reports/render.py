"""HTML from Jinja2 templates, PDF from WeasyPrint, and the guard rails around both.

- Every template is autoescaped and undefined names are errors (`StrictUndefined`): user text can never become
  markup, and a template that names missing data fails loudly instead of printing nothing.
- WeasyPrint fetches through `TemplateFetcher`, which serves files under `templates/` and the report's own charts
  (SVG documents as `data:image/svg+xml;base64,` URIs, decoded in memory) and refuses everything else (other files,
  `..`, `http(s):`, other `data:` URIs, ...). Nothing a report needs lives elsewhere: the stylesheet is
  `templates/print.css`, so a refused URL is a bug or an injection that slipped through; rendering stops rather than
  produce a report with a silently missing part.
"""

from __future__ import annotations

import base64
import logging
import mimetypes
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, pass_context
from jinja2.bccache import Bucket
from jinja2.runtime import Context
from markupsafe import Markup
from weasyprint import HTML, Attachment
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

import templates
from reports.context import PdfFile
from reports.i18n import Translator, number, short_instant
from tracker.canonical import isoformat_utc
from tracker.errors import ConfigurationError

# The only data: URIs a report may hold: its own charts (reports.charts.Chart), decoded by TemplateFetcher.
SVG_DATA_URI = "data:image/svg+xml;base64,"
log = logging.getLogger("sectrack.reports")

TEMPLATES_DIR = Path(templates.__file__).resolve().parent
STYLESHEET = "print.css"
PDF_VARIANTS = frozenset({"pdf/ua-1", "pdf/a-3b"})


class FetchRefused(ValueError):
    """A report asked for a resource outside `templates/`."""


class RenderRefused(ConfigurationError):
    """Rendering stopped because the document referenced something it may not load."""


class TemplateFetcher(URLFetcher):
    """WeasyPrint's url_fetcher for reports: files under `root` (templates/) only, and a log of every request."""

    def __init__(self, root: Path = TEMPLATES_DIR) -> None:
        super().__init__(timeout=1, allowed_protocols={"file"}, allow_redirects=False, fail_on_errors=True)
        self.root = root.resolve()
        self.fetched: list[str] = []
        self.refused: list[str] = []

    def resolve(self, url: str) -> Path:
        """The file under `root` that `url` names; FetchRefused for anything else."""
        try:
            parts = urlsplit(url)
        except ValueError as exc:
            raise FetchRefused(f"Refused to fetch '{url}': not a valid URL.") from exc
        if parts.scheme.lower() != "file":
            raise FetchRefused(f"Refused to fetch '{url}': reports load only files under templates/.")
        if parts.netloc not in ("", "localhost"):
            raise FetchRefused(f"Refused to fetch '{url}': file URLs on other hosts are not allowed.")
        raw = unquote(parts.path)
        if ".." in PurePosixPath(raw).parts:
            raise FetchRefused(f"Refused to fetch '{url}': '..' is not allowed in a report resource path.")
        # resolve() follows symlinks, so a link inside templates/ pointing outside is refused too.
        path = Path(url2pathname(parts.path)).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise FetchRefused(f"Refused to fetch '{url}': it is not a file under templates/.")
        return path

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """Serve a file under templates/ or a chart's own data: URI, or refuse (which stops the rendering)."""
        if url.startswith(SVG_DATA_URI):
            # The report's charts (reports.charts.Chart): decoded here, nothing is fetched. An SVG that referred to
            # anything else would come back through this method and be refused like any other URL.
            try:
                body = base64.b64decode(url[len(SVG_DATA_URI) :], validate=True)
            except ValueError as exc:
                self.refused.append(url[:80])
                raise FetchRefused("Refused a malformed chart data: URI.") from exc
            return URLFetcherResponse(url, body=body, headers={"Content-Type": "image/svg+xml"})
        try:
            path = self.resolve(url)
        except FetchRefused as exc:
            self.refused.append(url)
            log.warning("%s", exc)
            raise
        self.fetched.append(url)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), body=path.read_bytes(), headers={"Content-Type": mime})


def _translator(context: Context) -> Translator:
    t = context["_"]
    assert isinstance(t, Translator)
    return t


@pass_context
def _won(context: Context, amount: int, precise: bool = False) -> str:
    return _translator(context).won(int(amount), precise=precise)


@pass_context
def _day(context: Context, value: Any) -> str:
    return _translator(context).day(value)


@pass_context
def _instant(context: Context, value: datetime) -> str:
    return _translator(context).instant(value)


def _short_hash(value: str, length: int = 12) -> str:
    return f"{value[:length]}…" if len(value) > length else value


def css_string(value: object) -> Markup:
    """A CSS string literal for generated content; escapes quotes, backslashes, newlines and '<'."""
    text = str(value)
    escaped = []
    for char in text:
        if char in {'"', "\\", "<", ">", "&"} or ord(char) < 0x20 or ord(char) == 0x7F:
            # CSS hex escape followed by a space, which the parser consumes.
            escaped.append(f"\\{ord(char):x} ")
        else:
            escaped.append(char)
    return Markup('"' + "".join(escaped) + '"')


class BestEffortBytecodeCache(FileSystemBytecodeCache):
    """Jinja2's compiled templates kept between processes; a cache that cannot be written is skipped, not an error.

    Compiling a report's templates costs a fresh `sectrack report` process about 0.1 s; loading them compiled takes
    milliseconds. Jinja2 keys each entry by the template's source checksum, so an edited template is compiled anew,
    and keeps the directory private to the user (mode 0700 under the temporary directory, checked on use).
    """

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Write the compiled template, or log and go on (read-only or full temporary directory)."""
        try:
            super().dump_bytecode(bucket)
        except OSError as exc:
            log.debug("Template cache not written: %s", exc)


def _bytecode_cache() -> FileSystemBytecodeCache | None:
    try:
        return BestEffortBytecodeCache()
    except (OSError, RuntimeError) as exc:  # no private temporary directory to be had: compile every time
        log.debug("Template cache unavailable: %s", exc)
        return None


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja2 environment over templates/: autoescape on for every template, undefined names are errors."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        bytecode_cache=_bytecode_cache(),
    )
    env.filters.update(
        won=_won,
        day=_day,
        instant=_instant,
        short_instant=short_instant,
        num=number,
        short_hash=_short_hash,
        css_string=css_string,
        w3c=isoformat_utc,
    )
    return env


_HANGUL_PAIR = re.compile(r"(?<=[\uac00-\ud7a3])(?=[\uac00-\ud7a3])")
# Kept verbatim: inline SVG, headings (bookmark titles and running headers are taken from their text), and every
# tag with its attributes. Only the text between them gets joiners.
_VERBATIM = re.compile(r"(<svg\b.*?</svg>|<h[1-6]\b.*?</h[1-6]>|<[^>]*>)", re.DOTALL)


def keep_hangul_words(html: str) -> str:
    """Join Hangul syllables with U+2060 WORD JOINER in body text, so lines break between Korean words only.

    This is `word-break: keep-all`, which WeasyPrint does not implement (Pango would break between any two
    syllables, splitting words like 펨토/셀). The joiner is zero-width and is not extracted as page text. The head
    (document title, metadata), headings (PDF bookmarks, running headers), any inline SVG and attribute values
    (among them the charts' data: URIs) are left untouched.
    """
    head, marker, body = html.partition("<body")
    if not marker:
        return html
    parts = _VERBATIM.split(body)
    # split() with one capturing group alternates text, verbatim, text, ...
    joined = [part if index % 2 else _HANGUL_PAIR.sub("\u2060", part) for index, part in enumerate(parts)]
    return head + marker + "".join(joined)


def render_html(template: str, context: dict[str, Any]) -> str:
    """Render one report template (which extends base.html) to an HTML string ready for WeasyPrint."""
    return keep_hangul_words(environment().get_template(template).render(context))


@dataclass
class PdfResult:
    """A rendered PDF and what it took."""

    pdf: bytes
    pages: int
    seconds: float
    fetched: list[str] = field(default_factory=list)


def _dedupe_associated_files(document: Any, pdf: Any) -> None:
    # WeasyPrint 70 lists each PDF/A-3 associated file twice in the catalog's /AF (once from the name tree, once
    # from the file specification); one entry per file is what the standard expects.
    associated = pdf.catalog.get("AF")
    if associated:
        unique = list(dict.fromkeys(associated))
        associated.clear()
        associated.extend(unique)


def write_pdf(
    html: str,
    *,
    variant: str,
    attachments: Iterable[PdfFile] = (),
    fetcher: TemplateFetcher | None = None,
) -> PdfResult:
    """Lay out `html` (relative URLs resolve inside templates/) and write a PDF of the given variant."""
    if variant not in PDF_VARIANTS:
        raise ValueError(f"Unsupported PDF variant '{variant}'; use one of {', '.join(sorted(PDF_VARIANTS))}.")
    fetcher = fetcher if fetcher is not None else TemplateFetcher()
    options: dict[str, Any] = {
        "pdf_variant": variant,
        "attachments": [
            Attachment(
                string=a.content,
                name=a.name,
                description=a.description,
                relationship=a.relationship,
                url_fetcher=fetcher,
            )
            for a in attachments
        ],
    }
    start = time.perf_counter()
    try:
        document = HTML(string=html, base_url=str(TEMPLATES_DIR) + "/", url_fetcher=fetcher).render(**options)
        pdf = document.write_pdf(finisher=_dedupe_associated_files, **options)
    except FatalURLFetchingError as exc:
        refused = ", ".join(repr(u) for u in fetcher.refused) or "a resource"
        raise RenderRefused(
            f"The report referenced {refused}, which is not a file under templates/; nothing was fetched."
        ) from exc
    assert isinstance(pdf, bytes)
    return PdfResult(
        pdf=pdf, pages=len(document.pages), seconds=time.perf_counter() - start, fetched=list(fetcher.fetched)
    )
