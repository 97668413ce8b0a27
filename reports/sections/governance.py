"""Governance in the reports: actions due and overdue, decisions requested of the board, the review record, and the
public commitments register.

"Decisions requested" is the agenda of the board meeting the pack is for (`ctx.review_id` when the pack is made for
a meeting, else the next board meeting not yet held): its prepared agenda snapshot, or, before preparation, the
agenda the sources give as of the report instant. The decisions of the latest board meeting held follow, with
their open actions. All from `tracker.governance.service` (counts in SQL) as of the report day in Seoul.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from reports.context import ReportContext
from reports.i18n import Lang, register
from reports.sections.plan import report_day
from tracker.commitments import service as commitments_service
from tracker.governance import service as governance_service
from tracker.governance.items import Severity

DUE_DAYS = 30
MAX_ACTIONS = 10
MAX_AGENDA = 8
MAX_DECISIONS = 6
MAX_COMMITMENTS = 60

register(
    {
        "section.actions_due": {"ko": "조치 사항: 기한 경과와 임박", "en": "Actions due and overdue"},
        "section.decisions_requested": {"ko": "의결·보고 요청 사항", "en": "Decisions requested"},
        "section.governance_record": {"ko": "거버넌스 이행 기록", "en": "Governance record"},
        "section.commitments_register": {"ko": "고객 보호 조치 이행 대장", "en": "Customer commitments register"},
        "actions.intro": {
            "ko": "{day} 기준 미완료 조치 중 기한이 지난 {overdue}건과 {days}일 안에 기한이 오는 {due}건입니다.",
            "en": "Open action items as of {day}: {overdue} overdue and {due} due within {days} days.",
        },
        "actions.title": {"ko": "조치", "en": "Action"},
        "actions.owner": {"ko": "담당", "en": "Owner"},
        "actions.due": {"ko": "기한", "en": "Due"},
        "actions.state": {"ko": "상태", "en": "Status"},
        "actions.overdue": {"ko": "{n}일 경과", "en": "{n} days overdue"},
        "actions.upcoming": {"ko": "예정", "en": "due"},
        "actions.none": {"ko": "기한이 지났거나 임박한 조치가 없습니다.", "en": "No action is overdue or due soon."},
        "actions.more": {
            "ko": "그 밖의 {n}건은 sectrack due에서 확인할 수 있습니다.",
            "en": "{n} more are listed by 'sectrack due'.",
        },
        "decisions.meeting": {
            "ko": "{body} {date} 회의({status})에 올릴 안건입니다.",
            "en": "Matters for the {body} meeting of {date} ({status}).",
        },
        "decisions.prepared": {"ko": "회의 준비 시 확정된 안건", "en": "the agenda fixed when it was prepared"},
        "decisions.live": {
            "ko": "보고서 기준 시각의 자동 안건",
            "en": "the agenda as generated at the report's as-of time",
        },
        "decisions.no_meeting": {"ko": "예정된 이사회 회의가 없습니다.", "en": "No board meeting is scheduled."},
        "decisions.none": {"ko": "안건이 없습니다.", "en": "Nothing on the agenda."},
        "decisions.severity": {"ko": "중요도", "en": "Priority"},
        "decisions.matter": {"ko": "안건", "en": "Matter"},
        "decisions.more": {"ko": "그 밖의 안건 {n}건", "en": "{n} more agenda item(s)"},
        "decisions.previous": {"ko": "직전 이사회 결정 ({date})", "en": "Decisions of the last board meeting ({date})"},
        "decisions.number": {"ko": "번호", "en": "No."},
        "decisions.text": {"ko": "결정", "en": "Decision"},
        "decisions.open_actions": {"ko": "미완료 조치", "en": "Open actions"},
        "decisions.no_previous": {"ko": "개최된 이사회 결정 기록이 없습니다.", "en": "No board decision recorded yet."},
        "severity.critical": {"ko": "긴급", "en": "critical"},
        "severity.high": {"ko": "높음", "en": "high"},
        "severity.medium": {"ko": "보통", "en": "medium"},
        "severity.low": {"ko": "낮음", "en": "low"},
        "severity.info": {"ko": "참고", "en": "info"},
        "review_status.scheduled": {"ko": "예정", "en": "scheduled"},
        "review_status.held": {"ko": "개최", "en": "held"},
        "review_status.missed": {"ko": "미개최", "en": "missed"},
        "review_status.signed_off": {"ko": "승인 완료", "en": "signed off"},
        "record.intro": {
            "ko": "{day}까지 예정된 검토 회의의 개최 실적과 이사회 보고 자료 배포 기록입니다.",
            "en": "Review meetings due up to {day}, whether they were held, and the board packs distributed.",
        },
        "record.body": {"ko": "회의체", "en": "Body"},
        "record.due": {"ko": "예정", "en": "Due"},
        "record.held": {"ko": "개최", "en": "Held"},
        "record.missed": {"ko": "미개최", "en": "Missed"},
        "record.signed_off": {"ko": "승인", "en": "Signed off"},
        "record.next": {"ko": "다음 회의", "en": "Next meeting"},
        "record.packs": {"ko": "이사회 보고 자료", "en": "Board packs"},
        "record.packs.text": {
            "ko": "보관된 판 {versions}개(회의 {meetings}건), 배포 {sent}회(수신자 {recipients}명).",
            "en": "{versions} version(s) archived for {meetings} meeting(s); {sent} distribution(s) to "
            "{recipients} recipient(s).",
        },
        "record.packs.latest": {"ko": "최근 작성: {when}", "en": "Latest generated {when}"},
        "record.none": {"ko": "—", "en": "—"},
        "commitments.intro": {
            "ko": "KT가 공표한 고객 보호 조치의 이행 대장입니다. {day} 기준 {total}건 중 {met}건 이행, {overdue}건 "
            "기한 경과.",
            "en": "The register of KT's announced customer measures. As of {day}: {met} of {total} met, {overdue} "
            "overdue.",
        },
        "commitments.title": {"ko": "조치", "en": "Commitment"},
        "commitments.window": {"ko": "기간·기한", "en": "Window / due"},
        "commitments.owner": {"ko": "담당", "en": "Owner"},
        "commitments.status": {"ko": "상태", "en": "Status"},
        "commitments.measured": {"ko": "측정값·증적", "en": "Measured · evidence"},
        "commitments.evidence": {"ko": "증적 {n}건", "en": "{n} evidence item(s)"},
        "commitments.overdue": {"ko": "기한 경과 {n}일", "en": "{n} days overdue"},
        "commitments.status.planned": {"ko": "예정", "en": "planned"},
        "commitments.status.in_progress": {"ko": "진행 중", "en": "in progress"},
        "commitments.status.met": {"ko": "이행", "en": "met"},
        "commitments.status.withdrawn": {"ko": "철회", "en": "withdrawn"},
        "commitments.met_on": {"ko": "{date} 이행", "en": "met {date}"},
    }
)


def build_actions(session: Session, ctx: ReportContext) -> dict[str, Any] | None:
    """Open action items overdue or due within 30 days (oldest due first), with the totals."""
    t = ctx.t
    day = report_day(ctx)
    overdue, due = governance_service.open_actions_counts(session=session, today=day, horizon_days=DUE_DAYS)
    actions = governance_service.actions_due(session=session, today=day, horizon_days=DUE_DAYS, limit=MAX_ACTIONS)
    return {
        "intro": t("actions.intro", day=t.day(day), overdue=overdue, due=due, days=DUE_DAYS),
        "rows": [
            {
                "title": a.title,
                "owner": a.owner,
                "due": t.day(a.due_on),
                "overdue": a.overdue,
                "state": t("actions.overdue", n=a.days_late) if a.overdue else t("actions.upcoming"),
            }
            for a in actions
        ],
        "more": max(overdue + due - len(actions), 0),
    }


def build_decisions(session: Session, ctx: ReportContext) -> dict[str, Any] | None:
    """The agenda of the board meeting this pack is for, and the last board meeting's decisions."""
    t = ctx.t
    day = report_day(ctx)
    review_id = ctx.review_id
    if review_id is None:
        meeting = governance_service.board_meeting_for_pack(session=session, today=day)
        review_id = meeting.id if meeting is not None else None
    out: dict[str, Any] = {"meeting": None, "agenda": [], "more": 0}
    if review_id is not None:
        agenda = governance_service.meeting_agenda(session=session, review_id=review_id, as_of=ctx.as_of, today=day)
        body = agenda.body_name_ko if ctx.lang is Lang.ko else agenda.body_name_en
        out["meeting"] = t(
            "decisions.meeting",
            body=body,
            date=t.day(agenda.review.scheduled_on),
            status=t(f"review_status.{agenda.review.status.value}"),
        )
        out["basis"] = t("decisions.prepared") if agenda.prepared else t("decisions.live")
        out["agenda"] = [
            {
                "severity": t(f"severity.{Severity(i.severity).value}"),
                "urgent": Severity(i.severity) in (Severity.critical, Severity.high),
                "title": i.title,
                "owner": i.owner or "—",
                "due": t.day(i.due_on) if i.due_on else "—",
                "status": i.status,
            }
            for i in agenda.items[:MAX_AGENDA]
        ]
        out["more"] = max(len(agenda.items) - MAX_AGENDA, 0)
    previous, decisions = governance_service.latest_decisions(session=session, today=day, limit=MAX_DECISIONS)
    out["previous"] = t("decisions.previous", date=t.day(previous.held_on)) if previous and previous.held_on else None
    out["decisions"] = [{"number": d.number, "text": d.text, "open": d.open_actions} for d in decisions]
    return out


