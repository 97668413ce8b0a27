"""Zero-trust maturity by pillar against this year's target (heatmap), and the plan's KPIs against their targets.

The heatmap is an HTML table with shaded cells rather than an SVG chart: it is a grid of labelled cells, which a
table renders (and tags for PDF/UA) natively, while WeasyPrint lays out each SVG text label through Pango — the
matplotlib version of this grid (about 90 labels) cost the board pack some 0.9 s of its 3 s budget.

Figures from `tracker.zero_trust.service.summary` and `tracker.kpis.service.latest` as of the report day in Seoul.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from reports import charts
from reports.context import ReportContext
from reports.i18n import Lang, register
from reports.sections.plan import report_day
from tracker.kpis import service as kpis_service
from tracker.kpis.models import KpiUnit
from tracker.zero_trust import service as zero_trust_service
from tracker.zero_trust.models import STAGE_LEVEL, ZtStage

register(
    {
        "section.zero_trust": {"ko": "제로트러스트 성숙도", "en": "Zero-trust maturity"},
        "section.kpis": {"ko": "핵심 성과 지표(KPI)", "en": "Key performance indicators"},
        "zt.intro": {
            "ko": "CISA 제로트러스트 성숙도 모델 v2 기준, {day} 현재 영역별 성숙도와 {year}년 목표입니다. 영역 "
            "단계는 기능별 단계(대상 시스템들의 하위 중앙값) 중 가장 낮은 값입니다. {met}/{total}개 영역이 목표를 "
            "달성했습니다.",
            "en": "Maturity per CISA Zero Trust Maturity Model v2 pillar as of {day}, against the {year} targets. A "
            "pillar's stage is its weakest function (each function: the lower median over the systems in scope). "
            "{met} of {total} pillars meet their target.",
        },
        "zt.heatmap": {
            "ko": "영역 × 시스템 성숙도와 올해 목표",
            "en": "Pillar × system maturity, and this year's target",
        },
        "zt.pillar": {"ko": "영역", "en": "Pillar"},
        "zt.current": {"ko": "현재 단계", "en": "Current"},
        "zt.target": {"ko": "{year}년 목표", "en": "{year} target"},
        "zt.gap": {"ko": "격차(단계)", "en": "Gap (stages)"},
        "zt.met": {"ko": "달성", "en": "Met"},
        "zt.yes": {"ko": "달성", "en": "yes"},
        "zt.no": {"ko": "미달", "en": "no"},
        "zt.unassessed": {"ko": "미평가 {n}건", "en": "{n} unassessed"},
        "zt.system": {"ko": "시스템", "en": "System"},
        "zt.pillar_stage": {"ko": "영역 단계", "en": "Pillar stage"},
        "zt.cross_cutting": {"ko": "공통 역량", "en": "cross-cutting"},
        "stage.short.traditional": {"ko": "전통", "en": "Trad."},
        "stage.short.initial": {"ko": "초기", "en": "Init."},
        "stage.short.advanced": {"ko": "고급", "en": "Adv."},
        "stage.short.optimal": {"ko": "최적", "en": "Opt."},
        "zt.legend": {
            "ko": "칸: 시스템별 영역 단계(해당 영역 기능 중 가장 낮은 단계). 진할수록 성숙, 빗금은 올해 목표 미달, 빈 "
            "칸은 해당 없음.",
            "en": "Cells: each system's stage in the pillar (its weakest function there). Darker is more mature; "
            "hatched cells are below this year's target; blank cells are out of scope.",
        },
        "stage.traditional": {"ko": "전통", "en": "Traditional"},
        "stage.initial": {"ko": "초기", "en": "Initial"},
        "stage.advanced": {"ko": "고급", "en": "Advanced"},
        "stage.optimal": {"ko": "최적", "en": "Optimal"},
        "kpi.intro": {
            "ko": "{day} 기준 최근 측정값과 {year}년 목표입니다. {met}/{total}개 지표가 목표를 달성했습니다.",
            "en": "Latest measurement as of {day} against the {year} target: {met} of {total} KPIs meet it.",
        },
        "kpi.name": {"ko": "지표", "en": "KPI"},
        "kpi.latest": {"ko": "최근값", "en": "Latest"},
        "kpi.measured_on": {"ko": "측정일", "en": "Measured"},
        "kpi.target": {"ko": "목표", "en": "Target"},
        "kpi.chart": {"ko": "백분율 지표와 목표", "en": "Percentage KPIs against target"},
        "kpi.chart.alt": {
            "ko": "백분율 KPI의 최근값(막대)과 올해 목표(세로 눈금)를 비교한 그래프. 목표 미달은 빗금",
            "en": "Bars of each percentage KPI's latest value with a tick at this year's target; hatched bars miss it",
        },
        "kpi.value": {"ko": "최근값", "en": "Latest"},
        "kpi.percent": {"ko": "%", "en": "%"},
        "kpi.not_measured": {"ko": "측정 없음", "en": "not measured"},
    }
)


def _short_stage(t: Any, stage: ZtStage) -> str:
    return str(t(f"stage.short.{ZtStage(stage).value}"))


def build_zero_trust(session: Session, ctx: ReportContext) -> dict[str, Any] | None:
    """Per pillar: current stage, this year's target, gap; a heatmap of every system's stage per pillar."""
    t = ctx.t
    day = report_day(ctx)
    summary = zero_trust_service.summary(session=session, year=day.year, as_of=day)
    pillars = [p for p in summary.pillars if p.systems_in_scope > 0]
    if not pillars:
        return None
    systems = sorted({s.system_code for p in pillars for s in p.systems})
    stage_of = {(p.pillar, s.system_code): s.stage for p in pillars for s in p.systems}
    with_target = [p for p in pillars if p.met is not None]

    def cell(pillar: Any, code: str) -> dict[str, Any] | None:
        stage = stage_of.get((pillar.pillar, code))
        if stage is None:
            return None
        target = STAGE_LEVEL[pillar.target_stage] if pillar.target_stage is not None else None
        return {
            "level": STAGE_LEVEL[stage],
            "label": _short_stage(t, stage),
            "below": target is not None and STAGE_LEVEL[stage] < target,
        }

    return {
        "intro": t(
            "zt.intro",
            day=t.day(day),
            year=summary.year,
            met=sum(1 for p in with_target if p.met),
            total=len(with_target),
        ),
        "target_title": t("zt.target", year=summary.year),
        # Columns: pillars, with the pillar's stage, target, gap and whether it is met in the footer rows.
        "pillars": [
            {
                "name": p.name_ko if ctx.lang is Lang.ko else p.name_en,
                "cross_cutting": p.cross_cutting,
                "level": STAGE_LEVEL[p.current_stage] if p.current_stage is not None else None,
                "current": _short_stage(t, p.current_stage) if p.current_stage is not None else "—",
                "target_level": STAGE_LEVEL[p.target_stage] if p.target_stage is not None else None,
                "target": _short_stage(t, p.target_stage) if p.target_stage is not None else "—",
                "gap": p.gap_steps if p.gap_steps is not None else "—",
                "met": None if p.met is None else (t("zt.yes") if p.met else t("zt.no")),
                "missed": p.met is False,
                "unassessed": p.unassessed_pairs,
            }
            for p in pillars
        ],
        # Rows: systems in scope; a cell is None where the system is out of the pillar's scope.
        "grid": [{"system": code, "cells": [cell(p, code) for p in pillars]} for code in systems],
    }


def build_kpis(session: Session, ctx: ReportContext, *, chart: bool = True) -> dict[str, Any] | None:
    """Every KPI's latest value against this year's target, and (with `chart`) a bar chart of the percentages."""
    t = ctx.t
    day = report_day(ctx)
    statuses = kpis_service.latest(session=session, as_of=day)
    if not statuses:
        return None
    judged = [s for s in statuses if s.met is not None]
    percent = [s for s in statuses if s.kpi.unit == KpiUnit.percent and s.latest is not None]
    figure = (
        charts.bar_vs_target(
            [s.kpi.name_ko if ctx.lang is Lang.ko else s.kpi.name_en for s in percent],
            [s.latest.value / 100 if s.latest is not None else 0 for s in percent],
            [s.target / 100 if s.target is not None else None for s in percent],
            title="",
            alt=t("kpi.chart.alt"),
            value_label=t("kpi.value"),
            target_label=t("kpi.target"),
            unit=t("kpi.percent"),
        )
        if percent and chart
        else None
    )
    return {
        "intro": t("kpi.intro", day=t.day(day), year=day.year, met=sum(1 for s in judged if s.met), total=len(judged)),
        "chart": figure,
        "rows": [
            {
                "name": s.kpi.name_ko if ctx.lang is Lang.ko else s.kpi.name_en,
                "latest": s.latest_display or t("kpi.not_measured"),
                "measured_on": t.day(s.latest.measured_on) if s.latest is not None else "—",
                "target": s.target_display or "—",
                "met": None if s.met is None else (t("zt.yes") if s.met else t("zt.no")),
                "missed": s.met is False,
            }
            for s in statuses
        ],
    }
