"""The plan's budget and earned value: program figures, curves, spend by workstream, and per-workstream tables.

Every figure comes from `tracker.plan.service.summary` / `evm_series` (aggregates in SQL, EVM by the pure functions
of `tracker.plan.evm`) as of the report's day in Seoul, so the report shows exactly what `GET /plan?as_of=` shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlmodel import Session

from reports import charts
from reports.context import ReportContext
from reports.i18n import Lang, Translator, register
from tracker.governance import service as governance_service
from tracker.milestones import service as milestones_service
from tracker.plan import service as plan_service
from tracker.plan.evm import Rag
from tracker.plan.models import EarnedValuePublic, PlanSummary, WorkstreamSummary

register(
    {
        "section.plan_budget": {"ko": "예산과 성과(EVM)", "en": "Budget and earned value"},
        "section.workstream_evm": {
            "ko": "과제별 예산·성과와 책임자",
            "en": "Workstreams: budget, earned value, owners",
        },
        "plan.intro": {
            "ko": "{program} 총 {total} 중 배정 예산(BAC) {bac}. 계획가치(PV)는 기준 일정, 획득가치(EV)는 "
            "마일스톤 완료율, 실제원가(AC)는 집행 기록에서 산출했습니다.",
            "en": "{program}: {total} in total, {bac} allocated (BAC). Planned value (PV) follows the baseline "
            "schedule, earned value (EV) milestone completion, actual cost (AC) the spend ledger.",
        },
        "plan.bac": {"ko": "총 예산 (BAC)", "en": "Budget at completion (BAC)"},
        "plan.pv": {"ko": "계획가치 (PV)", "en": "Planned value (PV)"},
        "plan.ev": {"ko": "획득가치 (EV)", "en": "Earned value (EV)"},
        "plan.ac": {"ko": "실제원가 (AC)", "en": "Actual cost (AC)"},
        "plan.spi": {"ko": "일정성과지수 (SPI)", "en": "Schedule performance (SPI)"},
        "plan.cpi": {"ko": "원가성과지수 (CPI)", "en": "Cost performance (CPI)"},
        "plan.eac": {"ko": "완료시점 추정원가 (EAC)", "en": "Estimate at completion (EAC)"},
        "plan.vac": {"ko": "완료시점 차이 (VAC = BAC − EAC)", "en": "Variance at completion (VAC = BAC − EAC)"},
        "plan.eac_vs_bac": {
            "ko": "현재 원가 효율(CPI)이 유지되면 완료 시 {eac}가 들어 예산 대비 {delta} {direction}합니다.",
            "en": "If cost efficiency (CPI) holds, completion costs {eac}: {delta} {direction} budget.",
        },
        "plan.direction.over": {"ko": "초과", "en": "over"},
        "plan.direction.under": {"ko": "절감", "en": "under"},
        "plan.eac_unknown": {
            "ko": "아직 집행 또는 획득가치가 없어 완료시점 추정원가를 산출할 수 없습니다.",
            "en": "No spend or earned value yet: the estimate at completion is not defined.",
        },
        "plan.curve": {"ko": "누적 PV·EV·AC 추이", "en": "Cumulative PV, EV and AC"},
        "plan.curve.alt": {
            "ko": "월말 기준 누적 계획가치(점선), 획득가치, 실제원가를 나타낸 선 그래프",
            "en": "Line chart of cumulative planned value (dashed), earned value and actual cost at month ends",
        },
        "plan.spend": {"ko": "과제별 예산 집행", "en": "Spend by workstream"},
        "plan.spend.alt": {
            "ko": "과제별 집행액과 남은 예산을 누적 막대로 나타낸 그래프",
            "en": "Stacked bars of spend to date and remaining budget per workstream",
        },
        "plan.spent": {"ko": "집행액", "en": "Spent"},
        "plan.remaining": {"ko": "잔여 예산", "en": "Remaining budget"},
        "plan.unit": {"ko": "억 원", "en": "KRW billion"},
        "plan.table_unit": {"ko": "금액 단위: 억 원", "en": "Amounts in KRW billion"},
        "plan.workstream": {"ko": "과제", "en": "Workstream"},
        "plan.budget": {"ko": "예산", "en": "Budget"},
        "plan.rag": {"ko": "상태", "en": "Status"},
        "plan.total": {"ko": "전체", "en": "Programme"},
        "plan.by_year": {"ko": "연도별 예산과 집행", "en": "Budget and spend by year"},
        "plan.year": {"ko": "연도", "en": "Year"},
        "plan.year_spent": {"ko": "집행액", "en": "Spent"},
        "plan.year_share": {"ko": "집행률", "en": "Spent share"},
        "plan.weights_mismatch": {
            "ko": "표시(*)한 과제는 마일스톤 가중치 합(BAC)이 예산 배정액과 다릅니다.",
            "en": "Workstreams marked * have milestone weights (BAC) that differ from their budget lines.",
        },
        "plan.owners": {"ko": "책임(A) · 수행(R)", "en": "Accountable (A) · Responsible (R)"},
        "plan.milestones": {"ko": "마일스톤 (완료/지연/전체)", "en": "Milestones (done/late/all)"},
        "plan.no_owner": {"ko": "미지정", "en": "not assigned"},
        "rag.green": {"ko": "양호", "en": "Green"},
        "rag.amber": {"ko": "주의", "en": "Amber"},
        "rag.red": {"ko": "위험", "en": "Red"},
        "rag.not_started": {"ko": "착수 전", "en": "Not started"},
        "value.none": {"ko": "—", "en": "—"},
    }
)


def report_day(ctx: ReportContext) -> date:
    """The calendar day (Asia/Seoul) the report's figures are taken at."""
    return ctx.as_of_seoul.date()


