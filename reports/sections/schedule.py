"""Milestones in the reports: what is late and what it holds up, the critical path, the regulator's prevention plan,
and (management) everything overdue by owner.

Lateness, the dependents a late milestone delays and the critical path come from `tracker.milestones.service`
(`late`, `critical_path`: the networkx graph of the plan), as of the report day in Seoul. Milestone titles are user
text: templates print them autoescaped.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from reports.context import ReportContext
from reports.i18n import Lang, register
from reports.sections.plan import report_day
from tracker.governance import service as governance_service
from tracker.milestones import service as milestones_service
from tracker.milestones.models import MilestonePublic, MilestoneStatus
from tracker.plan import service as plan_service

# Rows printed per table (WeasyPrint pays per row; the rest is counted, and the API lists them all).
MAX_LATE = 6
MAX_DELAYED_NAMED = 3
MAX_OVERDUE = 25

register(
    {
        "section.late_milestones": {"ko": "지연 마일스톤과 영향", "en": "Late milestones and what they delay"},
        "section.prevention_plan": {"ko": "재발 방지 대책 이행 일정", "en": "The prevention plan's milestones"},
        "section.overdue": {"ko": "기한 경과 항목 (담당자별)", "en": "Overdue items by owner"},
        "late.intro": {
            "ko": "{day} 기준 지연 마일스톤은 {n}건입니다. 기준 일정이 지났는데 완료되지 않았거나, 예상 완료일이 "
            "기준 일정보다 늦은 마일스톤을 지연으로 봅니다.",
            "en": "{n} milestone(s) late as of {day}: past their baseline date and not done, or forecast to finish "
            "after it.",
        },
        "late.none": {"ko": "지연된 마일스톤이 없습니다.", "en": "No milestone is late."},
        "late.more": {
            "ko": "그 밖의 지연 마일스톤 {n}건은 API(/milestones?late=true)에서 확인할 수 있습니다.",
            "en": "{n} more late milestone(s) are listed by the API (/milestones?late=true).",
        },
        "late.code": {"ko": "코드", "en": "Code"},
        "late.milestone": {"ko": "마일스톤", "en": "Milestone"},
        "late.owner": {"ko": "담당", "en": "Owner"},
        "late.baseline": {"ko": "기준일", "en": "Baseline"},
        "late.expected": {"ko": "예상 완료", "en": "Expected"},
        "late.days": {"ko": "지연", "en": "Late"},
        "late.delays": {"ko": "영향받는 후속 마일스톤", "en": "Holds up"},
        "late.delays.more": {"ko": "외 {n}건", "en": "and {n} more"},
        "late.delays.none": {"ko": "없음", "en": "none"},
        "late.misses": {"ko": "기준일 초과 예상", "en": "now misses its baseline"},
        "path.title": {"ko": "주공정 (계획 종료까지)", "en": "Critical path to the programme's end"},
        "path.intro": {
            "ko": "계획 종료({target})까지 여유가 가장 적은 마일스톤의 연쇄입니다. "
            "예상 종료 {finish}, 기준 {baseline}.",
            "en": "The chain of driving milestones to the programme's end ({target}): expected to finish "
            "{finish} against a baseline of {baseline}.",
        },
        "path.none": {"ko": "일정이 기록되지 않았습니다.", "en": "No schedule recorded."},
        "path.finish": {"ko": "최조 완료일", "en": "Earliest finish"},
        "path.float": {"ko": "여유(일)", "en": "Float (days)"},
        "path.status": {"ko": "상태", "en": "Status"},
        "path.float_days": {"ko": "여유 {n}일", "en": "float {n} d"},
        "path.legend": {
            "ko": "각 단계: 코드, 마일스톤 (상태, 최조 완료일, 여유). 빨간색은 기준일보다 늦게 끝날 단계입니다.",
            "en": "Each step: code, milestone (status, earliest finish, float). Red steps finish after their baseline.",
        },
        "late.delays.count": {
            "ko": "{total}건 (그중 {missing}건 기준일 초과)",
            "en": "{total} ({missing} now miss their baseline)",
        },
        "status.planned": {"ko": "계획", "en": "planned"},
        "status.in_progress": {"ko": "진행 중", "en": "in progress"},
        "status.done": {"ko": "완료", "en": "done"},
        "status.cancelled": {"ko": "취소", "en": "cancelled"},
        "prevention.intro": {
            "ko": "과학기술정보통신부의 조치 명령과 요구(재발 방지 대책 제출, 이행 점검)에서 나온 마일스톤입니다. "
            "{day} 기준 {total}건 중 {done}건 완료, {late}건 지연.",
            "en": "Milestones that come from the Ministry of Science and ICT's orders and requirements (the "
            "prevention plan, the execution check). As of {day}: {done} of {total} done, {late} late.",
        },
        "prevention.source": {"ko": "근거", "en": "Basis"},
        "prevention.forecast": {"ko": "예상·완료일", "en": "Forecast / done"},
        "prevention.progress": {"ko": "진척", "en": "Progress"},
        "prevention.late": {"ko": "지연 {n}일", "en": "{n} days late"},
        "overdue.intro": {
            "ko": "{day} 기준 기준일이 지난 미완료 마일스톤 {milestones}건과 기한이 지난 조치 {actions}건입니다.",
            "en": "As of {day}: {milestones} open milestone(s) past their baseline date and {actions} action "
            "item(s) past due.",
        },
        "overdue.milestones": {"ko": "기준일이 지난 마일스톤", "en": "Milestones past their baseline"},
        "overdue.actions": {"ko": "기한이 지난 조치", "en": "Actions past due"},
        "overdue.none": {"ko": "없음", "en": "None."},
        "overdue.due": {"ko": "기한", "en": "Due"},
        "overdue.item": {"ko": "항목", "en": "Item"},
    }
)


def _title(ctx: ReportContext, m: MilestonePublic) -> str:
    return m.title_ko if ctx.lang is Lang.ko else m.title_en


def build_late(session: Session, ctx: ReportContext) -> dict[str, Any] | None:
    """Late milestones (most late first) with the open milestones each holds up, and the critical path."""
    if plan_service.find_program(session=session) is None:
        return None
    t = ctx.t
    day = report_day(ctx)
    late = milestones_service.late(session=session, as_of=day)
    rows = []
    for item in late[:MAX_LATE]:
        m = item.milestone
        named = item.delays[:MAX_DELAYED_NAMED]
        rows.append(
            {
                "code": m.code,
                "title": _title(ctx, m),
                "owner": m.owner,
                "baseline": t.day(m.baseline_date),
                "expected": t.day(item.expected_finish),
                "days": t("exec.days", n=item.days_late),
                "delays": [
                    {
                        "code": d.code,
                        "title": d.title_ko if ctx.lang is Lang.ko else d.title_en,
                        "misses": d.misses_baseline,
                    }
                    for d in named
                ],
                "delays_more": len(item.delays) - len(named),
                "delays_missing": sum(1 for d in item.delays if d.misses_baseline),
                "delays_total": len(item.delays),
            }
        )
    path = milestones_service.critical_path(session=session)
    steps = path.steps
    return {
        "intro": t("late.intro", day=t.day(day), n=len(late)),
        "count": len(late),
        "rows": rows,
        "more": len(late) - len(rows),
        "path_intro": (
            t(
                "path.intro",
                target=path.target_code,
                finish=t.day(path.finish),
                baseline=t.day(path.baseline_date),
            )
            if path.finish is not None and path.baseline_date is not None
            else t("path.none")
        ),
        "path": [
            {
                "code": s.code,
                "title": s.title_ko if ctx.lang is Lang.ko else s.title_en,
                "status": t(f"status.{MilestoneStatus(s.status).value}"),
                "finish": t.day(s.earliest_finish),
                "baseline": t.day(s.baseline_date),
                "float": s.float_days,
                "late": s.earliest_finish > s.baseline_date,
            }
            for s in steps
        ],
    }


def build_prevention_plan(session: Session, ctx: ReportContext) -> dict[str, Any] | None:
    """Every milestone from the regulator's orders: baseline, forecast or actual, status, progress, source."""
    milestones = milestones_service.regulatory(session=session)
    if not milestones:
        return None
    t = ctx.t
    day = report_day(ctx)
    late_ids = {item.milestone.id: item.days_late for item in milestones_service.late(session=session, as_of=day)}
    done = sum(1 for m in milestones if m.actual_date is not None and m.actual_date <= day)
    return {
        "intro": t(
            "prevention.intro",
            day=t.day(day),
            total=len(milestones),
            done=done,
            late=sum(1 for m in milestones if m.id in late_ids),
        ),
        "rows": [
            {
                "code": m.code,
                "title": _title(ctx, m),
                "source": m.source,
                "baseline": t.day(m.baseline_date),
                "forecast": t.day(m.actual_date) if m.actual_date is not None else t.day(m.forecast_date),
                "done": m.actual_date is not None,
                "status": t(f"status.{MilestoneStatus(m.status).value}"),
                "percent": m.percent_complete,
                "late": t("prevention.late", n=late_ids[m.id]) if m.id in late_ids else None,
            }
            for m in milestones
        ],
    }


