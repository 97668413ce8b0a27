"""The Ministry of Science and ICT's orders to KT: their text and dates (`seed/incident.yaml`) and, per order, the
controls that check it with their result in the newest run, evidence count and the date each last passed.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from reports.context import ReportContext
from reports.facts import load_facts
from reports.sections import controls
from reports.sections.incident import source_names


def build(session: Session, ctx: ReportContext) -> dict[str, Any]:
    """Every order with its number, text, date, deadline, sources and live control results."""
    facts = load_facts()
    t = ctx.t
    live = controls.order_results(session, ctx)
    return {
        "intro": t("orders.intro"),
        "orders": [
            {
                "order_id": o.id,
                "number": o.number,
                "text": o.text.get(ctx.lang),
                "dated": t.day(o.dated) if o.dated else None,
                "deadline": t.month(o.deadline_month) if o.deadline_month else None,
                "check": t.month(o.check_month) if o.check_month else None,
                "sources": source_names(facts, o.sources, ctx.lang),
                "controls": live["by_order"].get(o.id, []),
            }
            for o in facts.orders
        ],
        "live_note": live["note"],
        "has_run": live["has_run"],
    }
