"""The controls domain in the reports: live status per regulator order, femtocell remediation, open findings.

Figures come from the newest control run (the same numbers `sectrack check` and `GET /controls/runs/{id}` show),
the findings table and the femtocell timestamps; nothing is recomputed differently here.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time
from typing import Any

from sqlmodel import Session

from reports import charts
from reports.context import ReportContext, ReportKind
from reports.facts import load_facts
from reports.i18n import register
from tracker.controls import report as data
from tracker.controls.models import SEVERITY_ORDER, ResultStatus
from tracker.types import to_seoul

# Open findings listed by name: the board sees the most pressing, management the working list.
LIST_LIMIT = {ReportKind.board: 10, ReportKind.management: 40, ReportKind.regulator: 20}

# Severity words (severity.*) are registered by reports.sections.governance, which lists the same levels.
register(
    {
        # Status words
        "control.status.pass": {"ko": "충족", "en": "Pass"},
        "control.status.fail": {"ko": "미충족", "en": "Fail"},
        "control.status.not_applicable": {"ko": "해당 없음", "en": "N/A"},
        "control.status.manual": {"ko": "확인 대기", "en": "Awaiting attestation"},
        "control.status.none": {"ko": "미점검", "en": "Not run"},
        "finding.status.open": {"ko": "미조치", "en": "Open"},
        "finding.status.in_progress": {"ko": "조치 중", "en": "In progress"},
        "finding.status.risk_accepted": {"ko": "위험 수용", "en": "Risk accepted"},
        "finding.status.closed": {"ko": "종결", "en": "Closed"},
        # Orders, live
        "orders.live_run": {
            "ko": "점검 결과는 {at}의 통제 점검(실행 #{run}, 감사 체인 #{seq} 기준)입니다. 최근 충족일은 해당 "
            "통제가 마지막으로 통과한 점검일입니다.",
            "en": "Results are from the control run of {at} (run #{run}, audit chain at #{seq}). 'Last passed' is "
            "the last run in which the control passed.",
        },
        "orders.no_run": {
            "ko": "아직 기록된 통제 점검이 없습니다. 'sectrack check'로 점검하면 명령별 결과가 이 표에 표시됩니다.",
            "en": "No control run is recorded yet; run 'sectrack check' and each order's results appear here.",
        },
        "orders.controls": {"ko": "점검 통제", "en": "Controls"},
        "orders.status": {"ko": "결과", "en": "Result"},
        "orders.evidence": {"ko": "증적", "en": "Evidence"},
        "orders.last_passed": {"ko": "최근 충족", "en": "Last passed"},
        "orders.never_passed": {"ko": "충족 이력 없음", "en": "never"},
        "orders.no_control": {"ko": "자동 점검 없음", "en": "no control"},
        # Femtocell remediation
        "section.femtocell_remediation": {"ko": "펨토셀 보안 조치 현황", "en": "Femtocell remediation"},
        "remediation.intro": {
            "ko": "규제 명령과 계획 약속을 자동 통제로 점검한 결과입니다. 수치는 {at} 점검(실행 #{run})의 "
            "결과이며, 'sectrack check'와 API가 보여주는 값과 같습니다.",
            "en": "The regulator's orders and the plan's commitments, checked as automated controls. Figures are "
            "from the run of {at} (run #{run}), the same as 'sectrack check' and the API show.",
        },
        "remediation.no_run": {
            "ko": "아직 통제 점검이 실행되지 않았습니다.",
            "en": "No control run has been recorded yet.",
        },
        "remediation.kpi.controls": {"ko": "통제 충족", "en": "Controls passing"},
        "remediation.kpi.controls_value": {"ko": "{passed} / {total}", "en": "{passed} of {total}"},
        "remediation.kpi.shared": {"ko": "공유 인증서 사용 기기", "en": "Units on shared certificates"},
        "remediation.kpi.shared_note": {"ko": "인증서 {groups}종", "en": "{groups} certificates"},
        "remediation.kpi.unauthorized": {"ko": "미인가 셀 ID 차단", "en": "Unauthorized cell ids blocked"},
        "remediation.kpi.unauthorized_value": {"ko": "{blocked} / {ids}", "en": "{blocked} of {ids}"},
        "remediation.kpi.window_note": {"ko": "최근 {days}일 접속 기준", "en": "attaches in the last {days} days"},
        "remediation.kpi.validity": {"ko": "유효기간 초과 인증서", "en": "Certificates over policy validity"},
        "remediation.kpi.validity_note": {"ko": "정책 {days}일", "en": "policy {days} days"},
        "remediation.control": {"ko": "통제", "en": "Control"},
        "remediation.severity": {"ko": "중요도", "en": "Severity"},
        "remediation.status": {"ko": "결과", "en": "Result"},
        "remediation.measured": {"ko": "측정값", "en": "Measured"},
        "remediation.threshold": {"ko": "허용", "en": "Allowed"},
        "remediation.last_passed": {"ko": "최근 충족", "en": "Last passed"},
        "remediation.fleet": {"ko": "펨토셀 상태별 대수", "en": "Femtocells by status"},
        "remediation.trend.title": {
            "ko": "사고 이후 조치 누계 (월별)",
            "en": "Remediation since the incident (cumulative, monthly)",
        },
        "remediation.trend.alt": {
            "ko": "{start} 이후 월별 누계: 차단 {blocked}대, 인증서 폐기 {revoked}건, 폐기 처리 {decommissioned}대.",
            "en": "Cumulative since {start}: {blocked} units blocked, {revoked} certificates revoked, "
            "{decommissioned} units decommissioned.",
        },
        "remediation.trend.blocked": {"ko": "차단", "en": "Blocked"},
        "remediation.trend.revoked": {"ko": "인증서 폐기", "en": "Certificates revoked"},
        "remediation.trend.decommissioned": {"ko": "폐기 처리", "en": "Decommissioned"},
        "remediation.trend.unit": {"ko": "대·건", "en": "units"},
        "remediation.runs.title": {"ko": "점검별 미충족 통제 수", "en": "Failing controls per run"},
        "remediation.runs.alt": {
            "ko": "최근 {n}회 점검의 미충족 통제 수: 처음 {first}개, 최근 {last}개.",
            "en": "Failing controls over the last {n} runs: {first} at first, {last} now.",
        },
        "remediation.runs.failed": {"ko": "미충족", "en": "Failing"},
        "remediation.runs.one": {
            "ko": "점검별 추세는 이틀 이상 점검이 쌓이면 표시됩니다 (현재 {n}일).",
            "en": "The run-by-run trend appears once runs span two days or more ({n} so far).",
        },
        "femtocell.status.registered": {"ko": "등록", "en": "Registered"},
        "femtocell.status.active": {"ko": "운용", "en": "Active"},
        "femtocell.status.suspended": {"ko": "일시 중지", "en": "Suspended"},
        "femtocell.status.blocked": {"ko": "차단", "en": "Blocked"},
        "femtocell.status.lost": {"ko": "분실", "en": "Lost"},
        "femtocell.status.decommissioned": {"ko": "폐기", "en": "Decommissioned"},
        # Findings
        "section.findings": {"ko": "미결 발견 사항", "en": "Open findings"},
        "findings.intro": {
            "ko": "미충족 통제마다 발견 사항이 열리고, 중요도별 처리 기한(SLA)이 붙습니다. 통제가 다시 충족되면 "
            "자동 종결됩니다. 미결 {open}건 중 기한 경과 {overdue}건, 위험 수용 {accepted}건, 종결 누계 {closed}건.",
            "en": "Each failing control opens a finding with a due date from its severity's SLA; it closes "
            "automatically when the control passes. {open} open, {overdue} overdue, {accepted} risk-accepted; "
            "{closed} closed so far.",
        },
        "findings.none": {"ko": "미결 발견 사항이 없습니다.", "en": "No finding is open."},
        "findings.age": {"ko": "경과 일수", "en": "Days open"},
        "findings.overdue": {"ko": "기한 경과", "en": "Overdue"},
        "findings.total": {"ko": "계", "en": "Total"},
        "findings.id": {"ko": "번호", "en": "No."},
        "findings.title": {"ko": "발견 사항", "en": "Finding"},
        "findings.owner": {"ko": "담당", "en": "Owner"},
        "findings.due": {"ko": "기한", "en": "Due"},
        "findings.status": {"ko": "상태", "en": "Status"},
        "findings.days_late": {"ko": "{n}일 경과", "en": "{n} days late"},
        "findings.more": {
            "ko": "외 {n}건은 API(/findings)에서 볼 수 있습니다.",
            "en": "{n} more in the API (/findings).",
        },
    }
)


def _status_key(status: str | None) -> str:
    return f"control.status.{status}" if status else "control.status.none"


def order_results(session: Session, ctx: ReportContext) -> dict[str, Any]:
    """Per regulator order id, its controls as of the newest run; and the note saying which run."""
    run = data.latest_run(session)
    t = ctx.t
    by_order: dict[str, list[dict[str, Any]]] = {}
    if run is not None:
        for c in data.control_statuses(session, run):
            if c.reference is None:
                continue
            by_order.setdefault(c.reference, []).append(
                {
                    "id": c.control_id,
                    "status": t(_status_key(c.status)),
                    "css": c.status or "none",
                    "evidence": c.evidence,
                    "last_passed": t.day(_seoul_day(c.last_passed_at)) if c.last_passed_at else None,
                }
            )
    note = (
        t("orders.live_run", at=t.instant(run.started_at), run=run.id, seq=run.chain_head_seq)
        if run is not None
        else t("orders.no_run")
    )
    return {"by_order": by_order, "note": note, "has_run": run is not None}


def _seoul_day(value: datetime) -> date:
    return to_seoul(value).date()


def _today(ctx: ReportContext) -> date:
    return ctx.as_of_seoul.date()


def remediation(session: Session, ctx: ReportContext) -> dict[str, Any] | None:
    """Femtocell remediation: controls pass/fail, key figures, fleet by status, trend since the incident."""
    run = data.latest_run(session)
    statuses = data.control_statuses(session, run)
    if not statuses:
        return None
    t = ctx.t
    if run is None:
        return {"intro": t("remediation.no_run"), "run": None, "controls": [], "kpis": []}
    by_evaluator = {c.evaluator: c for c in statuses}
    kpis = [
        {
            "label": t("remediation.kpi.controls"),
            "value": t("remediation.kpi.controls_value", passed=run.passed, total=run.evaluated),
            "note": "",
            "alert": run.failed > 0,
        }
    ]
    shared = by_evaluator.get("shared_certificates")
    if shared is not None and shared.status is not None:
        kpis.append(
            {
                "label": t("remediation.kpi.shared"),
                "value": f"{shared.measured or 0:,}",
                "note": t("remediation.kpi.shared_note", groups=f"{shared.details.get('groups', 0):,}"),
                "alert": shared.status == ResultStatus.failed.value,
            }
        )
    unauthorized = by_evaluator.get("unauthorized_cells")
    if unauthorized is not None and unauthorized.status is not None:
        ids = int(unauthorized.details.get("unauthorized_ids", 0))
        kpis.append(
            {
                "label": t("remediation.kpi.unauthorized"),
                "value": t(
                    "remediation.kpi.unauthorized_value",
                    blocked=f"{int(unauthorized.details.get('blocked_since', 0)):,}",
                    ids=f"{ids:,}",
                ),
                "note": t("remediation.kpi.window_note", days=unauthorized.details.get("lookback_days", "")),
                "alert": unauthorized.status == ResultStatus.failed.value,
            }
        )
    validity = by_evaluator.get("certificate_validity")
    if validity is not None and validity.status is not None:
        kpis.append(
            {
                "label": t("remediation.kpi.validity"),
                "value": f"{int(validity.details.get('validity_over_policy', 0)):,}",
                "note": t("remediation.kpi.validity_note", days=validity.details.get("max_validity_days", "")),
                "alert": validity.status == ResultStatus.failed.value,
            }
        )
    controls = [
        {
            "id": c.control_id,
            "title": c.title(ctx.lang),
            "severity": t(f"severity.{c.severity}"),
            "status": t(_status_key(c.status)),
            "css": c.status or "none",
            "measured": f"{c.measured:,}" if c.measured is not None else "—",
            "threshold": f"{c.threshold:,}" if c.threshold is not None else "—",
            "last_passed": t.day(_seoul_day(c.last_passed_at)) if c.last_passed_at else t("orders.never_passed"),
        }
        for c in statuses
    ]
    # The run's own figures when it kept them (one row, not a scan of the fleet); older runs: the live fleet.
    fleet = run.fleet["by_status"] if run.fleet else data.fleet_by_status(session)
    order = ["registered", "active", "suspended", "blocked", "lost", "decommissioned"]
    return {
        "intro": t("remediation.intro", at=t.instant(run.started_at), run=run.id),
        "run": run.id,
        "kpis": kpis,
        "controls": controls,
        "fleet": [{"status": t(f"femtocell.status.{s}"), "count": f"{fleet.get(s, 0):,}"} for s in order],
        "trend": _trend_chart(session, ctx, run),
        **_runs_chart(session, ctx),
    }


def _monthly(session: Session, run: data.RunSummary, since: date, until: datetime) -> dict[str, Counter[str]]:
    """Units blocked, certificates revoked, units decommissioned per month: the run's figures, or the live fleet's."""
    if not run.fleet:
        return data.monthly_remediation(session, since=datetime.combine(since, time(), tzinfo=UTC), until=until)
    first, last = since.strftime("%Y-%m"), until.strftime("%Y-%m")
    return {
        kind: Counter({m: n for m, n in run.fleet["monthly"].get(kind, {}).items() if first <= m <= last})
        for kind in data.REMEDIATION_KINDS
    }


def _trend_chart(session: Session, ctx: ReportContext, run: data.RunSummary) -> Any:
    """Cumulative units blocked, certificates revoked and units decommissioned per month since the incident."""
    t = ctx.t
    end = load_facts().incident.analysis_period.end
    start = date(end.year, end.month, 1)
    as_of = ctx.as_of
    months: list[date] = []
    cursor = start
    while cursor <= as_of.date():
        months.append(cursor)
        cursor = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
    monthly = _monthly(session, run, start, as_of)
    series: dict[str, list[float | None]] = {}
    totals: dict[str, int] = {}
    for key in ("blocked", "revoked", "decommissioned"):
        running = 0
        points: list[float | None] = []
        for m in months:
            running += monthly[key].get(m.strftime("%Y-%m"), 0)
            points.append(running)
        series[t(f"remediation.trend.{key}")] = points
        totals[key] = running
    if len(months) < 2:
        return None
    return charts.line_over_time(
        months,
        series,
        title=t("remediation.trend.title"),
        alt=t(
            "remediation.trend.alt",
            start=t.month(start.strftime("%Y-%m")),
            **{k: f"{v:,}" for k, v in totals.items()},
        ),
        unit=t("remediation.trend.unit"),
        # Shorter than the default: the controls table, this chart and the fleet row fit one page.
        height_in=1.6,
    )


def _runs_chart(session: Session, ctx: ReportContext) -> dict[str, Any]:
    t = ctx.t
    runs = data.run_trend(session)
    # One point per day (the newest run of each): runs repeated within a day add nothing to a trend.
    by_day = {r.started_at.date(): r for r in runs}
    runs = list(by_day.values())
    if len(runs) < 2:
        return {"runs_chart": None, "runs_note": t("remediation.runs.one", n=len(runs))}
    chart = charts.line_over_time(
        [r.started_at.date() for r in runs],
        {t("remediation.runs.failed"): [float(r.failed) for r in runs]},
        title=t("remediation.runs.title"),
        alt=t("remediation.runs.alt", n=len(runs), first=runs[0].failed, last=runs[-1].failed),
    )
    return {"runs_chart": chart, "runs_note": None}


def findings(session: Session, ctx: ReportContext) -> dict[str, Any] | None:
    """Open findings by severity and age, the overdue ones, and the most pressing by name."""
    t = ctx.t
    today = _today(ctx)
    ages = data.finding_ages(session, today)
    if ages.total_open == 0 and ages.closed == 0:
        return None
    limit = LIST_LIMIT.get(ctx.kind, 10)
    rows, total = data.open_findings(session, limit=limit)
    # A finding's stored title is the control's English one; show the control's title in the report's language.
    titles = {c.control_id: c.title(ctx.lang) for c in data.control_statuses(session, None)}
    table: list[dict[str, Any]] = [
        {
            "severity": t(f"severity.{s.value}"),
            "buckets": list(ages.counts[s.value].values()),
            "overdue": ages.overdue[s.value],
            "total": sum(ages.counts[s.value].values()),
        }
        for s in SEVERITY_ORDER
    ]
    overdue = sum(ages.overdue.values())
    return {
        "intro": t(
            "findings.intro", open=ages.total_open, overdue=overdue, accepted=ages.risk_accepted, closed=ages.closed
        ),
        "buckets": [b for b, _, _ in data.AGE_BUCKETS],
        "table": table,
        "totals": {
            "buckets": [sum(r["buckets"][i] for r in table) for i in range(len(data.AGE_BUCKETS))],
            "overdue": overdue,
            "total": ages.total_open,
        },
        "rows": [
            {
                "id": f.id,
                "control": f.control_id,
                "title": titles.get(f.control_id, f.title),
                "severity": t(f"severity.{f.severity}"),
                "owner": f.owner,
                "due": t.day(f.due_on),
                "late": t("findings.days_late", n=(today - f.due_on).days) if f.due_on < today else "",
                "status": t(f"finding.status.{f.status}"),
            }
            for f in rows
        ],
        "more": t("findings.more", n=total - len(rows)) if total > len(rows) else None,
        "open": ages.total_open,
        "overdue": overdue,
    }
