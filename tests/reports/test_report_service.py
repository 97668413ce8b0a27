"""Rendered reports read back: sections, figures, pages, markings, provenance, PDF/UA and PDF/A claims, safety."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from reports.context import ReportKind, Section
from reports.facts import load_facts
from reports.i18n import Lang, Translator, short_instant
from reports.manifest import EXPORT_MANIFEST_FILE, PROVENANCE_FILE
from reports.registry import INCIDENT, REPORTS
from reports.render import STYLESHEET, SVG_DATA_URI, TEMPLATES_DIR, TemplateFetcher
from reports.sections import audit_trail
from reports.sections.incident import figure_value
from reports.service import RenderedReport, render_report
from tests.reports import factories, pdfs
from tracker.audit import service as audit
from tracker.auth.models import Principal, Role
from tracker.db import read_session
from tracker.errors import ConfigurationError, Invalid

KINDS = list(ReportKind)
LANGS = list(Lang)


@pytest.fixture(scope="module")
def rendered() -> Iterator[dict[tuple[ReportKind, Lang], RenderedReport]]:
    """Every report in both languages, from one demo database (rendered once for the module)."""
    engine = factories.demo_engine()
    out = {}
    with read_session(engine) as session:
        for kind in KINDS:
            for lang in LANGS:
                out[(kind, lang)] = render_report(session=session, kind=kind, lang=lang)
    yield out
    engine.dispose()


@pytest.fixture(scope="module")
def texts(rendered: dict[tuple[ReportKind, Lang], RenderedReport]) -> dict[tuple[ReportKind, Lang], list[str]]:
    """The extracted text of every page of every rendering."""
    return {key: pdfs.page_texts(r.pdf) for key, r in rendered.items()}


def _rendered_sections(report: RenderedReport) -> list[Section]:
    """The registered sections this rendering includes, in order."""
    return [s for s in REPORTS[report.spec.kind].sections if s.key in report.sections]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", KINDS)
def test_every_registered_section_has_a_titled_page_and_a_contents_line(
    rendered: dict[tuple[ReportKind, Lang], RenderedReport],
    texts: dict[tuple[ReportKind, Lang], list[str]],
    kind: ReportKind,
    lang: Lang,
) -> None:
    t = Translator(lang)
    pages = texts[(kind, lang)]
    contents = pages[1]
    assert pdfs.contains(contents, t("toc.title"))
    # This database holds no plan or governance records: their sections are left out (and named in the colophon).
    for section in _rendered_sections(rendered[(kind, lang)]):
        title = t(section.title)
        # The contents line names the page the section starts on.
        page = pdfs.contents_page(contents, title)
        assert page, (title, contents)
        start = pages[page - 1]
        assert pdfs.contains(start, title)


@pytest.mark.parametrize("kind", KINDS)
def test_section_titles_are_pdf_bookmarks(
    rendered: dict[tuple[ReportKind, Lang], RenderedReport], kind: ReportKind
) -> None:
    t = Translator(Lang.ko)
    marks = [pdfs.squash(m) for m in pdfs.bookmarks(rendered[(kind, Lang.ko)].pdf)]
    expected = [
        t("toc.title"),
        *(t(s.title) for s in _rendered_sections(rendered[(kind, Lang.ko)])),
        t("colophon.title"),
    ]
    assert [pdfs.squash(e) for e in expected] == [m for m in marks if m in {pdfs.squash(e) for e in expected}]
    assert pdfs.squash(t(REPORTS[kind].title)) not in marks  # the cover is not a chapter


@pytest.mark.parametrize("lang", LANGS)
def test_incident_figures_in_the_pdf_equal_the_facts_file(
    texts: dict[tuple[ReportKind, Lang], list[str]], lang: Lang
) -> None:
    text = "".join(texts[(ReportKind.regulator, lang)])
    t = Translator(lang)
    for figure in load_facts().incident.figures:
        assert pdfs.contains(text, figure_value(figure, t)), figure.id
        assert pdfs.contains(text, figure.label.get(lang)), figure.id


def test_korean_figures_read_as_korean_text(texts: dict[tuple[ReportKind, Lang], list[str]]) -> None:
    text = "".join(texts[(ReportKind.regulator, Lang.ko)])
    for phrase in ("22,227명", "368명", "2억 4,319만 원", "1조 원", "침해사고 개요", "과기정통부 조치 명령"):
        assert pdfs.contains(text, phrase), phrase


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", KINDS)
def test_every_page_says_page_x_of_y_and_the_page_count_is_sane(
    rendered: dict[tuple[ReportKind, Lang], RenderedReport],
    texts: dict[tuple[ReportKind, Lang], list[str]],
    kind: ReportKind,
    lang: Lang,
) -> None:
    pages = texts[(kind, lang)]
    assert len(pages) == rendered[(kind, lang)].pages
    # Cover, contents, at least one page per section, colophon; a report nobody reads would be much longer.
    assert len(rendered[(kind, lang)].sections) + 3 <= len(pages) <= 40
    for number, text in enumerate(pages, start=1):
        label = f"{number} / {len(pages)}쪽" if lang is Lang.ko else f"Page {number} of {len(pages)}"
        assert pdfs.contains(text, label), (number, text[-200:])


@pytest.mark.parametrize("kind", KINDS)
def test_as_of_time_and_audit_chain_head_are_printed(
    rendered: dict[tuple[ReportKind, Lang], RenderedReport],
    texts: dict[tuple[ReportKind, Lang], list[str]],
    kind: ReportKind,
) -> None:
    report = rendered[(kind, Lang.ko)]
    pages = texts[(kind, Lang.ko)]
    head = report.context.head
    assert head.seq > 5  # the demo marker, three tokens, one revocation; then the controls, the fleet, a run
    cover = pages[0]
    assert pdfs.contains(cover, Translator(Lang.ko).instant(report.context.as_of))
    assert pdfs.contains(cover, head.hash)
    assert pdfs.contains(pages[-1], head.hash)
    for text in pages:
        assert pdfs.contains(text, f"기준 {short_instant(report.context.as_of)}")
        assert pdfs.contains(text, f"#{head.seq} {head.hash[:12]}")


def test_demo_marking_and_classification_are_on_every_page(texts: dict[tuple[ReportKind, Lang], list[str]]) -> None:
    for (kind, lang), pages in texts.items():
        classification = Translator(lang)(REPORTS[kind].classification)
        for text in pages:
            assert "DEMO DATA" in text
            assert pdfs.contains(text, classification)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", KINDS)
def test_every_font_is_embedded(
    rendered: dict[tuple[ReportKind, Lang], RenderedReport], kind: ReportKind, lang: Lang
) -> None:
    fonts = pdfs.font_embedding(rendered[(kind, lang)].pdf)
    assert fonts and all(fonts.values()), fonts
    assert any("Nanum" in name for name in fonts)


@pytest.mark.parametrize("kind", [ReportKind.board, ReportKind.management])
def test_board_and_management_reports_claim_pdf_ua_1_and_are_tagged(
    rendered: dict[tuple[ReportKind, Lang], RenderedReport], kind: ReportKind
) -> None:
    pdf = rendered[(kind, Lang.ko)].pdf
    assert pdfs.xmp(pdf)["pdfuaid:part"] == "1"
    info = pdfs.catalog(pdf)
    assert info["marked"] and info["struct_tree"] and info["display_doc_title"]
    assert info["lang"] == "ko"
    assert str(info["title"]).startswith(Translator(Lang.ko)(REPORTS[kind].title))
    assert info["author"] == "sectrack"


def test_english_reports_declare_english(rendered: dict[tuple[ReportKind, Lang], RenderedReport]) -> None:
    assert pdfs.catalog(rendered[(ReportKind.board, Lang.en)].pdf)["lang"] == "en"


def test_regulator_report_claims_pdf_a_3b_with_an_output_intent(
    rendered: dict[tuple[ReportKind, Lang], RenderedReport],
) -> None:
    pdf = rendered[(ReportKind.regulator, Lang.ko)].pdf
    claims = pdfs.xmp(pdf)
    assert (claims["pdfaid:part"], claims["pdfaid:conformance"]) == ("3", "B")
    info = pdfs.catalog(pdf)
    assert info["output_intents"] == 1
    assert info["associated_files"] == 2


def test_regulator_report_embeds_the_export_manifest_of_the_same_state(
    rendered: dict[tuple[ReportKind, Lang], RenderedReport],
) -> None:
    report = rendered[(ReportKind.regulator, Lang.ko)]
    files = pdfs.attachments(report.pdf)
    assert sorted(files) == sorted([EXPORT_MANIFEST_FILE, PROVENANCE_FILE])
    content, mime, relationship = files[EXPORT_MANIFEST_FILE]
    assert (mime, relationship) == ("/application/json", "/Source")
    manifest = json.loads(content)
    head = report.context.head
    assert (manifest["chain"]["head_seq"], manifest["chain"]["head_hash"]) == (head.seq, head.hash)
    assert {f["path"] for f in manifest["files"]} >= {"audit/events.jsonl", "oscal/poam.json"}


def test_an_export_bundle_of_another_state_is_refused(session: Session) -> None:
    foreign = json.dumps({"chain": {"head_seq": 999_999, "head_hash": "0" * 64}}).encode()
    with pytest.raises(Invalid, match="#999999"):
        render_report(session=session, kind=ReportKind.regulator, export_manifest=foreign)


def test_regulator_report_embeds_its_provenance_manifest(
    rendered: dict[tuple[ReportKind, Lang], RenderedReport],
) -> None:
    report = rendered[(ReportKind.regulator, Lang.ko)]
    files = pdfs.attachments(report.pdf)
    content, mime, relationship = files[PROVENANCE_FILE]
    assert (mime, relationship) == ("/application/json", "/Supplement")
    manifest = json.loads(content)
    head = report.context.head
    assert manifest["chain_head"] == {"seq": head.seq, "hash": head.hash}
    assert manifest["events"] == head.seq
    assert manifest["report"] == "regulator" and manifest["demo_data"] is True
    assert manifest["sections"] == report.sections
    for kind in (ReportKind.board, ReportKind.management):
        assert pdfs.attachments(rendered[(kind, Lang.ko)].pdf) == {}


def test_the_regulator_report_shows_the_verification_result_and_latest_changes(
    texts: dict[tuple[ReportKind, Lang], list[str]],
) -> None:
    text = "".join(texts[(ReportKind.regulator, Lang.en)])
    # Counts by record type equal the audit figures of the same data: create, update, delete, other, total.
    engine = factories.demo_engine()
    with read_session(engine) as session:
        head = audit.head(session).seq
        counts = audit_trail.counts_by_type(session, head)
    engine.dispose()
    assert pdfs.contains(text, f"Passed: all {head} links and hashes were recomputed and match.")
    assert counts["api_token"] == {"create": 3, "update": 0, "delete": 0, "other": 1}
    for entity_type, by_action in counts.items():
        row = " ".join(str(n) for n in [*by_action.values(), sum(by_action.values())])
        assert pdfs.contains(text, f"{entity_type} {row}"), entity_type
    assert pdfs.contains(text, "api_token") and pdfs.contains(text, "cli:seed")
    assert pdfs.contains(text, "sectrack verify audit-export.zip")


def test_only_the_stylesheet_under_templates_was_fetched(
    rendered: dict[tuple[ReportKind, Lang], RenderedReport],
) -> None:
    for report in rendered.values():
        assert report.fetched == [(TEMPLATES_DIR / STYLESHEET).as_uri()]


# Tests below render on both databases against their own data.


def test_demo_marking_is_absent_without_the_demo_flag_and_present_with_it(session: Session) -> None:
    plain = render_report(session=session, kind=ReportKind.board, lang=Lang.en)
    assert not any("DEMO DATA" in text for text in pdfs.page_texts(plain.pdf))
    factories.mark_demo(session)
    demo = render_report(session=session, kind=ReportKind.board, lang=Lang.en)
    assert all("DEMO DATA" in text for text in pdfs.page_texts(demo.pdf))


def test_a_section_without_data_is_left_out_and_named_in_the_colophon(session: Session) -> None:
    nothing = Section("nothing_recorded", "section.customer_measures", lambda _session, _ctx: None)
    spec = REPORTS[ReportKind.board].with_sections(INCIDENT, nothing)
    report = render_report(session=session, kind=spec, lang=Lang.en)
    assert report.sections == ["incident"] and report.omitted == ["nothing_recorded"]
    pages = pdfs.page_texts(report.pdf)
    assert not pdfs.contains(pages[1], "Customer measures as announced")
    assert pdfs.contains(pages[-1], "Sections left out (no data recorded) Customer measures as announced")


def test_markup_and_template_syntax_in_stored_text_print_as_text_and_fetch_nothing(session: Session) -> None:
    hostile = [
        ('<img src="http://127.0.0.1:1/x">', '<link href="file:///etc/passwd">'),
        ("{{ 7*7 }}", "<script>alert(1)</script>"),
    ]
    for name, entity_id in hostile:
        audit.record(
            session,
            actor=Principal(name=name, role=Role.staff, request_id="r-1"),
            action="update",
            entity_type="femtocell",
            entity_id=entity_id,
            state={"note": name},
        )
    fetcher = TemplateFetcher()
    report = render_report(session=session, kind=ReportKind.regulator, lang=Lang.en, fetcher=fetcher)
    assert fetcher.fetched == [(TEMPLATES_DIR / STYLESHEET).as_uri()] and fetcher.refused == []
    text = "".join(pdfs.page_texts(report.pdf))
    for name, entity_id in hostile:
        assert pdfs.contains(text, name) and pdfs.contains(text, entity_id)
    # The only images are the report's own charts, embedded as data: URIs.
    images = re.findall(r"<img\b[^>]*>", report.html)
    assert all('class="chart"' in i and f'src="{SVG_DATA_URI}' in i for i in images), images
    assert "<script" not in report.html and "<link href" not in report.html


def test_as_of_renders_the_state_recorded_at_that_instant(session: Session) -> None:
    factories.add_history(session)
    session.flush()
    at = audit.list_events(session, limit=100).items[-1].occurred_at
    head_then = audit.head(session)
    time.sleep(0.002)
    factories.mark_demo(session)

    past = render_report(session=session, kind=ReportKind.board, lang=Lang.en, as_of=at)
    assert past.context.historical and past.context.head == head_then and not past.context.demo
    past_text = pdfs.page_texts(past.pdf)
    assert not any("DEMO DATA" in text for text in past_text)
    assert pdfs.contains(past_text[0], "Point-in-time reconstruction")
    assert pdfs.contains(past_text[0], head_then.hash)

    now = render_report(session=session, kind=ReportKind.board, lang=Lang.en)
    assert not now.context.historical and now.context.demo
    assert now.context.head.seq == head_then.seq + 1


def test_an_as_of_in_the_future_shows_the_current_state_labelled_with_now(session: Session) -> None:
    factories.mark_demo(session)
    now = datetime(2030, 1, 1, tzinfo=UTC)
    report = render_report(
        session=session, kind=ReportKind.board, lang=Lang.en, as_of=now + timedelta(days=365), now=now
    )
    assert report.context.as_of == now and not report.context.historical and report.context.demo


def test_rendering_without_a_hangul_font_is_a_clear_error(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    from reports import fonts

    monkeypatch.setattr(fonts, "_hangul_font", lambda families: None)
    with pytest.raises(ConfigurationError, match="fonts-nanum"):
        render_report(session=session, kind=ReportKind.board)


def test_rendering_keeps_the_garbage_collector_off_the_objects_alive_before_it(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two full collections walking the loaded app cost a board pack's first rendering 0.3 s (tracker.runtime).
    import gc

    import reports.render

    seen: list[int] = []
    write_pdf = reports.render.write_pdf

    def recording(*args: object, **kwargs: object) -> object:
        seen.append(gc.get_freeze_count())
        return write_pdf(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(reports.render, "write_pdf", recording)
    render_report(session=session, kind=ReportKind.management)
    assert seen and seen[0] > 0
    assert gc.get_freeze_count() == 0
