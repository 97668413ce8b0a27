"""The board pack's one-page executive summary: a RAG status per workstream and the handful of figures behind it.

The RAG rule (printed under the table, so the board reads the rule with the colours):
1. Earned value (`tracker.plan.evm.rag`): green when SPI and CPI are both at least 0.95, amber when the worse is at
   least 0.85, red below; an index with nothing planned or spent yet is left out.
2. Milestones: a workstream with a late milestone is at least amber; one late by more than `LATE_RED_DAYS` days
   makes it red.
The status is the worse of the two. "Not started": no index defined yet and no milestone late.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlmodel import Session

from reports.context import ReportContext
from reports.i18n import register
from reports.sections.plan import figure_money, index, plan_summary, rag_label, report_day, table_money, workstream_name
from tracker.governance import service as governance_service
from tracker.kpis import service as kpis_service
from tracker.milestones import service as milestones_service
from tracker.plan.evm import Rag
from tracker.zero_trust import service as zero_trust_service

LATE_RED_DAYS = 90
# Actions due within this many days count as "due soon" on the summary page.
DUE_SOON_DAYS = 30

_RANK = {Rag.not_started: 0, Rag.green: 1, Rag.amber: 2, Rag.red: 3}

register(
    {
        "section.executive_summary": {"ko": "요약", "en": "Executive summary"},
        "exec.intro": {
            "ko": "{day} 기준 정보보안 혁신 계획의 전체 상태는 '{rag}'입니다. 지연 마일스톤 {late}건, 기한이 지난 "
            "조치 {overdue}건이 있습니다.",
            "en": "As of {day} the programme is {rag}: {late} milestone(s) late and {overdue} action item(s) overdue.",
        },
        "exec.workstreams": {"ko": "과제별 상태", "en": "Status by workstream"},
        "exec.late": {"ko": "지연 마일스톤", "en": "Late milestones"},
        "exec.worst": {"ko": "최장 지연", "en": "Most late"},
        "exec.days": {"ko": "{n}일", "en": "{n} days"},
        "exec.overdue_actions": {"ko": "기한 경과 조치", "en": "Overdue actions"},
        "exec.due_actions": {"ko": "{n}일 내 기한 조치", "en": "Actions due in {n} days"},
        "exec.zt_met": {"ko": "제로트러스트 목표 달성 영역", "en": "Zero-trust pillars at this year's target"},
        "exec.kpi_met": {"ko": "목표 달성 KPI", "en": "KPIs meeting this year's target"},
        "exec.of": {"ko": "{n} / {total}", "en": "{n} of {total}"},
        "exec.next_board": {"ko": "다음 이사회", "en": "Next board meeting"},
        "exec.none": {"ko": "예정 없음", "en": "none scheduled"},
        "exec.rule": {
            "ko": "상태 판정 기준: 일정성과지수(SPI)와 원가성과지수(CPI)가 모두 0.95 이상이면 양호, 낮은 쪽이 0.85 "
            "이상이면 주의, 그 미만이면 위험입니다. 지연 마일스톤이 있으면 최소 주의, {days}일을 넘게 지연된 "
            "마일스톤이 있으면 위험입니다. 두 기준 중 나쁜 쪽을 따릅니다. 착수 전: 아직 계획가치와 집행이 없고 "
            "지연도 없음.",
            "en": "Status rule: green when SPI and CPI are both at least 0.95, amber when the worse is at least "
            "0.85, red below. A late milestone makes a workstream at least amber; one late by more than {days} "
            "days makes it red. The worse of the two applies. Not started: nothing planned or spent yet and "
            "nothing late.",
        },
    }
)


def combined_rag(evm_rag: Rag, days_late: Iterable[int]) -> Rag:
    """The worse of the earned-value RAG and the milestone RAG (see the module docstring)."""
    late = [d for d in days_late if d > 0]
    if not late:
        schedule = Rag.not_started
    elif max(late) > LATE_RED_DAYS:
        schedule = Rag.red
    else:
        schedule = Rag.amber
    return max(Rag(evm_rag), schedule, key=lambda r: _RANK[r])


def late_by_workstream(session: Session, ctx: ReportContext) -> dict[str, list[int]]:
    """Days late of every late milestone, per workstream, as of the report day."""
    out: dict[str, list[int]] = defaultdict(list)
    for item in milestones_service.late(session=session, as_of=report_day(ctx)):
        out[str(item.milestone.workstream)].append(item.days_late)
    return out


def build(session: Session, ctx: ReportContext) -> dict[str, Any] | None:
    """Programme status, one row per workstream (RAG, SPI, CPI, late milestones), and key governance figures."""
    summary = plan_summary(session, ctx)
    if summary is None:
        return None
    t = ctx.t
    day = report_day(ctx)
    late = late_by_workstream(session, ctx)
    rows = []
    for ws in summary.workstreams:
        days = late.get(str(ws.code), [])
        rag = combined_rag(ws.rag, days)
        rows.append(
            {
                "name": workstream_name(ctx, ws),
                "rag": rag.value,
                "rag_label": rag_label(t, rag),
                "spi": index(ws.evm.spi),
                "cpi": index(ws.evm.cpi),
                "budget": table_money(t, ws.budget_krw),
                "eac": table_money(t, ws.evm.eac),
                "late": len(days),
                "worst": t("exec.days", n=max(days)) if days else "—",
            }
        )
    all_late = [d for days in late.values() for d in days]
    program_rag = combined_rag(summary.rag, all_late)
    overdue, due_soon = governance_service.open_actions_counts(session=session, today=day, horizon_days=DUE_SOON_DAYS)
    zt = zero_trust_service.summary(session=session, year=day.year, as_of=day)
    zt_targets = [p for p in zt.pillars if p.met is not None]
    kpis = [k for k in kpis_service.latest(session=session, as_of=day) if k.met is not None]
    meeting = governance_service.board_meeting_for_pack(session=session, today=day)
    next_board = meeting.scheduled_on if meeting is not None and meeting.scheduled_on >= day else None
    return {
        "intro": t("exec.intro", day=t.day(day), rag=rag_label(t, program_rag), late=len(all_late), overdue=overdue),
        "program_rag": program_rag.value,
        "program_rag_label": rag_label(t, program_rag),
        "figures": [
            {"label": t("plan.bac"), "value": figure_money(t, summary.evm.bac)},
            {"label": t("plan.eac"), "value": figure_money(t, summary.evm.eac)},
            {"label": t("plan.spi"), "value": index(summary.evm.spi)},
            {"label": t("plan.cpi"), "value": index(summary.evm.cpi)},
        ],
        "rows": rows,
        "total": {
            "name": t("plan.total"),
            "rag": program_rag.value,
            "rag_label": rag_label(t, program_rag),
            "spi": index(summary.evm.spi),
            "cpi": index(summary.evm.cpi),
            "budget": table_money(t, summary.budget_krw),
            "eac": table_money(t, summary.evm.eac),
            "late": len(all_late),
            "worst": t("exec.days", n=max(all_late)) if all_late else "—",
        },
        "facts": [
            {"label": t("exec.late"), "value": str(len(all_late))},
            {"label": t("exec.overdue_actions"), "value": str(overdue)},
            {"label": t("exec.due_actions", n=DUE_SOON_DAYS), "value": str(due_soon)},
            {
                "label": t("exec.zt_met"),
                "value": t("exec.of", n=sum(1 for p in zt_targets if p.met), total=len(zt_targets)),
            },
            {"label": t("exec.kpi_met"), "value": t("exec.of", n=sum(1 for k in kpis if k.met), total=len(kpis))},
            {"label": t("exec.next_board"), "value": t.day(next_board) if next_board else t("exec.none")},
        ],
        "rule": t("exec.rule", days=LATE_RED_DAYS),
    }
