"""The exposure section read back from the PDF: the service's figures, both languages, both reports, `--as-of`."""

from __future__ import annotations

import io
import time

import pytest
from sqlmodel import Session

from inventory.access_events import exposure, service
from inventory.imports import ImportFormat
from reports.context import ReportKind
from reports.i18n import Lang, Translator, number
from reports.registry import EXPOSURE, REPORTS
from reports.service import render_report
from tests.inventory import exposure_data as data
from tests.inventory.factories import access_event, csv_bytes, make_femtocell
from tests.reports import pdfs
from tracker.audit import service as audit
from tracker.auth.models import Principal


def _text(session: Session, kind: ReportKind, lang: Lang, **kw: object) -> str:
    spec = REPORTS[kind].with_sections(EXPOSURE)
    return "".join(pdfs.page_texts(render_report(session=session, kind=spec, lang=lang, **kw).pdf))  # type: ignore[arg-type]


def _row(text: str, label: str, value: str) -> bool:
    return pdfs.contains(text, f"{label} {value}")


def test_exposure_follows_the_incident_in_the_regulator_report_and_stays_out_of_the_board_pack() -> None:
    keys = [s.key for s in REPORTS[ReportKind.regulator].sections]
    assert keys.index("exposure") == keys.index("incident") + 1
    # The board pack's render budget cannot carry a pass over every access event; its remediation section gives
    # the unauthorized cells from the newest control run instead.
    assert "exposure" not in [s.key for s in REPORTS[ReportKind.board].sections]


@pytest.mark.parametrize("lang", list(Lang))
def test_pdf_figures_are_the_service_figures(session: Session, actor: Principal, lang: Lang) -> None:
    data.load(session, actor)
    session.flush()
    totals = exposure.totals(session=session)
    t = Translator(lang)
    for kind in (ReportKind.board, ReportKind.regulator):
        text = _text(session, kind, lang)
        assert pdfs.contains(text, t("section.exposure"))
        assert _row(text, t("exposure.cells"), number(totals.unauthorized_cells))
        assert _row(text, t("exposure.cells_unknown"), number(totals.cells_not_in_inventory))
        assert _row(text, t("exposure.cells_not_blocked"), number(totals.cells_not_blocked))
        assert _row(text, t("exposure.subscribers"), number(totals.exposed_subscribers))
        assert _row(text, t("exposure.attaches"), number(totals.accepted_attaches))
        assert _row(text, t("exposure.rejected"), number(totals.rejected_attempts))
        assert totals.first_accepted_at is not None and totals.last_accepted_at is not None
        assert pdfs.contains(text, t.instant(totals.first_accepted_at))
        assert pdfs.contains(text, t.instant(totals.last_accepted_at))
        # The investigation's figures beside them.
        assert pdfs.contains(text, "22,227") and pdfs.contains(text, "368")
        for raw in data.SUBSCRIBERS.values():
            assert raw not in text
        for cell_id in (data.ILLEGAL_1, data.DECOMMISSIONED):
            assert cell_id not in text  # counts only


def test_without_access_events_the_section_is_left_out(session: Session) -> None:
    t = Translator(Lang.en)
    report = render_report(session=session, kind=REPORTS[ReportKind.board].with_sections(EXPOSURE), lang=Lang.en)
    assert "exposure" in report.omitted and "exposure" not in report.sections
    colophon = pdfs.page_texts(report.pdf)[-1]
    assert pdfs.contains(colophon, t("section.exposure"))  # named under "left out"


def test_as_of_shows_the_exposure_recorded_then(session: Session, actor: Principal) -> None:
    data.load(session, actor)
    session.flush()
    then = exposure.totals(session=session)
    at = audit.list_events(session, limit=1000).items[-1].occurred_at
    time.sleep(0.002)
    # Later: the second illegal id is registered as blocked, and a new illegal cell exposes one more subscriber.
    make_femtocell(session, actor, cell_id=data.ILLEGAL_2, status="blocked", blocked_at="2026-09-01T00:00:00Z")
    rows = [access_event(cell_id="99999-LATER", subscriber_id="450089999999999", occurred_at="2026-09-02T00:00:00Z")]
    service.ingest_stream(
        session=session, stream=io.BytesIO(csv_bytes(rows)), fmt=ImportFormat.csv, source="later.csv", actor=actor
    )
    session.flush()
    now = exposure.totals(session=session)
    assert (now.unauthorized_cells, now.cells_not_blocked, now.exposed_subscribers) == (9, 6, 6)
    assert (then.unauthorized_cells, then.cells_not_blocked, then.exposed_subscribers) == (8, 6, 5)
    t = Translator(Lang.en)
    past_text = _text(session, ReportKind.regulator, Lang.en, as_of=at)
    assert _row(past_text, t("exposure.cells"), number(then.unauthorized_cells))
    assert _row(past_text, t("exposure.cells_not_blocked"), number(then.cells_not_blocked))
    assert _row(past_text, t("exposure.subscribers"), number(then.exposed_subscribers))
    now_text = _text(session, ReportKind.regulator, Lang.en)
    assert _row(now_text, t("exposure.cells"), "9") and _row(now_text, t("exposure.subscribers"), "6")
