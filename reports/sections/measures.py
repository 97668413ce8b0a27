"""KT's customer measures as announced on 2025-12-30 (static text; the commitments register tracks delivery)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from reports.context import ReportContext
from reports.facts import load_facts
from reports.sections.incident import source_names


def build(session: Session, ctx: ReportContext) -> dict[str, Any]:
    """Every announced measure with its dates, details and sources."""
    facts = load_facts()
    lang = ctx.lang
    return {
        "intro": ctx.t("measures.intro"),
        "measures": [
            {
                "name": m.name.get(lang),
                "when": m.when.get(lang),
                "detail": m.detail.get(lang),
                "sources": source_names(facts, m.sources, lang),
            }
            for m in facts.customer_measures
        ],
    }
