"""The incident at a glance: what the investigation found, the published figures and KT's plan, with sources."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from reports.context import ReportContext
from reports.facts import Figure, IncidentFacts, load_facts
from reports.i18n import Lang, Translator, number


def figure_value(figure: Figure, t: Translator) -> str:
    """A figure as the report prints it, with its unit and 'about' when the source gave it approximately."""
    if figure.unit == "won":
        text = t.won(figure.value, precise=True)
    elif figure.unit == "records":
        text = t("unit.records", n=t.big_count(figure.value))
    else:
        text = t(f"unit.{figure.unit}", n=number(figure.value))
    return t("unit.approximate", value=text) if figure.approximate else text


def source_names(facts: IncidentFacts, ids: list[str], lang: Lang) -> list[str]:
    """Short citations ('연합뉴스 2025-12-30') for the given source ids."""
    names = []
    for source_id in ids:
        source = facts.source(source_id)
        name = source.publisher.get(lang)
        names.append(f"{name} {source.date.isoformat()}" if source.date else name)
    return names


def build(session: Session, ctx: ReportContext) -> dict[str, Any]:
    """The incident summary, figures, causes, plan and the list of sources they cite."""
    facts = load_facts()
    t, lang = ctx.t, ctx.lang
    incident, plan = facts.incident, facts.plan
    cited: list[str] = []

    def cite(ids: list[str]) -> list[str]:
        cited.extend(i for i in ids if i not in cited)
        return source_names(facts, ids, lang)

    return {
        "summary": t("incident.summary"),
        "summary_sources": cite(incident.summary_sources),
        "causes": [{"text": c.text.get(lang), "sources": cite(c.sources)} for c in incident.causes],
        "figures": [
            {
                "id": f.id,
                "label": f.label.get(lang),
                "value": figure_value(f, t),
                "note": f.note.get(lang) if f.note else None,
                "sources": cite(f.sources),
            }
            for f in incident.figures
        ],
        "plan": {
            "summary": t(
                "incident.plan.summary",
                amount=t.won(plan.amount_won),
                years=plan.end_year - plan.start_year + 1,
                start=plan.start_year,
                end=plan.end_year,
                announced=t.day(plan.announced),
            ),
            "workstreams": [w.name(lang) for w in plan.workstreams],
            "governance": plan.governance.get(lang),
            "sources": cite(plan.sources),
        },
        "sources": [
            {
                "name": source_names(facts, [s.id], lang)[0],
                "title": s.title,
                "url": s.url,
                "site_only": s.scope == "site",
            }
            for s in (facts.source(i) for i in cited)
        ],
    }
