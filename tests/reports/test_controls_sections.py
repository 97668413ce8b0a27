"""The controls sections read back from the PDFs: per-order live results, femtocell remediation, open findings.

The figures printed must be the control run's own (the same the API and `sectrack check` give), and a report as of
an instant before the first run must say that no run was recorded rather than show today's results.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import Session

from reports.context import ReportContext, ReportKind
from reports.i18n import Lang, Translator
from reports.sections import controls as sections
from reports.service import render_report
from tests.controls.factories import fix, iso, load_catalog, plant
from tests.inventory.factories import make_femtocell
from tests.reports import pdfs
from tracker.audit import service as audit
from tracker.auth.models import Principal
from tracker.controls import report as data
from tracker.controls import service
from tracker.controls.models import ControlRun, FindingUpdate, ResultStatus
from tracker.types import now_utc


def _section(pages: list[str], title: str) -> str:
    """The text of the pages whose running header names `title` (the section's own pages)."""
    found = [p for p in pages[2:] if pdfs.squash(title) in pdfs.squash(p.split("\n", 1)[0] + p[:200])]
    assert found, title
    return "\n".join(found)


def test_board_pack_prints_the_run_figures_and_the_open_findings(session: Session, actor: Principal) -> None:
    load_catalog(session, actor)
    fleet = plant(session, actor)
    run = service.run(session=session, actor=actor)
    session.commit()
    results = {r.control_id: r for r in run.results}

    rendered = render_report(session=session, kind=ReportKind.board, lang=Lang.en)
    pages = pdfs.page_texts(rendered.pdf)
    t = Translator(Lang.en)
    remediation = _section(pages, t("section.femtocell_remediation"))
    assert pdfs.contains(remediation, f"run #{run.id}")
    assert pdfs.contains(remediation, f"{run.passed} of {run.evaluated}")
    # Every control's row: its id and, where the run measured one, its measured value.
    for control_id, result in results.items():
        assert pdfs.contains(remediation, control_id)
        if result.measured_value is not None:
            assert pdfs.contains(remediation, f"{result.measured_value:,}"), control_id
    assert pdfs.contains(remediation, t(f"control.status.{ResultStatus.failed.value}"))
    shared = results["MSIT-2"]
    assert pdfs.contains(remediation, f"{shared.measured_value:,}")
    unauthorized = results["MSIT-1"].details
    assert pdfs.contains(remediation, f"{unauthorized['blocked_since']} of {unauthorized['unauthorized_ids']}")

    findings = _section(pages, t("section.findings"))
    ages = data.finding_ages(session, rendered.context.as_of_seoul.date())
    assert ages.total_open == len(fleet.planted)
    assert pdfs.contains(findings, f"{ages.total_open} open")
    for control_id in fleet.planted:
        assert pdfs.contains(findings, control_id)

    # After the fixes every planted control passes, its finding closes, and the pack says so.
    fix(session, actor, fleet)
    second = service.run(session=session, actor=actor)
    session.commit()
    pages = pdfs.page_texts(render_report(session=session, kind=ReportKind.board, lang=Lang.en).pdf)
    findings = _section(pages, t("section.findings"))
    assert pdfs.contains(findings, "0 open")
    assert pdfs.contains(findings, f"{second.findings_closed} closed so far")
    assert pdfs.contains(findings, t("findings.none"))


def test_regulator_report_gives_each_order_its_controls_and_last_pass(session: Session, actor: Principal) -> None:
    load_catalog(session, actor)
    fleet = plant(session, actor)
    session.commit()
    before_run = now_utc()
    run = service.run(session=session, actor=actor)
    fix(session, actor, fleet)
    service.run(session=session, actor=actor)
    session.commit()

    t = Translator(Lang.ko)
    rendered = render_report(session=session, kind=ReportKind.regulator, lang=Lang.ko)
    orders = _section(pdfs.page_texts(rendered.pdf), t("section.regulator_orders"))
    # Every control with an order reference is listed under its order, with its evidence count.
    for c in data.control_statuses(session, data.latest_run(session)):
        if c.reference and c.reference.startswith("order-"):
            assert pdfs.contains(orders, c.control_id), c.control_id
    assert pdfs.contains(orders, t("orders.evidence"))
    assert not pdfs.contains(orders, t("orders.no_run"))

    # As of an instant before the first run, the report shows the order texts and says no run was recorded.
    past = render_report(session=session, kind=ReportKind.regulator, lang=Lang.ko, as_of=before_run)
    orders_then = _section(pdfs.page_texts(past.pdf), t("section.regulator_orders"))
    assert pdfs.contains(orders_then, t("orders.no_run"))
    assert not pdfs.contains(orders_then, f"#{run.id}")


def test_findings_text_is_escaped_not_markup(session: Session, actor: Principal) -> None:
    load_catalog(session, actor)
    plant(session, actor)
    service.run(session=session, actor=actor)
    finding = service.list_findings(session=session, limit=1).items[0]

    service.update_finding(
        session=session,
        finding_id=finding.id,
        data=FindingUpdate(owner='<img src="http://127.0.0.1:1/x.png">Ops'),
        actor=actor,
        if_match=finding.version,
    )
    session.commit()
    pages = pdfs.page_texts(render_report(session=session, kind=ReportKind.management, lang=Lang.en).pdf)
    assert pdfs.contains("\n".join(pages), '<img src="http://127.0.0.1:1/x.png">Ops')


def _context(session: Session) -> ReportContext:
    now = now_utc()
    return ReportContext(
        kind=ReportKind.board,
        lang=Lang.en,
        as_of=now,
        generated_at=now,
        head=audit.head(session),
        demo=False,
        historical=False,
        t=Translator(Lang.en),
    )


def test_remediation_shows_the_fleet_its_run_saw_and_the_live_fleet_for_older_runs(
    session: Session, actor: Principal
) -> None:
    load_catalog(session, actor)
    plant(session, actor)
    run = service.run(session=session, actor=actor)
    assert run.fleet is not None
    # Changes after the run: the section's figures are the run's, beside its results, until the next run.
    make_femtocell(session, actor, status="active")
    make_femtocell(session, actor, status="blocked", blocked_at=iso(now_utc()))
    session.commit()
    t = Translator(Lang.en)
    active, blocked = t("femtocell.status.active"), t("femtocell.status.blocked")

    def shown(payload: Any) -> dict[str, str]:
        return {row["status"]: row["count"] for row in payload["fleet"]}

    ctx = _context(session)
    payload = sections.remediation(session, ctx)
    assert shown(payload)[active] == f"{run.fleet.by_status['active']:,}"
    this_month = ctx.as_of.strftime("%Y-%m")
    latest = data.latest_run(session)
    assert latest is not None
    kept = sections._monthly(session, latest, ctx.as_of.date().replace(day=1), ctx.as_of)
    assert kept["blocked"].get(this_month, 0) == run.fleet.monthly["blocked"].get(this_month, 0)

    # A run recorded before runs kept their figures: the section scans the live fleet instead.
    session.execute(update(ControlRun).values(fleet=None))
    session.commit()
    live = data.fleet_by_status(session)
    assert shown(sections.remediation(session, ctx))[active] == f"{live['active']:,}"
    assert shown(sections.remediation(session, ctx))[blocked] == f"{live['blocked']:,}"
    assert live["active"] == run.fleet.by_status["active"] + 1
    older = data.latest_run(session)
    assert older is not None and older.fleet is None
    scanned = sections._monthly(session, older, ctx.as_of.date().replace(day=1), ctx.as_of)
    assert scanned["blocked"][this_month] == kept["blocked"].get(this_month, 0) + 1
