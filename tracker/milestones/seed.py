"""Load seed/milestones.yaml: milestones, their progress history and dependencies, checked for coherence first.

The loader refuses (ConfigurationError) a seed whose graph has a cycle, whose forecasts break a dependency, or
whose weights do not add up to each workstream's budget lines, so the demo plan is coherent by construction.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlmodel import Session, select

from tracker.audit import service as audit
from tracker.errors import ConfigurationError
from tracker.milestones import graph as graphs
from tracker.milestones.models import (
    Milestone,
    MilestoneCreate,
    MilestoneDependency,
    MilestoneProgress,
    MilestoneStatus,
)
from tracker.plan import service as plan_service
from tracker.plan.seed import invalid_seed, read_yaml

if TYPE_CHECKING:
    from tracker.flows import SeedContext

FILE = "milestones.yaml"


def _status(entry: dict[str, Any]) -> MilestoneStatus:
    if entry.get("actual_date") is not None:
        return MilestoneStatus.done
    if entry.get("progress"):
        return MilestoneStatus.in_progress
    return MilestoneStatus.planned


def _progress(entry: dict[str, Any]) -> list[tuple[date, int]]:
    """The milestone's progress reports, oldest first; a done milestone ends with 100 % on its actual date."""
    code = entry.get("code")
    reports = sorted((day, int(pct)) for day, pct in (entry.get("progress") or {}).items())
    actual = entry.get("actual_date")
    if actual is not None:
        if any(day > actual for day, _ in reports):
            raise ConfigurationError(f"seed/{FILE}: {code} has progress reported after its actual date.")
        if not reports or reports[-1] != (actual, 100):
            reports.append((actual, 100))
    elif reports and reports[-1][1] >= 100:
        raise ConfigurationError(f"seed/{FILE}: {code} is 100 percent complete but has no actual_date.")
    for (_, earlier), (_, later) in zip(reports, reports[1:], strict=False):
        if later < earlier:
            raise ConfigurationError(f"seed/{FILE}: progress of {code} must not fall over time.")
    return reports


def check_coherence(milestones: list[Milestone], edges: list[tuple[str, str]], budgets: dict[str, int]) -> None:
    """Refuse a plan with a dependency cycle, forecasts that break a dependency, or weights unequal to the budget."""
    graph = graphs.build_graph((m.code for m in milestones), edges)
    cycle = graphs.find_cycle(graph)
    if cycle is not None:
        raise ConfigurationError(f"seed/{FILE}: the dependencies form a cycle {graphs.format_cycle(cycle)}.")
    nodes = {
        m.code: graphs.ScheduleNode(
            code=m.code,
            duration_days=0 if m.baseline_start is None else (m.baseline_date - m.baseline_start).days,
            finish=m.actual_date or m.forecast_date,
            fixed=m.status == MilestoneStatus.done,
        )
        for m in milestones
    }
    bad = graphs.inconsistent_edges(nodes, graph)
    if bad:
        pred, succ = bad[0]
        raise ConfigurationError(
            f"seed/{FILE}: {succ} is forecast to finish on {nodes[succ].finish}, earlier than its predecessor {pred} "
            f"({nodes[pred].finish}) plus its {nodes[succ].duration_days}-day duration allow."
        )
    weights: dict[str, int] = defaultdict(int)
    for m in milestones:
        weights[str(m.workstream)] += m.weight_krw
    for workstream in sorted(set(weights) | set(budgets)):
        if weights.get(workstream, 0) != budgets.get(workstream, 0):
            raise ConfigurationError(
                f"seed/{FILE}: {workstream} milestones weigh {weights.get(workstream, 0):,} won but its budget lines "
                f"total {budgets.get(workstream, 0):,} won."
            )


def load(session: Session, ctx: SeedContext) -> dict[str, int]:
    """Seed step: load milestones once (a second run leaves existing milestones alone)."""
    if session.exec(select(Milestone.id).limit(1)).first() is not None:
        return {}
    entries = read_yaml(FILE).get("milestones") or []
    milestones: list[Milestone] = []
    progress: dict[str, list[tuple[date, int]]] = {}
    edges: list[tuple[str, str]] = []
    for entry in entries:
        fields = {k: v for k, v in entry.items() if k not in {"depends_on", "progress"}}
        status = _status(entry)
        reports = _progress(entry)
        fields |= {"status": status, "percent_complete": reports[-1][1] if reports else 0}
        try:
            data = MilestoneCreate.model_validate(fields)
        except ValidationError as exc:
            raise invalid_seed(FILE, f"milestone {entry.get('code')!r}", exc) from exc
        forecast = data.actual_date if status == MilestoneStatus.done else (data.forecast_date or data.baseline_date)
        milestones.append(Milestone.model_validate(data.model_dump() | {"forecast_date": forecast, "status": status}))
        progress[data.code] = reports
        edges += [(str(pred), data.code) for pred in entry.get("depends_on") or []]
    codes = {m.code for m in milestones}
    if len(codes) != len(milestones):
        raise ConfigurationError(f"seed/{FILE}: milestone codes must be unique.")
    for pred, succ in edges:
        if pred not in codes:
            raise ConfigurationError(f"seed/{FILE}: {succ} depends on {pred}, which is not a milestone.")
    budgets = {str(ws.code): ws.budget_krw for ws in plan_service.list_workstreams(session=session, limit=100).items}
    check_coherence(milestones, edges, budgets)

    session.add_all(milestones)
    session.flush()
    ids = {m.code: m.id or 0 for m in milestones}
    reports_rows = [
        MilestoneProgress(milestone_id=ids[code], reported_on=day, percent_complete=pct, created_by=ctx.actor.name)
        for code, reports in progress.items()
        for day, pct in reports
    ]
    edge_rows = [
        MilestoneDependency(predecessor_id=ids[pred], successor_id=ids[succ], created_by=ctx.actor.name)
        for pred, succ in edges
    ]
    session.add_all(reports_rows)
    session.add_all(edge_rows)
    session.flush()
    events = [audit.PendingEvent("create", "milestone", str(m.id), audit.state_of(m)) for m in milestones]
    events += [audit.PendingEvent("create", "milestone_progress", str(r.id), audit.state_of(r)) for r in reports_rows]
    events += [audit.PendingEvent("create", "milestone_dependency", str(e.id), audit.state_of(e)) for e in edge_rows]
    audit.record_many(session, actor=ctx.actor, events=events)
    return {"milestones": len(milestones), "milestone progress reports": len(reports_rows), "dependencies": len(edges)}
