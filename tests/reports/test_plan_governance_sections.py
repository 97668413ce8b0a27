"""The plan and governance sections read back from the PDFs: present, titled, Korean and English, figures equal to
the services', user text inert, and the state at a past instant through --as-of."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from reports.context import ReportKind
from reports.i18n import Lang, Translator
from reports.registry import REPORTS
from reports.render import TemplateFetcher
from reports.sections.executive import LATE_RED_DAYS, combined_rag
from reports.sections.plan import index, table_money
from reports.service import RenderedReport, render_report
from tests.reports import pdfs
from tracker import flows
from tracker.auth.models import Principal
from tracker.db import make_engine, read_session, write_session
from tracker.governance import service as governance_service
from tracker.milestones import service as milestones_service
from tracker.milestones.models import MilestoneCreate
from tracker.models import metadata
from tracker.plan import service as plan_service
from tracker.plan.evm import Rag
from tracker.plan.models import BudgetLine, SpendEntryCreate, WorkstreamCode
from tracker.types import now_utc, to_seoul

ACTOR = Principal.system("test:seed")
# HTML and a URL in a milestone title: must print as text and fetch nothing.
INJECTED = '<img src="http://attacker.example/x.png"> <a href="file:///etc/passwd">x</a> 펨토셀'
NEW_SECTIONS = {
    ReportKind.board: [
        "executive_summary",
        "plan_budget",
        "late_milestones",
        "zero_trust",
        "kpis",
        "actions_due",
        "decisions_requested",
        "governance_record",
    ],
    ReportKind.regulator: ["prevention_plan", "commitments_register", "governance_record"],
    ReportKind.management: ["workstream_evm", "late_milestones", "overdue", "kpis", "zero_trust", "governance_record"],
}


@dataclass
class Demo:
    """A seeded database, its renderings and the instant before a later change (for --as-of)."""

    engine: Engine
    rendered: dict[tuple[ReportKind, Lang], RenderedReport]
    before_change: object
    spi_before: float | None
    cpi_before: float | None


def _injected_late_milestone(session: Session) -> None:
    today = to_seoul(now_utc()).date()
    milestones_service.create(
        session=session,
        data=MilestoneCreate(
            code="INJ-1",
            title_ko=INJECTED,
            title_en=INJECTED,
            workstream=WorkstreamCode.zero_trust,
            owner="Test Owner",
            baseline_date=today - timedelta(days=400),
        ),
        actor=ACTOR,
        today=today,
    )


def _extra_spend(session: Session) -> None:
    """All the room left on this year's line with the most room, spent today: the programme's CPI drops."""
    today = to_seoul(now_utc()).date()
    spent = plan_service._spent_by_line(session)  # noqa: SLF001 - the headroom is what the test needs to pick a line
    lines = list(session.exec(select(BudgetLine).where(BudgetLine.year == today.year)).scalars())  # type: ignore[call-overload,arg-type]
    line = max(lines, key=lambda ln: ln.amount_krw - spent.get(ln.id or 0, 0))
    plan_service.create_spend(
        session=session,
        data=SpendEntryCreate(
            budget_line_id=line.id or 0,
            spent_on=today,
            amount_krw=line.amount_krw - spent.get(line.id or 0, 0),
            reference="TEST-ASOF",
        ),
        actor=ACTOR,
    )


@pytest.fixture(scope="module")
def demo() -> Iterator[Demo]:
    """The seed (no devices) plus a late milestone with an injected title, rendered in every report and language;
    then a spend entry recorded after `before_change`."""
    engine = make_engine("sqlite://")
    metadata.create_all(engine)
    flows.seed_database(engine, devices=0, random_seed=2025, actor=ACTOR)
    with write_session(engine) as session:
        _injected_late_milestone(session)
    rendered: dict[tuple[ReportKind, Lang], RenderedReport] = {}
    with read_session(engine) as session:
        for kind in ReportKind:
            for lang in Lang:
                if kind is ReportKind.regulator and lang is Lang.en:
                    continue  # the regulator report's sections are all exercised in Korean
                rendered[(kind, lang)] = render_report(session=session, kind=kind, lang=lang)
        summary = plan_service.summary(session=session)
    before = now_utc()
    with write_session(engine) as session:
        _extra_spend(session)
    yield Demo(engine, rendered, before, summary.evm.spi, summary.evm.cpi)
    engine.dispose()


def _starts(r: RenderedReport, t: Translator) -> list[int]:
    """The first page of every rendered section, from the table of contents."""
    contents = pdfs.page_texts(r.pdf)[1]
    titles = [t(s.title) for s in r.spec.sections if s.key in r.sections]
    starts = []
    for title in titles:
        page = pdfs.contents_page(contents, title)
        assert page, title
        starts.append(page)
    return starts


def _section_text(r: RenderedReport, key: str, t: Translator) -> str:
    """The text of the pages from the section's first page up to the next section's first page."""
    pages = pdfs.page_texts(r.pdf)
    starts = _starts(r, t)
    i = [s.key for s in r.spec.sections if s.key in r.sections].index(key)
    end = starts[i + 1] if i + 1 < len(starts) else len(pages)
    return "\n".join(pages[starts[i] - 1 : max(end - 1, starts[i])])


@pytest.mark.parametrize("kind", list(ReportKind))
def test_every_plan_and_governance_section_is_rendered_with_its_title(demo: Demo, kind: ReportKind) -> None:
    for lang in Lang:
        r = demo.rendered.get((kind, lang))
        if r is None:
            continue
        t = Translator(lang)
        assert set(NEW_SECTIONS[kind]) <= set(r.sections), r.omitted
        text = "\n".join(pdfs.page_texts(r.pdf))
        for key in NEW_SECTIONS[kind]:
            section = next(s for s in REPORTS[kind].sections if s.key == key)
            assert pdfs.contains(text, t(section.title)), (kind, lang, key)


def test_the_executive_summary_comes_first_in_the_board_pack_and_fits_one_page(demo: Demo) -> None:
    r = demo.rendered[(ReportKind.board, Lang.ko)]
    assert r.sections[0] == "executive_summary"
    t = Translator(Lang.ko)
    starts = _starts(r, t)
    assert starts[1] == starts[0] + 1  # one page
    text = _section_text(r, "executive_summary", t)
    assert pdfs.contains(text, t("exec.rule", days=LATE_RED_DAYS)[:40])


def test_programme_spi_cpi_and_eac_are_the_plan_service_figures(demo: Demo) -> None:
    r = demo.rendered[(ReportKind.board, Lang.ko)]
    t = Translator(Lang.ko)
    evm_text = _section_text(r, "plan_budget", t)
    assert pdfs.contains(evm_text, index(demo.spi_before))
    assert pdfs.contains(evm_text, index(demo.cpi_before))
    exec_text = _section_text(r, "executive_summary", t)
    assert pdfs.contains(exec_text, index(demo.cpi_before))


def test_the_eac_and_bac_figures_are_printed_in_won(demo: Demo) -> None:
    r = demo.rendered[(ReportKind.board, Lang.en)]
    t = Translator(Lang.en)
    text = _section_text(r, "plan_budget", t)
    with read_session(demo.engine) as session:
        bac = plan_service.summary(session=session).evm.bac
    assert pdfs.contains(text, t.won(bac))
    assert pdfs.contains(text, table_money(t, bac))


def test_late_milestone_count_and_most_late_match_the_milestone_service(demo: Demo) -> None:
    r = demo.rendered[(ReportKind.board, Lang.ko)]
    t = Translator(Lang.ko)
    day = to_seoul(r.context.as_of).date()
    with read_session(demo.engine) as session:
        late = milestones_service.late(session=session, as_of=day)
    assert late and late[0].milestone.code == "INJ-1"
    text = _section_text(r, "late_milestones", t)
    assert pdfs.contains(text, t("late.intro", day=t.day(day), n=len(late)))
    assert pdfs.contains(text, t("exec.days", n=late[0].days_late))
    exec_text = _section_text(r, "executive_summary", t)
    assert pdfs.contains(exec_text, f"지연 마일스톤 {len(late)}건")


def test_governance_record_counts_are_the_governance_service_counts(demo: Demo) -> None:
    r = demo.rendered[(ReportKind.regulator, Lang.ko)]
    t = Translator(Lang.ko)
    day = to_seoul(r.context.as_of).date()
    with read_session(demo.engine) as session:
        bodies = governance_service.governance_record(session=session, today=day)
    assert any(b.missed for b in bodies) and any(b.held for b in bodies)
    text = pdfs.squash(_section_text(r, "governance_record", t))
    for b in bodies:
        assert pdfs.squash(f"{b.name_ko}{b.due}{b.held}{b.missed}{b.signed_off}") in text, b


def test_prevention_plan_lists_every_regulator_milestone(demo: Demo) -> None:
    r = demo.rendered[(ReportKind.regulator, Lang.ko)]
    t = Translator(Lang.ko)
    with read_session(demo.engine) as session:
        milestones = milestones_service.regulatory(session=session)
    assert len(milestones) >= 8
    text = _section_text(r, "prevention_plan", t)
    for m in milestones:
        assert pdfs.contains(text, m.code), m.code


def test_korean_text_is_extractable_and_english_reports_speak_english(demo: Demo) -> None:
    ko = "\n".join(pdfs.page_texts(demo.rendered[(ReportKind.board, Lang.ko)].pdf))
    en = "\n".join(pdfs.page_texts(demo.rendered[(ReportKind.board, Lang.en)].pdf))
    assert pdfs.contains(ko, "과제별 상태") and pdfs.contains(ko, "주공정")
    assert pdfs.contains(en, "Status by workstream") and pdfs.contains(en, "Critical path")
    assert not pdfs.contains(en, "과제별 상태")


def test_html_in_a_milestone_title_prints_as_text_and_fetches_nothing(demo: Demo) -> None:
    with read_session(demo.engine) as session:
        fetcher = TemplateFetcher()
        r = render_report(
            session=session, kind=ReportKind.board, lang=Lang.en, as_of=demo.before_change, fetcher=fetcher
        )
    assert all(url.startswith("file://") and "/templates/" in url for url in r.fetched)
    assert fetcher.refused == []
    assert '<img src="http://attacker.example/x.png">' not in r.html
    assert "&lt;img src=" in r.html
    text = "\n".join(pdfs.page_texts(r.pdf))
    assert pdfs.contains(text, '<img src="http://attacker.example/x.png">')


def test_as_of_render_shows_the_plan_as_it_stood_before_a_later_spend(demo: Demo) -> None:
    t = Translator(Lang.ko)
    with read_session(demo.engine) as session:
        r = render_report(session=session, kind=ReportKind.board, lang=Lang.ko, as_of=demo.before_change)
        live = plan_service.summary(session=session)
    assert r.context.historical
    assert set(NEW_SECTIONS[ReportKind.board]) <= set(r.sections)
    text = _section_text(r, "plan_budget", t)
    assert pdfs.contains(text, index(demo.cpi_before))
    assert index(live.evm.cpi) != index(demo.cpi_before)
    # The running header names the section on its pages.
    pages = pdfs.page_texts(r.pdf)
    assert any(p.lstrip().startswith(t("section.zero_trust")) for p in pages)


def test_board_pack_for_a_meeting_shows_that_meetings_agenda(demo: Demo) -> None:
    t = Translator(Lang.en)
    with read_session(demo.engine) as session:
        meeting = governance_service.latest_board_meeting(session=session)
        assert meeting is not None and meeting.id is not None
        scheduled_on = meeting.scheduled_on
        r = render_report(session=session, kind=ReportKind.board, lang=Lang.en, review_id=meeting.id)
        agenda = governance_service.meeting_agenda(
            session=session, review_id=meeting.id, as_of=r.context.as_of, today=to_seoul(r.context.as_of).date()
        )
    text = _section_text(r, "decisions_requested", t)
    assert pdfs.contains(text, t.day(scheduled_on))
    assert agenda.items and pdfs.contains(text, agenda.items[0].title[:40])


def test_sections_are_left_out_of_an_empty_database() -> None:
    engine = make_engine("sqlite://")
    metadata.create_all(engine)
    with read_session(engine) as session:
        r = render_report(session=session, kind=ReportKind.board)
        archived = session.scalar(select(func.count()).select_from(metadata.tables["board_pack"]))
    assert "executive_summary" in r.omitted and "plan_budget" in r.omitted and "zero_trust" in r.omitted
    assert archived == 0
    engine.dispose()


@pytest.mark.parametrize(
    ("evm_rag", "days_late", "expected"),
    [
        (Rag.green, [], Rag.green),
        (Rag.green, [1], Rag.amber),
        (Rag.green, [LATE_RED_DAYS], Rag.amber),
        (Rag.green, [LATE_RED_DAYS + 1], Rag.red),
        (Rag.red, [5], Rag.red),
        (Rag.amber, [], Rag.amber),
        (Rag.not_started, [], Rag.not_started),
        (Rag.not_started, [3], Rag.amber),
        (Rag.green, [0], Rag.green),
    ],
)
def test_rag_is_the_worse_of_earned_value_and_lateness(evm_rag: Rag, days_late: list[int], expected: Rag) -> None:
    assert combined_rag(evm_rag, days_late) is expected
