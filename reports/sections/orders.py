"""The Ministry of Science and ICT's orders to KT, with their dates (static text from `seed/incident.yaml`).

The controls domain adds live results per order (pass/fail, evidence counts, last pass) by extending this
builder's rows, keyed by `order_id`.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from reports.context import ReportContext
from reports.facts import load_facts
from reports.sections.incident import source_names


def build(session: Session, ctx: ReportContext) -> dict[str, Any]:
    """Every order with its number, text, date, deadline and sources."""
    facts = load_facts()
    t = ctx.t
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
            }
            for o in facts.orders
        ],
        "pending": t("orders.live_status_pending"),
    }