def index(value: float | None) -> str:
    """An SPI/CPI-style ratio for print: two decimals, or a dash when undefined."""
    return "—" if value is None else f"{value:.2f}"


def table_money(t: Translator, amount: int | None) -> str:
    """Money for wide tables, in the unit the column header names (억 원 / KRW billion): '2,447', '244.7'."""
    if amount is None:
        return "—"
    if t.lang is Lang.ko:
        return f"{amount / 10**8:,.0f}"
    return f"{amount / 10**9:,.1f}"


def figure_money(t: Translator, amount: int | None) -> str:
    """Money for key figures: '1조 216억 원', or in English billions ('KRW 1,021.6 billion'), so that BAC and EAC of a
    trillion-won programme still differ on the page."""
    if amount is None:
        return "—"
    if t.lang is Lang.ko:
        return t.won(amount)
    return f"KRW {amount / 10**9:,.1f} billion"


def rag_label(t: Translator, rag: Rag | str) -> str:
    """The RAG status in words (colour is never the only carrier)."""
    return t(f"rag.{Rag(rag).value}")


def workstream_name(ctx: ReportContext, ws: WorkstreamSummary) -> str:
    """A workstream's name in the report language."""
    return ws.name_ko if ctx.lang is Lang.ko else ws.name_en


def plan_summary(session: Session, ctx: ReportContext) -> PlanSummary | None:
    """The plan summary as of the report day, or None when no programme is recorded."""
    if plan_service.find_program(session=session) is None:
        return None
    return plan_service.summary(session=session, as_of=report_day(ctx))


def _money_unit(t: Translator) -> tuple[int, str]:
    # Chart axes in the unit each language counts big money in: 억 (10^8) won, or billions of won.
    return (10**8 if t.lang is Lang.ko else 10**9), t("plan.unit")


def _evm_row(t: Translator, name: str, value: EarnedValuePublic, rag: Rag) -> dict[str, Any]:
    return {
        "name": name,
        "bac": table_money(t, value.bac),
        "pv": table_money(t, value.pv),
        "ev": table_money(t, value.ev),
        "ac": table_money(t, value.ac),
        "spi": index(value.spi),
        "cpi": index(value.cpi),
        "eac": table_money(t, value.eac),
        "rag": Rag(rag).value,
        "rag_label": rag_label(t, rag),
    }


def _eac_sentence(t: Translator, value: EarnedValuePublic) -> str:
    if value.eac is None:
        return t("plan.eac_unknown")
    delta = value.eac - value.bac
    direction = t("plan.direction.over") if delta > 0 else t("plan.direction.under")
    return t("plan.eac_vs_bac", eac=t.won(value.eac), delta=t.won(abs(delta)), direction=direction)


def curve_chart(session: Session, ctx: ReportContext) -> charts.Chart:
    """Cumulative PV (whole programme, dashed) and EV/AC (to the report day) in 억 원 / KRW billion."""
    t = ctx.t
    series = plan_service.evm_series(session=session, as_of=report_day(ctx))
    size, unit = _money_unit(t)
    dates = [p.as_of for p in series.program]
    pv, ev, ac = t("plan.pv"), t("plan.ev"), t("plan.ac")
    return charts.line_over_time(
        dates,
        {
            pv: [p.pv / size for p in series.program],
            ev: [None if p.ev is None else p.ev / size for p in series.program],
            ac: [None if p.ac is None else p.ac / size for p in series.program],
        },
        title="",
        alt=t("plan.curve.alt"),
        unit=unit,
        dashed=[pv],
        # Shorter than the default: the figures and both charts fit one page.
        height_in=1.9,
    )


