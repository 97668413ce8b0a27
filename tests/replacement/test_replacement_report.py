"""The replacement section of the board and management reports, read back from the PDF and compared to the service."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine

from inventory.equipment import service as equipment_service
from inventory.equipment.models import EquipmentUpdate
from inventory.replacement import service
from reports.context import ReportKind
from reports.i18n import Lang, Translator
from reports.registry import REPORTS
from reports.service import render_report
from tests.inventory.factories import make_equipment
from tests.replacement.factories import make_wave
from tests.reports import pdfs
from tracker.auth.models import Principal
from tracker.db import make_engine, read_session, write_session
from tracker.models import metadata
from tracker.plan.calendar import today_seoul

ACTOR = Principal.system("test")


def _kst(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 3, tzinfo=UTC)


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    """Two waves: W0 late (target passed, 1 of 3 left), W1 running; one item replaced after a mid-year instant."""
    eng = make_engine("sqlite://")
    metadata.create_all(eng)
    with write_session(eng) as s:
        make_wave(
            s, ACTOR, code="W0", name_en="Pilot wave", target_start=date(2026, 1, 5), target_end=date(2026, 6, 30)
        )
        make_wave(s, ACTOR, code="W1", name_ko="1차 교체", target_start=date(2026, 5, 4), target_end=date(2027, 6, 30))
        for replaced in (date(2026, 3, 2), date(2026, 5, 30)):
            make_equipment(s, ACTOR, replacement_wave="W0", status="replaced", replaced_at=_kst(replaced))
        make_equipment(s, ACTOR, replacement_wave="W0", status="replacing")
        for _ in range(4):
            make_equipment(s, ACTOR, replacement_wave="W1", status="replacement_planned")
    yield eng
    eng.dispose()


def _render(engine: Engine, kind: ReportKind, lang: Lang, as_of: datetime | None = None) -> list[str]:
    spec = REPORTS[kind]
    section = next(s for s in spec.sections if s.key == "replacement")
    with read_session(engine) as session:
        rendered = render_report(session=session, kind=spec.with_sections(section), lang=lang, as_of=as_of)
    return pdfs.page_texts(rendered.pdf)


def test_both_reports_carry_the_section() -> None:
    for kind in (ReportKind.board, ReportKind.management):
        assert "replacement" in [s.key for s in REPORTS[kind].sections]


@pytest.mark.parametrize("lang", list(Lang))
def test_pdf_figures_equal_the_service(engine: Engine, lang: Lang) -> None:
    t = Translator(lang)
    text = "".join(_render(engine, ReportKind.board, lang))
    with read_session(engine) as session:
        # The report is as of now: its figures are the service's for today in Seoul.
        status = service.status(session=session, as_of=today_seoul())
    p = status.programme
    assert (p.total, p.replaced) == (7, 2)
    assert pdfs.contains(text, t("section.replacement"))
    forecast = t.day(p.forecast_completion) if p.forecast_completion else t("replacement.no_forecast")
    assert pdfs.contains(text, forecast)
    assert pdfs.contains(text, f"2 ({100 * 2 / 7:.0f}%)")
    for wave in status.waves:
        assert pdfs.contains(
            text, f"{wave.total}{wave.replaced}({100 * wave.replaced / wave.total:.0f}%){wave.remaining}"
        )
    w0 = status.waves[0]
    assert w0.late and status.late_waves == ["W0"]
    late_line = t("replacement.late_wave", code="W0", name=w0.name_ko if lang is Lang.ko else w0.name_en,
                  end=t.day(date(2026, 6, 30)), remaining="1")  # fmt: skip
    assert pdfs.contains(text, late_line)
    assert pdfs.contains(text, t("replacement.state.late")) and pdfs.contains(text, t("replacement.state.behind"))


def test_as_of_report_shows_the_state_of_that_day(engine: Engine) -> None:
    with write_session(engine) as s:
        item = make_equipment(s, ACTOR, replacement_wave="W1", status="replacing")
    middle = datetime.now(UTC)
    with write_session(engine) as s:
        equipment_service.update(
            session=s,
            equipment_id=item.id or 0,
            data=EquipmentUpdate(status="replaced", replaced_at=_kst(date(2026, 11, 20))),
            if_match=None,
            actor=ACTOR,
        )
    t = Translator(Lang.en)
    now_text = "".join(_render(engine, ReportKind.management, Lang.en))
    then_text = "".join(_render(engine, ReportKind.management, Lang.en, as_of=middle))
    # Now: 8 items, 3 replaced; at `middle` the eighth item was still being replaced.
    assert pdfs.contains(now_text, "3 (38%)") and pdfs.contains(then_text, "2 (25%)")
    assert pdfs.contains(then_text, t("replacement.items"))
