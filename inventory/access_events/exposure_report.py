"""The `exposure` report section: what the access events show of unauthorized cells, next to the investigation's
published figures. Counts only: no cell list, no pseudonym (the board and the regulator get figures, investigators
use the API).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from inventory.access_events import exposure
from inventory.access_events.models import AccessEvent
from reports import i18n
from reports.context import ReportContext
from reports.facts import load_facts
from reports.i18n import number
from reports.sections.incident import figure_value

i18n.register(
    {
        "section.exposure": {"ko": "비인가 셀을 통한 가입자 노출", "en": "Exposure through unauthorized cells"},
        "exposure.intro": {
            "ko": "접속 기록에 나타난 셀 ID 중 장비 대장에 없거나 운용(active) 상태가 아닌 셀을 "
            "비인가 셀로 보고, 그 셀을 통해 접속이 승인된 가입자를 집계했습니다. 분실·차단·폐기 장비는 그 시점 "
            "이후의 접속만 셉니다. 가입자는 가명 처리된 식별자로만 저장되며, 여러 셀에 접속한 가입자도 한 명으로 "
            "셉니다.",
            "en": "A cell id seen in the access events is unauthorized when it is not in the femtocell inventory or "
            "its unit is not active; subscribers whose attaches through such a cell were accepted are counted. Lost, "
            "blocked and decommissioned units count from the moment they left service. Subscribers are stored only "
            "as pseudonyms and counted once, however many cells they attached through.",
        },
        "exposure.measure": {"ko": "항목", "en": "Measure"},
        "exposure.measured": {"ko": "접속 기록 분석", "en": "Access events"},
        "exposure.published": {"ko": "조사단 발표", "en": "Investigation"},
        "exposure.cells": {"ko": "비인가 셀 ID", "en": "Unauthorized cell ids"},
        "exposure.cells_unknown": {"ko": "└ 장비 대장에 없는 셀", "en": "└ not in the inventory"},
        "exposure.cells_not_blocked": {"ko": "└ 아직 차단되지 않은 셀", "en": "└ not blocked yet"},
        "exposure.subscribers": {"ko": "노출된 가입자 (중복 제외)", "en": "Subscribers exposed (each counted once)"},
        "exposure.attaches": {"ko": "승인된 접속", "en": "Accepted attaches"},
        "exposure.rejected": {"ko": "거부된 접속 시도", "en": "Rejected attempts"},
        "exposure.window": {
            "ko": "노출 기간 (첫 접속 ~ 마지막 접속)",
            "en": "Window of exposure (first to last attach)",
        },
        "exposure.window.none": {"ko": "승인된 접속 없음", "en": "no accepted attach"},
        "exposure.analysis_period": {"ko": "분석 기간\n{start} ~\n{end}", "en": "records of\n{start} to\n{end}"},
        "exposure.micropayments": {"ko": "무단 소액결제 피해 이용자", "en": "Users hit by unauthorized micropayments"},
        "exposure.not_measured": {"ko": "해당 없음", "en": "not measured here"},
        "exposure.none": {"ko": "—", "en": "—"},
        "exposure.unblocked_note": {
            "ko": "차단되지 않은 비인가 셀이 {n}개 있습니다. 조치 명령 1(비인가 펨토셀 접속 탐지·차단) "
            "이행 대상입니다.",
            "en": "{n} unauthorized cells are not blocked yet: order 1 (detect and block unauthorized femtocells) "
            "applies to them.",
        },
    }
)


def build(session: Session, ctx: ReportContext) -> dict[str, Any] | None:
    """Exposure totals up to the report's instant beside the investigation's figures; None without access events."""
    if session.execute(select(AccessEvent.__table__.c.id).limit(1)).first() is None:  # type: ignore[attr-defined]
        return None
    t = ctx.t
    totals = exposure.totals(session=session, window=exposure.ExposureWindow(until=ctx.as_of))
    facts = load_facts()
    period = facts.incident.analysis_period
    # Two lines each (first ~, last): a window does not fit a figures column on one.
    window = (
        [f"{t.instant(totals.first_accepted_at)} ~", t.instant(totals.last_accepted_at)]
        if totals.first_accepted_at and totals.last_accepted_at
        else [t("exposure.window.none")]
    )
    none = t("exposure.none")
    return {
        "intro": t("exposure.intro"),
        "totals": totals.model_dump(),
        "rows": [
            {
                "label": t("exposure.cells"),
                "measured": number(totals.unauthorized_cells),
                "published": figure_value(facts.figure("illegal_femtocell_ids"), t),
            },
            {
                "label": t("exposure.cells_unknown"),
                "measured": number(totals.cells_not_in_inventory),
                "published": none,
            },
            {"label": t("exposure.cells_not_blocked"), "measured": number(totals.cells_not_blocked), "published": none},
            {
                "label": t("exposure.subscribers"),
                "measured": number(totals.exposed_subscribers),
                "published": figure_value(facts.figure("exposed_subscribers"), t),
            },
            {"label": t("exposure.attaches"), "measured": number(totals.accepted_attaches), "published": none},
            {"label": t("exposure.rejected"), "measured": number(totals.rejected_attempts), "published": none},
            {
                "label": t("exposure.window"),
                "measured": window,
                "published": t("exposure.analysis_period", start=t.day(period.start), end=t.day(period.end)).split(
                    "\n"
                ),
            },
            {
                "label": t("exposure.micropayments"),
                "measured": t("exposure.not_measured"),
                "published": figure_value(facts.figure("micropayment_victims"), t),
            },
        ],
        "unblocked_note": (
            t("exposure.unblocked_note", n=number(totals.cells_not_blocked)) if totals.cells_not_blocked else None
        ),
    }