def build_overdue(session: Session, ctx: ReportContext) -> dict[str, Any] | None:
    """Management: open milestones past their baseline and overdue action items, grouped by owner."""
    if plan_service.find_program(session=session) is None:
        return None
    t = ctx.t
    day = report_day(ctx)
    milestones = [
        item
        for item in milestones_service.late(session=session, as_of=day)
        if item.milestone.actual_date is None and item.milestone.baseline_date < day
    ]
    actions = [
        a for a in governance_service.actions_due(session=session, today=day, horizon_days=0, limit=500) if a.overdue
    ]
    by_owner: dict[str, list[dict[str, Any]]] = {}
    for item in milestones:
        m = item.milestone
        by_owner.setdefault(m.owner, []).append(
            {
                "kind": t("overdue.milestones"),
                "title": f"{m.code} · {_title(ctx, m)}",
                "due": t.day(m.baseline_date),
                "days": item.days_late,
            }
        )
    for a in actions:
        by_owner.setdefault(a.owner, []).append(
            {"kind": t("overdue.actions"), "title": a.title, "due": t.day(a.due_on), "days": a.days_late}
        )
    owners = sorted(by_owner.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    rows = []
    for owner, items in owners:
        for entry in sorted(items, key=lambda e: -e["days"]):
            rows.append({"owner": owner, **entry, "days": t("exec.days", n=entry["days"])})
    return {
        "intro": t("overdue.intro", day=t.day(day), milestones=len(milestones), actions=len(actions)),
        "rows": rows[:MAX_OVERDUE],
        "more": max(len(rows) - MAX_OVERDUE, 0),
    }
