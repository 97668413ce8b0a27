"""The `replacement` report section: legacy-equipment burn-down, per-wave table, forecast completion, late waves.

Figures come from `inventory.replacement.service.status` (SQL aggregates) for the report's as-of date in Seoul; for a
past instant the report runs this against the snapshot rebuilt from the audit chain (waves and equipment are audited
with their full row state), so the figures are those of that day.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from inventory.replacement import service
from inventory.replacement.models import ForecastState, Progress, ReplacementStatus
from reports import charts, i18n
from reports.context import ReportContext
from tracker.plan.models import BudgetLine

i18n.register(
    {
        "section.replacement": {"ko": "노후 장비 교체 현황", "en": "Legacy-equipment replacement"},
        "replacement.intro": {
            "ko": "노후 장비를 차수(웨이브)별로 교체합니다. 계획은 장비별 목표일(없으면 차수 종료일), 실적은 교체 "
            "완료일 기준이며, 완료 예상일은 최근 {days}일간의 교체 속도로 산출했습니다.",
            "en": "Legacy equipment is replaced in waves. Planned counts use each item's target date (else its "
            "wave's end), actual counts the replacement date; the forecast completion extrapolates the rate of "
            "the last {days} days.",
        },
        "replacement.items": {"ko": "교체 대상 장비", "en": "Items in waves"},
        "replacement.items_short": {"ko": "대상", "en": "Items"},
        "replacement.replaced": {"ko": "교체 완료", "en": "Replaced"},
        "replacement.remaining": {"ko": "잔여", "en": "Remaining"},
        "replacement.forecast": {"ko": "완료 예상일", "en": "Forecast completion"},
        "replacement.target": {"ko": "목표 완료일", "en": "Target completion"},
        "replacement.rate": {
            "ko": "최근 {days}일 교체 {recent}대 (분기당 {rate}대)",
            "en": "{recent} replaced in the last {days} days ({rate} per quarter)",
        },
        "replacement.no_forecast": {"ko": "예측 불가", "en": "No forecast"},
        "replacement.no_rate": {
            "ko": "최근 {days}일간 교체 실적이 없어 완료 예상일을 산출할 수 없습니다.",
            "en": "Nothing was replaced in the last {days} days, so no completion date can be forecast.",
        },
        "replacement.burn_down": {
            "ko": "잔여 장비 추이 (계획 대비 실적, 예측)",
            "en": "Burn-down: planned, actual, forecast",
        },
        "replacement.chart.alt": {
            "ko": "분기별 잔여 장비 수: 계획 {planned}, 실적 {actual}, 완료 예상일 {forecast}",
            "en": "Remaining items by quarter: planned {planned}, actual {actual}, forecast completion {forecast}",
        },
        "replacement.series.planned": {"ko": "계획 잔여", "en": "Planned remaining"},
        "replacement.series.actual": {"ko": "실적 잔여", "en": "Actual remaining"},
        "replacement.series.forecast": {"ko": "예측", "en": "Forecast"},
        "replacement.unit": {"ko": "대", "en": "items"},
        "replacement.waves": {"ko": "차수별 현황", "en": "Waves"},
        "replacement.wave": {"ko": "차수", "en": "Wave"},
        "replacement.window": {"ko": "목표 기간", "en": "Target window"},
        "replacement.budget": {"ko": "예산", "en": "Budget"},
        "replacement.budget_line": {"ko": "{year}년 {amount}", "en": "{year}, {amount}"},
        "replacement.programme": {"ko": "전체", "en": "Programme"},
        "replacement.status": {"ko": "상태", "en": "Status"},
        "replacement.state.late": {"ko": "지연 (목표일 경과)", "en": "Late (target passed)"},
        "replacement.state.behind": {"ko": "지연 예상", "en": "Behind"},
        "replacement.state.on_track": {"ko": "정상", "en": "On track"},
        "replacement.state.complete": {"ko": "완료", "en": "Complete"},
        "replacement.state.not_started": {"ko": "착수 전", "en": "Not started"},
        "replacement.state.empty": {"ko": "대상 없음", "en": "No items"},
        "replacement.late_waves": {"ko": "지연 차수", "en": "Late waves"},
        "replacement.late_wave": {
            "ko": "{code} {name}: 목표일 {end} 경과, 잔여 {remaining}대",
            "en": "{code} {name}: target {end} passed, {remaining} items remaining",
        },
        "replacement.no_late_waves": {
            "ko": "목표일이 지난 미완료 차수는 없습니다.",
            "en": "No wave has passed its target end with items remaining.",
        },
        "replacement.unknown": {
            "ko": "차수 코드가 등록되지 않은 장비 {n}대는 집계에서 제외했습니다.",
            "en": "{n} items naming an unregistered wave code are left out of these figures.",
        },
    }
)


def state_key(p: Progress) -> str:
    """The status a wave (or the programme) is shown with."""
    if p.forecast_state in (ForecastState.empty, ForecastState.complete, ForecastState.not_started):
        return str(p.forecast_state)
    if p.late:
        return "late"
    return "behind" if p.behind else "on_track"


def _percent(p: Progress) -> str:
    return f"{100 * p.replaced / p.total:.0f}%" if p.total else "-"


def burn_down_chart(status: ReplacementStatus, ctx: ReportContext) -> Any:
    """Remaining items per quarter end: planned (dashed), actual, and the forecast from today to completion."""
    t = ctx.t
    p = status.programme
    points: dict[date, dict[str, float | None]] = {}
    planned, actual, forecast = (
        t("replacement.series.planned"),
        t("replacement.series.actual"),
        t("replacement.series.forecast"),
    )
    for q in p.quarters:
        row = points.setdefault(q.end, {})
        row[planned] = q.remaining_planned
        if q.remaining_actual is not None and q.end <= status.as_of:
            row[actual] = q.remaining_actual
    # The actual line ends today, where the forecast starts.
    points.setdefault(status.as_of, {})[actual] = p.remaining
    if p.forecast_state is ForecastState.forecast and p.forecast_completion is not None:
        points[status.as_of][forecast] = p.remaining
        points.setdefault(p.forecast_completion, {})[forecast] = 0
    dates = sorted(points)
    series = {name: [points[d].get(name) for d in dates] for name in (planned, actual, forecast)}
    forecast_text = t.day(p.forecast_completion) if p.forecast_completion else t("replacement.no_forecast")
    return charts.line_over_time(
        dates,
        series,
        title="",
        alt=t("replacement.chart.alt", planned=p.total, actual=p.remaining, forecast=forecast_text),
        unit=t("replacement.unit"),
        dashed=(planned, forecast),
        # Shorter than the default: figures, chart and the waves table fit one page.
        height_in=1.9,
    )


def _budget_lines(session: Session, ids: list[int]) -> dict[int, tuple[int, int]]:
    """(year, amount) of each budget line."""
    if not ids:
        return {}
    c = BudgetLine.__table__.c  # type: ignore[attr-defined]
    return {
        r.id: (r.year, r.amount_krw) for r in session.execute(select(c.id, c.year, c.amount_krw).where(c.id.in_(ids)))
    }


def build(session: Session, ctx: ReportContext) -> dict[str, Any] | None:
    """The section's data; None when no wave is recorded."""
    status = service.status(session=session, as_of=ctx.as_of_seoul.date())
    if not status.waves:
        return None
    t = ctx.t
    p = status.programme
    lines = _budget_lines(session, [w.budget_line_id for w in status.waves if w.budget_line_id is not None])
    waves = []
    for w in status.waves:
        line = lines.get(w.budget_line_id or 0)
        waves.append(
            {
                "code": w.code,
                "name": w.name_ko if ctx.lang is i18n.Lang.ko else w.name_en,
                "start": w.target_start.isoformat() if w.target_start else "-",
                "end": w.target_end.isoformat() if w.target_end else "-",
                "budget": t("replacement.budget_line", year=line[0], amount=t.won(line[1])) if line else "-",
                "total": w.total,
                "replaced": w.replaced,
                "percent": _percent(w),
                "remaining": w.remaining,
                "forecast": w.forecast_completion.isoformat() if w.forecast_completion else "-",
                "state": t(f"replacement.state.{state_key(w)}"),
                "alert": state_key(w) in ("late", "behind"),
            }
        )
    forecast = t.day(p.forecast_completion) if p.forecast_completion else t("replacement.no_forecast")
    return {
        "intro": t("replacement.intro", days=status.window_days),
        "figures": [
            {"label": t("replacement.items"), "value": f"{p.total:,}"},
            {"label": t("replacement.replaced"), "value": f"{p.replaced:,} ({_percent(p)})"},
            {"label": t("replacement.forecast"), "value": forecast},
            {"label": t("replacement.target"), "value": t.day(p.target_end) if p.target_end else "-"},
        ],
        "rate": t(
            "replacement.rate",
            days=status.window_days,
            recent=f"{p.recent_replaced:,}",
            rate=f"{p.rate_per_quarter:,.1f}",
        ),
        "no_rate": t("replacement.no_rate", days=status.window_days)
        if p.forecast_state is ForecastState.no_recent_rate
        else None,
        "chart": burn_down_chart(status, ctx),
        "waves": waves,
        "total": {
            "total": p.total,
            "replaced": p.replaced,
            "percent": _percent(p),
            "remaining": p.remaining,
            "forecast": p.forecast_completion.isoformat() if p.forecast_completion else "-",
            "state": t(f"replacement.state.{state_key(p)}"),
        },
        "late_waves": [
            t(
                "replacement.late_wave",
                code=w.code,
                name=w.name_ko if ctx.lang is i18n.Lang.ko else w.name_en,
                end=t.day(w.target_end) if w.target_end else "-",
                remaining=f"{w.remaining:,}",
            )
            for w in status.waves
            if w.late
        ],
        "unknown": t("replacement.unknown", n=f"{status.unknown_wave_items:,}") if status.unknown_wave_items else None,
    }
