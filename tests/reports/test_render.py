"""The rendering guard rails: autoescape, strict undefined, the confined url_fetcher, the Hangul font check."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader, UndefinedError
from markupsafe import Markup

from reports import fonts
from reports.render import (
    STYLESHEET,
    SVG_DATA_URI,
    TEMPLATES_DIR,
    BestEffortBytecodeCache,
    FetchRefused,
    RenderRefused,
    TemplateFetcher,
    css_string,
    environment,
    keep_hangul_words,
    write_pdf,
)
from tracker.errors import ConfigurationError

HTML_HEAD = '<html lang="en"><head><title>t</title><link rel="stylesheet" href="print.css"></head>'


def test_fetcher_serves_the_stylesheet_under_templates_as_css() -> None:
    fetcher = TemplateFetcher()
    response = fetcher.fetch((TEMPLATES_DIR / STYLESHEET).as_uri())
    assert response.content_type == "text/css"
    assert b"@page" in response.read()
    assert fetcher.fetched == [(TEMPLATES_DIR / STYLESHEET).as_uri()]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:1/x",
        "https://example.com/logo.png",
        "data:image/png;base64,iVBORw0KGgo=",
        "data:text/html,<script>alert(1)</script>",
        "data:image/svg+xml,<svg/>",
        "ftp://example.com/file",
        "file:///etc/passwd",
        "file://evil.example.com" + str(TEMPLATES_DIR / STYLESHEET),
        (TEMPLATES_DIR / STYLESHEET).as_uri().replace("/templates/", "/templates/sections/../"),
        (TEMPLATES_DIR / "sections").as_uri() + "/%2e%2e/%2e%2e/pyproject.toml",
        (TEMPLATES_DIR / "no-such-file.css").as_uri(),
        TEMPLATES_DIR.as_uri(),
    ],
)
def test_fetcher_refuses_everything_that_is_not_a_file_under_templates(url: str) -> None:
    fetcher = TemplateFetcher()
    with pytest.raises(FetchRefused, match="Refused to fetch"):
        fetcher.fetch(url)
    assert fetcher.refused == [url] and fetcher.fetched == []


def test_fetcher_refuses_a_symlink_inside_templates_that_points_outside(tmp_path: Path) -> None:
    root = tmp_path / "templates"
    root.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    (root / "innocent.css").symlink_to(secret)
    with pytest.raises(FetchRefused):
        TemplateFetcher(root).fetch((root / "innocent.css").as_uri())


def test_a_chart_svg_that_refers_to_anything_else_fetches_nothing() -> None:
    # The charts' data: URIs are decoded in memory; whatever an SVG inside one refers to goes through the same
    # fetcher and is refused like any other URL (WeasyPrint then leaves that image out and logs it).
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">'
        '<image xlink:href="http://127.0.0.1:1/y.png" width="10" height="10"/></svg>'
    )
    src = SVG_DATA_URI + base64.b64encode(svg.encode()).decode()
    fetcher = TemplateFetcher()
    html = HTML_HEAD + f'<body><p>x</p><img alt="x" src="{src}"></body></html>'
    write_pdf(html, variant="pdf/ua-1", fetcher=fetcher)
    assert fetcher.refused == ["http://127.0.0.1:1/y.png"]
    assert fetcher.fetched == [(TEMPLATES_DIR / STYLESHEET).as_uri()]


def test_a_document_that_references_an_outside_resource_stops_rendering_and_fetches_nothing() -> None:
    fetcher = TemplateFetcher()
    html = HTML_HEAD + '<body><p>x</p><img alt="x" src="http://127.0.0.1:1/x"></body></html>'
    with pytest.raises(RenderRefused, match=r"http://127\.0\.0\.1:1/x"):
        write_pdf(html, variant="pdf/ua-1", fetcher=fetcher)
    assert fetcher.refused == ["http://127.0.0.1:1/x"]


def test_a_stylesheet_link_to_a_system_file_stops_rendering() -> None:
    fetcher = TemplateFetcher()
    html = '<html><head><link rel="stylesheet" href="file:///etc/passwd"></head><body>x</body></html>'
    with pytest.raises(RenderRefused, match="/etc/passwd"):
        write_pdf(html, variant="pdf/ua-1", fetcher=fetcher)


def test_unknown_pdf_variant_is_refused() -> None:
    with pytest.raises(ValueError, match="pdf/x-4"):
        write_pdf("<html></html>", variant="pdf/x-4")


def test_every_template_autoescapes_user_text() -> None:
    env = environment()
    template = env.from_string("<p>{{ text }}</p>")
    assert template.render(text='<img src="x">') == "<p>&lt;img src=&#34;x&#34;&gt;</p>"
    assert env.autoescape is True


def test_a_template_naming_missing_data_fails_instead_of_printing_nothing() -> None:
    with pytest.raises(UndefinedError):
        environment().from_string("{{ data.missing }}").render(data={})


def test_css_string_escapes_quotes_newlines_and_markup() -> None:
    escaped = css_string('a"b\\c\n</style><b>')
    assert isinstance(escaped, Markup)
    assert escaped == '"a\\22 b\\5c c\\a \\3c /style\\3e \\3c b\\3e "'


def test_hangul_words_are_joined_in_body_text_only() -> None:
    html = (
        "<html><head><title>이사회</title></head><body><h1>침해사고</h1>"
        '<p title="속성값">펨토셀 보안</p><svg><text>제로</text></svg></body></html>'
    )
    joined = keep_hangul_words(html)
    assert '<p title="속성값">펨\u2060토\u2060셀 보\u2060안</p>' in joined
    for untouched in ("<title>이사회</title>", "<h1>침해사고</h1>", "<svg><text>제로</text></svg>"):
        assert untouched in joined


def test_the_nanum_font_is_found_through_fontconfig() -> None:
    assert fonts.require_hangul_font() in fonts.HANGUL_FONT_FAMILIES


def test_a_missing_hangul_font_is_a_configuration_error_with_an_install_hint() -> None:
    with pytest.raises(ConfigurationError, match="apt-get install fonts-nanum"):
        fonts.require_hangul_font(("NoSuchHangulFamily",))


def _cached_environment(root: Path, cache: BestEffortBytecodeCache) -> Environment:
    return Environment(loader=FileSystemLoader(root), autoescape=True, bytecode_cache=cache)


def test_compiled_templates_are_kept_for_the_next_process_and_an_edit_is_compiled_anew(tmp_path: Path) -> None:
    (tmp_path / "cache").mkdir()
    (tmp_path / "t.html").write_text("a {{ x }}")
    cache = BestEffortBytecodeCache(str(tmp_path / "cache"))
    assert _cached_environment(tmp_path, cache).get_template("t.html").render(x=1) == "a 1"
    assert len(list((tmp_path / "cache").iterdir())) == 1
    # A new environment (a new process) loads the compiled code instead of compiling the source again.
    again = _cached_environment(tmp_path, cache)
    compiled: list[str] = []
    compile_ = again.compile
    again.compile = lambda source, *a, **k: compiled.append(source) or compile_(source, *a, **k)  # type: ignore[method-assign]
    assert again.get_template("t.html").render(x=2) == "a 2"
    assert compiled == []
    # A changed source no longer matches the cached checksum: it is compiled again.
    (tmp_path / "t.html").write_text("b {{ x }}")
    assert _cached_environment(tmp_path, cache).get_template("t.html").render(x=1) == "b 1"


def test_a_template_cache_that_cannot_be_written_is_skipped_not_an_error(tmp_path: Path) -> None:
    (tmp_path / "t.html").write_text("{{ 1 + 1 }}")
    cache = BestEffortBytecodeCache(str(tmp_path / "missing" / "dir"))
    assert _cached_environment(tmp_path, cache).get_template("t.html").render() == "2"
    assert not (tmp_path / "missing").exists()


def test_the_report_environment_keeps_compiled_templates() -> None:
    assert isinstance(environment().bytecode_cache, BestEffortBytecodeCache)