def build_record(session: Session, ctx: ReportContext) -> dict[str, Any] | None:
    """Per body: meetings due, held, missed, signed off, next meeting; and the board-pack archive's counts."""
    t = ctx.t
    day = report_day(ctx)
    bodies = governance_service.governance_record(session=session, today=day)
    if not bodies:
        return None
    packs = governance_service.board_pack_record(session=session)
    return {
        "intro": t("record.intro", day=t.day(day)),
        "rows": [
            {
                "name": b.name_ko if ctx.lang is Lang.ko else b.name_en,
                "due": b.due,
                "held": b.held,
                "missed": b.missed,
                "signed_off": b.signed_off,
                "next": t.day(b.next_meeting) if b.next_meeting else t("record.none"),
            }
            for b in bodies
        ],
        "packs": t(
            "record.packs.text",
            versions=packs.versions,
            meetings=packs.meetings,
            sent=packs.distributions,
            recipients=packs.recipients,
        ),
        "packs_latest": t("record.packs.latest", when=t.instant(packs.latest_generated_at))
        if packs.latest_generated_at
        else None,
    }


def build_commitments(session: Session, ctx: ReportContext) -> dict[str, Any] | None:
    """The commitments register: window or due date, owner, status (overdue as of the report day), measures."""
    t = ctx.t
    day = report_day(ctx)
    page = commitments_service.list(session=session, today=day, limit=MAX_COMMITMENTS)
    items = page.items
    if not items:
        return None
    rows = []
    for c in items:
        # A window prints on two lines (start –, end): a one-line range does not fit the column.
        window = [f"{t.day(c.window_start)} –", t.day(c.due_on)] if c.window_start else [t.day(c.due_on)]
        status = t(f"commitments.status.{c.status.value}")
        if c.met_on is not None:
            status = t("commitments.met_on", date=t.day(c.met_on))
        rows.append(
            {
                "code": c.code,
                "title": c.title_ko if ctx.lang is Lang.ko else c.title_en,
                "window": window,
                "owner": c.owner,
                "status": status,
                "overdue": t("commitments.overdue", n=c.days_late) if c.overdue else None,
                "measured": [f"{m.metric}: {m.value:,} {m.unit}" for m in c.measured],
                "evidence": t("commitments.evidence", n=c.evidence_count) if c.evidence_count else None,
            }
        )
    return {
        "intro": t(
            "commitments.intro",
            day=t.day(day),
            total=len(items),
            met=sum(1 for c in items if c.status.value == "met"),
            overdue=sum(1 for c in items if c.overdue),
        ),
        "rows": rows,
    }