def spend_chart(ctx: ReportContext, workstreams: Sequence[WorkstreamSummary]) -> charts.Chart:
    """Spend to date and remaining budget per workstream, stacked."""
    t = ctx.t
    size, unit = _money_unit(t)
    return charts.stacked_bars(
        [workstream_name(ctx, ws) for ws in workstreams],
        {
            t("plan.spent"): [ws.evm.ac / size for ws in workstreams],
            t("plan.remaining"): [max(ws.budget_krw - ws.evm.ac, 0) / size for ws in workstreams],
        },
        title="",
        alt=t("plan.spend.alt"),
        unit=unit,
        integer=False,
    )


def build(session: Session, ctx: ReportContext) -> dict[str, Any] | None:
    """Board: programme EVM figures, EAC against BAC, the cumulative curve and spend by workstream.

    Per-workstream earned value is tabulated in the pack's executive summary (status, SPI, CPI, budget, EAC) and,
    with PV, EV and AC, in the management report (`build_workstreams`); the budget page has the two charts.
    """
    summary = plan_summary(session, ctx)
    if summary is None:
        return None
    t = ctx.t
    value = summary.evm
    program_name = summary.program.name_ko if ctx.lang is Lang.ko else summary.program.name_en
    return {
        "intro": t(
            "plan.intro", program=program_name, total=t.won(summary.program.total_krw), bac=figure_money(t, value.bac)
        ),
        "figures": [
            {"label": t("plan.bac"), "value": figure_money(t, value.bac)},
            {"label": t("plan.eac"), "value": figure_money(t, value.eac)},
            {"label": t("plan.spi"), "value": index(value.spi)},
            {"label": t("plan.cpi"), "value": index(value.cpi)},
        ],
        "evm": [
            {"label": t("plan.pv"), "value": figure_money(t, value.pv)},
            {"label": t("plan.ev"), "value": figure_money(t, value.ev)},
            {"label": t("plan.ac"), "value": figure_money(t, value.ac)},
            {"label": t("plan.vac"), "value": figure_money(t, value.vac)},
        ],
        "eac_sentence": _eac_sentence(t, value),
        "curve": curve_chart(session, ctx),
        "spend": spend_chart(ctx, summary.workstreams),
    }


def _owners(session: Session, ctx: ReportContext) -> dict[str, str]:
    """Per workstream: the accountable and responsible parties from the RACI (titles, not personal names)."""
    found: dict[str, list[str]] = {}
    bodies = {
        b.code: (b.name_ko if ctx.lang is Lang.ko else b.name_en)
        for b in governance_service.list_bodies(session=session)
    }
    for assignment in governance_service.list_raci(session=session):
        if str(assignment.role) not in {"A", "R"}:
            continue
        who = assignment.member_title or bodies.get(assignment.body_code, assignment.body_code)
        found.setdefault(str(assignment.workstream), []).append(f"{who} ({assignment.role})")
    return {ws: " · ".join(parties) for ws, parties in found.items()}


def build_workstreams(session: Session, ctx: ReportContext) -> dict[str, Any] | None:
    """Management: per-workstream budget and EVM, milestone counts and owners, plus the programme line."""
    summary = plan_summary(session, ctx)
    if summary is None:
        return None
    t = ctx.t
    owners = _owners(session, ctx)
    owner_by_ws = milestones_service.owners_by_workstream(session=session)
    rows = []
    for ws in summary.workstreams:
        code = str(ws.code)
        rows.append(
            {
                **_evm_row(t, workstream_name(ctx, ws), ws.evm, ws.rag),
                "budget": ws.budget_krw,
                "done": ws.milestones.done,
                "late": ws.milestones.late,
                "milestones": ws.milestones.total,
                "owners": owners.get(code) or t("plan.no_owner"),
                "milestone_owners": owner_by_ws.get(code, []),
                "eac_sentence": _eac_sentence(t, ws.evm),
                "mismatch": not ws.weights_match_budget,
            }
        )
    return {
        "intro": t(
            "plan.intro",
            program=summary.program.name_ko if ctx.lang is Lang.ko else summary.program.name_en,
            total=t.won(summary.program.total_krw),
            bac=t.won(summary.evm.bac),
        ),
        "rows": rows,
        "total": {
            **_evm_row(t, t("plan.total"), summary.evm, summary.rag),
            "done": summary.milestones.done,
            "late": summary.milestones.late,
            "milestones": summary.milestones.total,
        },
        "mismatch": any(r["mismatch"] for r in rows),
        "spend": spend_chart(ctx, summary.workstreams),
        "years": [
            {
                "year": y.year,
                "budget": y.budget_krw,
                "spent": y.spent_krw,
                "share": f"{100 * y.spent_krw / y.budget_krw:.1f}%" if y.budget_krw else "—",
            }
            for y in summary.years
        ],
    }
