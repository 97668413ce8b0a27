"""The record of changes: chain verification, changes by record type (table and chart), the latest changes.

Counting by type scans the chain up to the head (one GROUP BY), and verification re-hashes every event, so this
section belongs to the regulator and management reports, not the board pack with its 3-second budget.
Actor names and record ids are user text: templates autoescape them, and the chart's SVG writer escapes them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from reports import charts
from reports.context import ReportContext
from tracker.audit import service as audit
from tracker.audit.models import AuditEvent

_events = AuditEvent.__table__  # type: ignore[attr-defined]
ACTIONS = ("create", "update", "delete")
CHART_TYPES = 12


def counts_by_type(session: Session, head_seq: int) -> dict[str, dict[str, int]]:
    """{entity_type: {action: count}} for the events up to `head_seq`, actions outside ACTIONS as 'other'."""
    rows = session.execute(
        select(_events.c.entity_type, _events.c.action, func.count())
        .where(_events.c.seq <= head_seq)
        .group_by(_events.c.entity_type, _events.c.action)
    ).all()
    out: dict[str, dict[str, int]] = {}
    for entity_type, action, count in rows:
        bucket = out.setdefault(str(entity_type), dict.fromkeys((*ACTIONS, "other"), 0))
        bucket[action if action in ACTIONS else "other"] += int(count)
    return out


def latest_events(session: Session, head_seq: int, limit: int) -> list[dict[str, Any]]:
    """The newest `limit` events at or before `head_seq`, newest first."""
    c = _events.c
    rows = session.execute(
        select(c.seq, c.occurred_at, c.actor, c.action, c.entity_type, c.entity_id)
        .where(c.seq <= head_seq)
        .order_by(c.seq.desc())
        .limit(limit)
    ).all()
    return [
        {
            "seq": seq,
            "occurred_at": occurred_at,
            "actor": actor,
            "action": action,
            "entity_type": entity_type,
            "entity_id": entity_id,
        }
        for seq, occurred_at, actor, action, entity_type, entity_id in rows
    ]


def build(session: Session, ctx: ReportContext, *, verify: bool = False, latest: int = 10) -> dict[str, Any] | None:
    """Verification (optional), counts by record type with a chart, and the latest changes; None on an empty chain."""
    head = ctx.head
    if head.seq == 0:
        return None
    t = ctx.t
    verification = None
    if verify:
        result = audit.verify(session)
        verification = {
            "ok": result.ok,
            "text": t("audit.verification.ok", checked=f"{result.checked:,}")
            if result.ok
            else t("audit.verification.failed", seq=result.first_bad_seq, problem=result.problem),
        }
    by_type = counts_by_type(session, head.seq)
    ordered = sorted(by_type.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    action_names = {a: t(f"action.{a}") for a in (*ACTIONS, "other")}
    shown = ordered[:CHART_TYPES]
    stacks = {
        action_names[a]: [counts[a] for _, counts in shown]
        for a in (*ACTIONS, "other")
        if any(counts[a] for _, counts in shown)
    }
    chart = charts.stacked_bars(
        [name for name, _ in shown],
        stacks,
        title="",
        alt=t("audit.chart.alt"),
    )
    latest_rows = latest_events(session, head.seq, latest)
    return {
        "intro": t("audit.intro"),
        "verification": verification,
        "actions": [action_names[a] for a in (*ACTIONS, "other")],
        "rows": [
            {"entity_type": name, "counts": [counts[a] for a in (*ACTIONS, "other")], "total": sum(counts.values())}
            for name, counts in ordered
        ],
        "total": sum(sum(c.values()) for c in by_type.values()),
        "more_types": max(len(ordered) - CHART_TYPES, 0),
        "chart": chart,
        "latest_title": t("audit.latest", n=len(latest_rows)),
        "latest": [{**e, "action": action_names.get(e["action"], e["action"])} for e in latest_rows],
    }
