"""Milestones: create, read, update, delete, dependencies (a DAG), slips, critical path, lateness, progress.

The scheduling rules live in `tracker.milestones.graph` (pure functions); this module loads the graph, applies the
rules, writes the changes and their audit events in one transaction.

A milestone is *late* as of a date t when it is not cancelled, was not done by t, and either its baseline date is
before t or (still open) its forecast is after its baseline date. Cancelled milestones leave the schedule: they
carry no earned value and their dependency edges no longer constrain anything.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, delete, func, or_, text
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from tracker.audit import service as audit
from tracker.auth.models import Principal
from tracker.errors import Conflict, NotFound
from tracker.governance.items import AgendaContext, AgendaItem, DueItem, Severity
from tracker.milestones import graph as graphs
from tracker.milestones.models import (
    OPEN_STATUSES,
    TRANSITIONS,
    CriticalPathPublic,
    DelayedMilestone,
    DependencyChange,
    DependencyCreate,
    DependencyPublic,
    LateMilestone,
    Milestone,
    MilestoneChange,
    MilestoneCreate,
    MilestoneDependency,
    MilestoneProgress,
    MilestoneProgressPublic,
    MilestonePublic,
    MilestoneRebaseline,
    MilestoneRebaselineRequest,
    MilestoneStatus,
    MilestoneUpdate,
    MovedMilestone,
    PathStepPublic,
    SlipReport,
)
from tracker.pagination import DEFAULT_LIMIT, Page, build_page, keyset_page
from tracker.plan.calendar import today_seoul
from tracker.plan.evm import PlannedWork
from tracker.plan.fields import changes_of
from tracker.plan.models import Workstream, WorkstreamCode
from tracker.records import check_version, flush_versioned
from tracker.types import now_utc

if TYPE_CHECKING:
    import networkx as nx

# Table columns, for Core queries and keyset pagination.
_M = Milestone.__table__.c  # type: ignore[attr-defined]
_DEP = MilestoneDependency.__table__.c  # type: ignore[attr-defined]
_PROG = MilestoneProgress.__table__.c  # type: ignore[attr-defined]

# Serializes changes to the dependency graph on PostgreSQL (SQLite's write lock already does).
_GRAPH_LOCK_KEY = 0x5EC7_6A9F


def _lock_graph(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _GRAPH_LOCK_KEY})


def _what(m: Milestone) -> str:
    return f"Milestone '{m.code}'"


# --- loading -----------------------------------------------------------------------------------------------------


@dataclass
class _Schedule:
    """Every milestone and dependency, and the graph of the scheduled (not cancelled) ones, keyed by code."""

    by_id: dict[int, Milestone]
    by_code: dict[str, Milestone]
    edges: list[MilestoneDependency]
    graph: nx.DiGraph
    nodes: dict[str, graphs.ScheduleNode]


def _duration(m: Milestone) -> int:
    if m.baseline_start is None:
        return 0
    return max(0, (m.baseline_date - m.baseline_start).days)


def _finish(m: Milestone) -> date:
    if m.status == MilestoneStatus.done and m.actual_date is not None:
        return m.actual_date
    return m.forecast_date


def _node(m: Milestone) -> graphs.ScheduleNode:
    return graphs.ScheduleNode(
        code=m.code,
        duration_days=_duration(m),
        finish=_finish(m),
        fixed=m.status == MilestoneStatus.done,
    )


def _load(session: Session) -> _Schedule:
    milestones = list(session.exec(select(Milestone)))
    edges = list(session.exec(select(MilestoneDependency)))
    by_id = {m.id: m for m in milestones if m.id is not None}
    scheduled = {m.code: m for m in milestones if m.status != MilestoneStatus.cancelled}
    graph = graphs.build_graph(
        scheduled,
        [
            (by_id[e.predecessor_id].code, by_id[e.successor_id].code)
            for e in edges
            if by_id[e.predecessor_id].code in scheduled and by_id[e.successor_id].code in scheduled
        ],
    )
    return _Schedule(
        by_id=by_id,
        by_code={m.code: m for m in milestones},
        edges=edges,
        graph=graph,
        nodes={code: _node(m) for code, m in scheduled.items()},
    )


def _predecessor_ids(session: Session, ids: Sequence[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    if not ids:
        return out
    rows = session.execute(
        sa_select(_DEP.predecessor_id, _DEP.successor_id)
        .where(_DEP.successor_id.in_(ids))
        .order_by(_DEP.predecessor_id)
    )
    for pred, succ in rows:
        out[succ].append(pred)
    return out


def _public(m: Milestone, predecessor_ids: list[int]) -> MilestonePublic:
    return MilestonePublic.model_validate(m, from_attributes=True, update={"predecessor_ids": predecessor_ids})


def to_public(session: Session, m: Milestone) -> MilestonePublic:
    """The API form of one milestone, with its predecessors."""
    assert m.id is not None
    return _public(m, _predecessor_ids(session, [m.id]).get(m.id, []))


def _get_row(session: Session, id: int, *, for_update: bool = False) -> Milestone:
    stmt = select(Milestone).where(col(Milestone.id) == id)
    if for_update:
        stmt = stmt.with_for_update()
    m = session.exec(stmt).first()
    if m is None:
        raise NotFound(f"No milestone with id {id}.", field="id")
    return m


def _audit(session: Session, actor: Principal, action: str, m: Milestone) -> None:
    audit.record(session, actor=actor, action=action, entity_type="milestone", entity_id=m.id or 0, state=m)


# --- read --------------------------------------------------------------------------------------------------------


def get(*, session: Session, id: int) -> MilestonePublic:
    """One milestone by id."""
    return to_public(session, _get_row(session, id))


def get_by_code(*, session: Session, code: str) -> MilestonePublic:
    """One milestone by its code."""
    m = session.exec(select(Milestone).where(col(Milestone.code) == code)).first()
    if m is None:
        raise NotFound(f"No milestone with code '{code}'.", field="code")
    return to_public(session, m)


def late_clause(as_of: date) -> ColumnElement[bool]:
    """SQL condition: the milestone is late as of `as_of` (see the module docstring)."""
    return and_(
        col(Milestone.status) != MilestoneStatus.cancelled,
        or_(col(Milestone.actual_date).is_(None), col(Milestone.actual_date) > as_of),
        or_(
            col(Milestone.baseline_date) < as_of,
            and_(col(Milestone.actual_date).is_(None), col(Milestone.forecast_date) > col(Milestone.baseline_date)),
        ),
    )


def list_milestones(
    *,
    session: Session,
    workstream: WorkstreamCode | None = None,
    status: MilestoneStatus | None = None,
    late: bool | None = None,
    owner: str | None = None,
    as_of: date | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[MilestonePublic]:
    """Milestones by baseline date, filtered by workstream, status, owner, or lateness as of a date (default today)."""
    stmt = select(Milestone)
    if workstream is not None:
        stmt = stmt.where(col(Milestone.workstream) == workstream)
    if status is not None:
        stmt = stmt.where(col(Milestone.status) == status)
    if owner is not None:
        stmt = stmt.where(col(Milestone.owner) == owner)
    if late is not None:
        clause = late_clause(as_of or today_seoul())
        stmt = stmt.where(clause if late else ~clause)
    paged = keyset_page(
        stmt,
        kind="milestone:baseline_date:asc",
        sort_column=_M.baseline_date,
        id_column=_M.id,
        cursor=cursor,
        limit=limit,
    )
    rows = list(session.execute(paged).scalars())
    page = build_page(rows, kind="milestone:baseline_date:asc", limit=limit, sort_attr="baseline_date")
    preds = _predecessor_ids(session, [m.id for m in page.items])
    return Page(items=[_public(m, preds.get(m.id, [])) for m in page.items], next_cursor=page.next_cursor)


def list_progress(*, session: Session, id: int) -> list[MilestoneProgressPublic]:
    """A milestone's progress reports, oldest first."""
    _get_row(session, id)
    rows = session.exec(
        select(MilestoneProgress)
        .where(col(MilestoneProgress.milestone_id) == id)
        .order_by(col(MilestoneProgress.reported_on), col(MilestoneProgress.id))
    )
    return [MilestoneProgressPublic.model_validate(p, from_attributes=True) for p in rows]


# --- create ------------------------------------------------------------------------------------------------------


def _check_workstream(session: Session, code: WorkstreamCode) -> None:
    if session.exec(select(Workstream.id).where(col(Workstream.code) == code)).first() is None:
        raise NotFound(f"Workstream '{code}' is not loaded; run 'sectrack seed' first.", field="workstream")


def _check_progress_order(session: Session, m: Milestone, reported_on: date) -> None:
    """Progress reports are recorded in date order, so the latest report is always the current percent."""
    if m.id is None:
        return
    latest = session.exec(
        select(func.max(MilestoneProgress.reported_on)).where(col(MilestoneProgress.milestone_id) == m.id)
    ).first()
    if latest is not None and reported_on < latest:
        raise Conflict(
            f"{_what(m)} already has a progress report dated {latest}; reports are recorded in date order, "
            f"so {reported_on} is too early.",
            field="reported_on",
        )


def _record_progress(
    session: Session, m: Milestone, *, reported_on: date, percent: int, note: str, actor: Principal
) -> MilestoneProgress:
    assert m.id is not None
    progress = MilestoneProgress(
        milestone_id=m.id, reported_on=reported_on, percent_complete=percent, note=note, created_by=actor.name
    )
    session.add(progress)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="create",
        entity_type="milestone_progress",
        entity_id=progress.id or 0,
        state=progress,
    )
    return progress


def create(*, session: Session, data: MilestoneCreate, actor: Principal, today: date | None = None) -> MilestonePublic:
    """Create a milestone (status planned unless given; a done milestone needs its actual date)."""
    today = today or today_seoul()
    if session.exec(select(Milestone.id).where(col(Milestone.code) == data.code)).first() is not None:
        raise Conflict(f"A milestone with code '{data.code}' already exists.", field="code")
    _check_workstream(session, data.workstream)
    if data.baseline_start is not None and data.baseline_start > data.baseline_date:
        raise Conflict(
            f"baseline_start {data.baseline_start} is after baseline_date {data.baseline_date}.", field="baseline_start"
        )
    status = data.status
    percent = data.percent_complete
    actual = data.actual_date
    if status == MilestoneStatus.done:
        if actual is None:
            raise Conflict("A milestone created as done needs its actual_date.", field="actual_date")
        if actual > today:
            raise Conflict(f"actual_date {actual} is in the future.", field="actual_date")
        percent = 100
    elif actual is not None:
        raise Conflict("actual_date is only set on done milestones.", field="actual_date")
    elif percent == 100:
        raise Conflict("100 percent complete means done: create it with status done.", field="percent_complete")
    elif percent > 0 and status == MilestoneStatus.planned:
        status = MilestoneStatus.in_progress
    forecast = actual if status == MilestoneStatus.done and actual else (data.forecast_date or data.baseline_date)
    m = Milestone.model_validate(
        data.model_dump()
        | {"status": status, "percent_complete": percent, "forecast_date": forecast, "actual_date": actual}
    )
    session.add(m)
    session.flush()
    _audit(session, actor, "create", m)
    if percent > 0:
        _record_progress(session, m, reported_on=actual or today, percent=percent, note="", actor=actor)
    return to_public(session, m)


# --- slips -------------------------------------------------------------------------------------------------------


def _moved(m: Milestone, new_forecast: date) -> MovedMilestone:
    assert m.id is not None
    return MovedMilestone(
        id=m.id,
        code=m.code,
        title_en=m.title_en,
        previous_forecast=m.forecast_date,
        new_forecast=new_forecast,
        slip_days=(new_forecast - m.forecast_date).days,
        baseline_date=m.baseline_date,
        misses_baseline=new_forecast > m.baseline_date,
        newly_misses_baseline=new_forecast > m.baseline_date >= m.forecast_date,
    )


def _apply_moves(
    session: Session, schedule: _Schedule, moved: dict[str, date], actor: Principal, *, dry_run: bool
) -> list[MovedMilestone]:
    """Report (and unless dry_run, write and audit) the forecasts a change pushed later, in date order."""
    report = sorted(
        (_moved(schedule.by_code[code], new) for code, new in moved.items()),
        key=lambda r: (r.new_forecast, r.code),
    )
    if not dry_run:
        stamp = now_utc()
        for code, new in sorted(moved.items()):
            m = schedule.by_code[code]
            m.forecast_date = new
            m.updated_at = stamp
            session.add(m)
        flush_versioned(session, what="A dependent milestone")
        for code in sorted(moved):
            _audit(session, actor, "reschedule", schedule.by_code[code])
    return report


def _check_forecast_allowed(schedule: _Schedule, m: Milestone, forecast: date) -> None:
    """409 when the forecast is earlier than the milestone's predecessors allow."""
    if m.code not in schedule.graph:
        return
    allowed = graphs.earliest_allowed_finish(m.code, schedule.nodes, schedule.graph)
    if allowed is not None and forecast < allowed[0]:
        earliest, driver = allowed
        pred = schedule.by_code[driver]
        raise Conflict(
            f"{_what(m)} cannot be forecast to finish on {forecast}: its predecessor '{driver}' finishes on "
            f"{_finish(pred)} and '{m.code}' takes {_duration(m)} days, so it can finish on {earliest} at the "
            f"earliest.",
            field="forecast_date",
        )


def _slip_report(m: Milestone, previous: date, new: date, moved: list[MovedMilestone], *, applied: bool) -> SlipReport:
    assert m.id is not None
    missing = [m.code] if new > m.baseline_date else []
    missing += [r.code for r in moved if r.misses_baseline]
    return SlipReport(
        milestone_id=m.id,
        code=m.code,
        previous_forecast=previous,
        new_forecast=new,
        slip_days=(new - previous).days,
        applied=applied,
        moved=moved,
        now_missing_baseline=missing,
    )


def propagate_slip(
    *, session: Session, id: int, forecast_date: date, actor: Principal, dry_run: bool = False
) -> SlipReport:
    """Move an open milestone's forecast and push every dependent as far as the move requires.

    With `dry_run`, nothing is written: the report says what would move and what would then miss its baseline.
    """
    _lock_graph(session)
    schedule = _load(session)
    m = schedule.by_id.get(id)
    if m is None:
        raise NotFound(f"No milestone with id {id}.", field="id")
    if m.status not in OPEN_STATUSES:
        raise Conflict(f"{_what(m)} is {m.status}; only open milestones have a forecast to move.", field="id")
    _check_forecast_allowed(schedule, m, forecast_date)
    previous = m.forecast_date
    moved = graphs.propagate(schedule.nodes, schedule.graph, {m.code: forecast_date})
    report_moves = _apply_moves(session, schedule, moved, actor, dry_run=dry_run)
    if not dry_run and forecast_date != previous:
        m = schedule.by_id[id]
        m.forecast_date = forecast_date
        m.updated_at = now_utc()
        session.add(m)
        flush_versioned(session, what=_what(m))
        _audit(session, actor, "update", m)
    return _slip_report(m, previous, forecast_date, report_moves, applied=not dry_run)


# --- update ------------------------------------------------------------------------------------------------------


def update(
    *,
    session: Session,
    id: int,
    data: MilestoneUpdate,
    if_match: int | None,
    actor: Principal,
    today: date | None = None,
) -> MilestoneChange:
    """Apply a partial update; a forecast move or completion propagates to dependents (reported as `slip`)."""
    today = today or today_seoul()
    _lock_graph(session)
    m = _get_row(session, id, for_update=True)
    check_version(m, if_match, what=_what(m))
    changes: dict[str, Any] = changes_of(data)
    reported_on: date = changes.pop("reported_on", None) or today
    note: str = changes.pop("note", None) or ""
    if reported_on > today:
        raise Conflict(f"reported_on {reported_on} is in the future.", field="reported_on")

    old_status, old_percent, old_finish = m.status, m.percent_complete, _finish(m)
    status = MilestoneStatus(changes.get("status", old_status))
    if status != old_status and status not in TRANSITIONS[old_status]:
        allowed = ", ".join(sorted(TRANSITIONS[old_status])) or "none"
        raise Conflict(
            f"{_what(m)} cannot go from {old_status} to {status}; allowed next states: {allowed}.", field="status"
        )
    percent = int(changes.get("percent_complete", old_percent))
    actual: date | None = changes.get("actual_date", m.actual_date)
    if "status" not in changes and percent == 100 and old_status in OPEN_STATUSES:
        status = MilestoneStatus.done
    if status == MilestoneStatus.done:
        if "percent_complete" in changes and percent != 100:
            raise Conflict("A done milestone is 100 percent complete.", field="percent_complete")
        percent = 100
        actual = actual or reported_on
        if actual > today:
            raise Conflict(f"actual_date {actual} is in the future.", field="actual_date")
    else:
        if "actual_date" in changes:
            raise Conflict("actual_date is only set on done milestones.", field="actual_date")
        if percent == 100 and status != MilestoneStatus.cancelled:
            raise Conflict("100 percent complete means done: set status done.", field="percent_complete")
        actual = None
        if status == MilestoneStatus.planned and percent > 0:
            if "status" in changes:
                raise Conflict("A planned milestone has no progress; set status in_progress.", field="status")
            status = MilestoneStatus.in_progress

    forecast = changes.get("forecast_date", m.forecast_date)
    if status == MilestoneStatus.done and actual is not None:
        # A done milestone's forecast is its actual date, so lists and charts read one date.
        forecast = actual
    if status in OPEN_STATUSES and forecast != m.forecast_date:
        _check_forecast_allowed(_load(session), m, forecast)
    report_progress = percent != old_percent or (status == MilestoneStatus.done and old_status != status)
    if report_progress:
        _check_progress_order(session, m, actual or reported_on)

    # Every read is done: mutate and flush once, so the version goes up by exactly one.
    for key in ("title_ko", "title_en", "description", "owner", "evidence_refs", "source"):
        if key in changes:
            setattr(m, key, changes[key])
    m.status, m.percent_complete, m.actual_date = status, percent, actual
    previous_forecast = m.forecast_date
    m.forecast_date = forecast
    m.updated_at = now_utc()
    session.add(m)
    flush_versioned(session, what=_what(m), expected=if_match)
    _audit(session, actor, "update", m)
    if report_progress:
        _record_progress(session, m, reported_on=actual or reported_on, percent=percent, note=note, actor=actor)

    slip: SlipReport | None = None
    new_finish = _finish(m)
    if status != MilestoneStatus.cancelled and new_finish != old_finish:
        schedule = _load(session)
        moved = graphs.propagate(schedule.nodes, schedule.graph, {m.code: new_finish})
        report_moves = _apply_moves(session, schedule, moved, actor, dry_run=False)
        slip = _slip_report(m, previous_forecast, m.forecast_date, report_moves, applied=True)
    return MilestoneChange(milestone=to_public(session, m), slip=slip)


def rebaseline(*, session: Session, id: int, data: MilestoneRebaselineRequest, actor: Principal) -> MilestoneChange:
    """An approver changes a milestone's baseline dates or weight; the previous baseline is kept and audited.

    A longer duration can push the milestone's own forecast and its dependents; that is reported as `slip`.
    """
    _lock_graph(session)
    m = _get_row(session, id, for_update=True)
    if m.status == MilestoneStatus.cancelled:
        raise Conflict(f"{_what(m)} is cancelled; there is no baseline to change.", field="id")
    if data.clear_baseline_start and data.baseline_start is not None:
        raise Conflict("Give baseline_start or clear_baseline_start, not both.", field="clear_baseline_start")
    if not (
        data.clear_baseline_start or data.model_dump(exclude_none=True).keys() - {"reason", "clear_baseline_start"}
    ):
        raise Conflict(
            "A re-baseline changes baseline_start, baseline_date or weight_krw (or clears baseline_start); "
            "none was given.",
            field="baseline_date",
        )
    start = None if data.clear_baseline_start else (data.baseline_start or m.baseline_start)
    end = data.baseline_date or m.baseline_date
    if start is not None and start > end:
        raise Conflict(f"baseline_start {start} is after baseline_date {end}.", field="baseline_start")
    weight = m.weight_krw if data.weight_krw is None else data.weight_krw
    previous_forecast = m.forecast_date
    forecast = m.forecast_date
    schedule = _load(session)
    if m.status in OPEN_STATUSES:
        # A longer duration may no longer fit after the predecessors: the forecast moves with it.
        duration = 0 if start is None else (end - start).days
        nodes = dict(schedule.nodes)
        nodes[m.code] = graphs.ScheduleNode(code=m.code, duration_days=duration, finish=forecast)
        allowed = graphs.earliest_allowed_finish(m.code, nodes, schedule.graph)
        if allowed is not None and allowed[0] > forecast:
            forecast = allowed[0]
    assert m.id is not None
    record = MilestoneRebaseline(
        milestone_id=m.id,
        previous_baseline_start=m.baseline_start,
        previous_baseline_date=m.baseline_date,
        previous_weight_krw=m.weight_krw,
        new_baseline_start=start,
        new_baseline_date=end,
        new_weight_krw=weight,
        reason=data.reason,
        approved_by=actor.name,
        approved_role=str(actor.role),
    )
    m.baseline_start, m.baseline_date, m.weight_krw, m.forecast_date = start, end, weight, forecast
    m.updated_at = now_utc()
    session.add(m)
    session.add(record)
    flush_versioned(session, what=_what(m))
    _audit(session, actor, "rebaseline", m)
    audit.record(
        session,
        actor=actor,
        action="create",
        entity_type="milestone_rebaseline",
        entity_id=record.id or 0,
        state=record,
    )
    slip: SlipReport | None = None
    if m.status in OPEN_STATUSES:
        schedule = _load(session)
        moved = graphs.propagate(schedule.nodes, schedule.graph, {m.code: m.forecast_date})
        report_moves = _apply_moves(session, schedule, moved, actor, dry_run=False)
        if report_moves or previous_forecast != m.forecast_date:
            slip = _slip_report(m, previous_forecast, m.forecast_date, report_moves, applied=True)
    return MilestoneChange(milestone=to_public(session, m), slip=slip)


# --- delete ------------------------------------------------------------------------------------------------------


def delete_milestone(*, session: Session, id: int, if_match: int | None, actor: Principal) -> None:
    """Delete a milestone nothing depends on, with its own dependency edges and progress reports."""
    _lock_graph(session)
    m = _get_row(session, id, for_update=True)
    check_version(m, if_match, what=_what(m))
    dependents = session.exec(
        select(Milestone.code)
        .join(MilestoneDependency, col(MilestoneDependency.successor_id) == col(Milestone.id))
        .where(col(MilestoneDependency.predecessor_id) == id)
        .order_by(col(Milestone.code))
    ).all()
    if dependents:
        names = ", ".join(dependents)
        raise Conflict(f"{_what(m)} cannot be deleted: {names} depend on it; remove those dependencies first.")
    if session.exec(select(MilestoneRebaseline.id).where(col(MilestoneRebaseline.milestone_id) == id)).first():
        raise Conflict(f"{_what(m)} has approved re-baselines on record; cancel it instead of deleting it.")
    for edge in session.exec(select(MilestoneDependency).where(col(MilestoneDependency.successor_id) == id)):
        audit.record(
            session,
            actor=actor,
            action="delete",
            entity_type="milestone_dependency",
            entity_id=edge.id or 0,
            state=edge,
        )
    for progress in session.exec(select(MilestoneProgress).where(col(MilestoneProgress.milestone_id) == id)):
        audit.record(
            session,
            actor=actor,
            action="delete",
            entity_type="milestone_progress",
            entity_id=progress.id or 0,
            state=progress,
        )
    session.execute(delete(MilestoneDependency).where(col(MilestoneDependency.successor_id) == id))
    session.execute(delete(MilestoneProgress).where(col(MilestoneProgress.milestone_id) == id))
    _audit(session, actor, "delete", m)
    session.delete(m)
    flush_versioned(session, what=_what(m), expected=if_match)


# --- dependencies ------------------------------------------------------------------------------------------------


def _dependency_public(edge: MilestoneDependency, by_id: dict[int, Milestone]) -> DependencyPublic:
    assert edge.id is not None
    return DependencyPublic(
        id=edge.id,
        predecessor_id=edge.predecessor_id,
        predecessor_code=by_id[edge.predecessor_id].code,
        successor_id=edge.successor_id,
        successor_code=by_id[edge.successor_id].code,
        created_at=edge.created_at,
        created_by=edge.created_by,
    )


def add_dependency(
    *, session: Session, successor_id: int, data: DependencyCreate, actor: Principal
) -> DependencyChange:
    """Make `successor_id` depend on `data.predecessor_id`; 409 naming the cycle if it would close one.

    The successor's forecast (and its dependents') is pushed later when the new constraint requires it.
    """
    _lock_graph(session)
    schedule = _load(session)
    succ = schedule.by_id.get(successor_id)
    if succ is None:
        raise NotFound(f"No milestone with id {successor_id}.", field="id")
    pred = schedule.by_id.get(data.predecessor_id)
    if pred is None:
        raise NotFound(f"No milestone with id {data.predecessor_id}.", field="predecessor_id")
    if any(e.predecessor_id == pred.id and e.successor_id == succ.id for e in schedule.edges):
        raise Conflict(f"'{succ.code}' already depends on '{pred.code}'.", field="predecessor_id")
    # Cancelled milestones are out of the schedule, but a cycle through them is still refused.
    full = graphs.build_graph(
        (m.code for m in schedule.by_id.values()),
        ((schedule.by_id[e.predecessor_id].code, schedule.by_id[e.successor_id].code) for e in schedule.edges),
    )
    cycle = graphs.cycle_if_added(full, pred.code, succ.code)
    if cycle is not None:
        raise Conflict(
            f"Making '{succ.code}' depend on '{pred.code}' would close the cycle {graphs.format_cycle(cycle)}.",
            field="predecessor_id",
        )
    assert pred.id is not None and succ.id is not None
    edge = MilestoneDependency(predecessor_id=pred.id, successor_id=succ.id, created_by=actor.name)
    session.add(edge)
    session.flush()
    audit.record(
        session, actor=actor, action="create", entity_type="milestone_dependency", entity_id=edge.id or 0, state=edge
    )
    moved_report: list[MovedMilestone] = []
    if pred.code in schedule.graph and succ.code in schedule.graph:
        schedule.graph.add_edge(pred.code, succ.code)
        moved = graphs.propagate(schedule.nodes, schedule.graph, {pred.code: schedule.nodes[pred.code].finish})
        moved_report = _apply_moves(session, schedule, moved, actor, dry_run=False)
    return DependencyChange(dependency=_dependency_public(edge, schedule.by_id), moved=moved_report)


def remove_dependency(*, session: Session, successor_id: int, predecessor_id: int, actor: Principal) -> None:
    """Remove one dependency edge (forecasts stay where they are: nothing is pulled earlier)."""
    _lock_graph(session)
    _get_row(session, successor_id)
    edge = session.exec(
        select(MilestoneDependency).where(
            col(MilestoneDependency.successor_id) == successor_id,
            col(MilestoneDependency.predecessor_id) == predecessor_id,
        )
    ).first()
    if edge is None:
        raise NotFound(
            f"Milestone {successor_id} does not depend on milestone {predecessor_id}.", field="predecessor_id"
        )
    audit.record(
        session, actor=actor, action="delete", entity_type="milestone_dependency", entity_id=edge.id or 0, state=edge
    )
    session.delete(edge)
    session.flush()


def list_dependencies(*, session: Session, id: int) -> list[DependencyPublic]:
    """Edges into and out of one milestone."""
    schedule = _load(session)
    if id not in schedule.by_id:
        raise NotFound(f"No milestone with id {id}.", field="id")
    edges = [e for e in schedule.edges if id in (e.predecessor_id, e.successor_id)]
    return [_dependency_public(e, schedule.by_id) for e in sorted(edges, key=lambda e: e.id or 0)]


# --- analysis ----------------------------------------------------------------------------------------------------


def critical_path(*, session: Session, to: int | None = None) -> CriticalPathPublic:
    """The chain of driving milestones up to milestone `to` (default: the program's end)."""
    schedule = _load(session)
    target_code: str | None = None
    if to is not None:
        target = schedule.by_id.get(to)
        if target is None:
            raise NotFound(f"No milestone with id {to}.", field="to")
        if target.status == MilestoneStatus.cancelled:
            raise Conflict(f"{_what(target)} is cancelled and no longer scheduled.", field="to")
        target_code = target.code
    path = graphs.critical_path(schedule.nodes, schedule.graph, target_code)
    if path is None:
        return CriticalPathPublic(target_id=None, target_code=None, finish=None, baseline_date=None, steps=[])
    steps = []
    for step in path.steps:
        m = schedule.by_code[step.code]
        assert m.id is not None
        steps.append(
            PathStepPublic(
                id=m.id,
                code=m.code,
                title_ko=m.title_ko,
                title_en=m.title_en,
                workstream=m.workstream,
                status=m.status,
                baseline_date=m.baseline_date,
                earliest_finish=step.earliest_finish,
                duration_days=step.duration_days,
                float_days=step.float_days,
            )
        )
    end = schedule.by_code[path.target]
    return CriticalPathPublic(
        target_id=end.id, target_code=end.code, finish=path.finish, baseline_date=end.baseline_date, steps=steps
    )


def late(*, session: Session, as_of: date | None = None) -> list[LateMilestone]:
    """Milestones late as of a date (default today), most late first, each with the open dependents it delays."""
    as_of = as_of or today_seoul()
    rows = list(session.exec(select(Milestone).where(late_clause(as_of))))
    if not rows:
        return []
    schedule = _load(session)
    preds = _predecessor_ids(session, [m.id or 0 for m in rows])
    out: list[LateMilestone] = []
    for m in rows:
        expected = max(m.forecast_date, as_of) if m.actual_date is None else m.actual_date
        delays: list[DelayedMilestone] = []
        if m.code in schedule.graph:
            for code in sorted(graphs.descendants(schedule.graph, m.code)):
                d = schedule.by_code[code]
                if d.status in OPEN_STATUSES and d.id is not None:
                    delays.append(
                        DelayedMilestone(
                            id=d.id,
                            code=d.code,
                            title_en=d.title_en,
                            title_ko=d.title_ko,
                            forecast_date=d.forecast_date,
                            baseline_date=d.baseline_date,
                            misses_baseline=d.forecast_date > d.baseline_date,
                        )
                    )
        delays.sort(key=lambda d: (d.forecast_date, d.code))
        out.append(
            LateMilestone(
                milestone=_public(m, preds.get(m.id or 0, [])),
                days_late=(expected - m.baseline_date).days,
                expected_finish=expected,
                delays=delays,
            )
        )
    out.sort(key=lambda x: (-x.days_late, x.milestone.code))
    return out


@dataclass(frozen=True)
class EvmMilestone:
    """What earned value needs from one scheduled milestone: its baseline, weight and dated progress."""

    code: str
    workstream: WorkstreamCode
    work: PlannedWork
    status: MilestoneStatus
    baseline_date: date
    forecast_date: date
    actual_date: date | None
    # (reported_on, percent_complete), oldest first.
    progress: tuple[tuple[date, int], ...]

    def percent_as_of(self, as_of: date) -> int:
        """Percent complete by the latest progress report dated on or before `as_of`."""
        percent = 0
        for reported_on, value in self.progress:
            if reported_on > as_of:
                break
            percent = value
        return percent

    def done_by(self, as_of: date) -> bool:
        """True when the milestone was done on or before `as_of`."""
        return self.actual_date is not None and self.actual_date <= as_of

    def late_as_of(self, as_of: date) -> bool:
        """Late by the rule in the module docstring."""
        if self.done_by(as_of):
            return False
        return self.baseline_date < as_of or (self.actual_date is None and self.forecast_date > self.baseline_date)


def evm_inputs(*, session: Session) -> list[EvmMilestone]:
    """Every scheduled (not cancelled) milestone with its progress history, for earned value."""
    milestones = list(
        session.exec(
            select(Milestone).where(col(Milestone.status) != MilestoneStatus.cancelled).order_by(col(Milestone.code))
        )
    )
    progress: dict[int, list[tuple[date, int]]] = defaultdict(list)
    rows = session.execute(
        sa_select(_PROG.milestone_id, _PROG.reported_on, _PROG.percent_complete)
        .join(Milestone.__table__, _M.id == _PROG.milestone_id)  # type: ignore[attr-defined]
        .where(_M.status != MilestoneStatus.cancelled)
        .order_by(_PROG.milestone_id, _PROG.reported_on, _PROG.id)
    )
    for milestone_id, reported_on, percent in rows:
        progress[milestone_id].append((reported_on, percent))
    return [
        EvmMilestone(
            code=m.code,
            workstream=m.workstream,
            work=PlannedWork(weight_krw=m.weight_krw, baseline_start=m.baseline_start, baseline_date=m.baseline_date),
            status=m.status,
            baseline_date=m.baseline_date,
            forecast_date=m.forecast_date,
            actual_date=m.actual_date if m.status == MilestoneStatus.done else None,
            progress=tuple(progress.get(m.id or 0, [])),
        )
        for m in milestones
    ]


# --- reports, agendas and reminders ------------------------------------------------------------------------------

# Milestones whose `source` names a regulator order or requirement (seed: "MSIT order 3 (2025-09-10)", "MSIT:
# prevention plan due January 2026"): the prevention plan the regulator checks.
REGULATOR_SOURCE_PREFIX = "MSIT"


def regulatory(*, session: Session) -> list[MilestonePublic]:
    """Milestones that come from the regulator's orders and requirements (source starts with 'MSIT'), by baseline."""
    rows = list(
        session.exec(
            select(Milestone)
            .where(func.upper(col(Milestone.source)).like(f"{REGULATOR_SOURCE_PREFIX}%"))
            .order_by(col(Milestone.baseline_date), col(Milestone.code))
        )
    )
    preds = _predecessor_ids(session, [m.id or 0 for m in rows])
    return [_public(m, preds.get(m.id or 0, [])) for m in rows]


def owners_by_workstream(*, session: Session) -> dict[str, list[str]]:
    """The distinct owners of each workstream's scheduled (not cancelled) milestones, alphabetically."""
    rows = session.execute(
        sa_select(_M.workstream, _M.owner)
        .where(_M.status != MilestoneStatus.cancelled)
        .group_by(_M.workstream, _M.owner)
        .order_by(_M.workstream, _M.owner)
    )
    out: dict[str, list[str]] = defaultdict(list)
    for workstream, owner in rows:
        out[str(workstream)].append(owner)
    return dict(out)


# A late milestone is put before a meeting as medium; late by more than these many days, high, then critical.
AGENDA_HIGH_AFTER_DAYS = 30
AGENDA_CRITICAL_AFTER_DAYS = 90


def agenda_items(session: Session, ctx: AgendaContext) -> Iterable[AgendaItem]:
    """Agenda source: milestones late on the meeting's day, with how many open milestones each one holds up."""
    for item in late(session=session, as_of=ctx.today):
        m = item.milestone
        if item.days_late > AGENDA_CRITICAL_AFTER_DAYS:
            severity = Severity.critical
        elif item.days_late > AGENDA_HIGH_AFTER_DAYS:
            severity = Severity.high
        else:
            severity = Severity.medium
        held_up = len(item.delays)
        yield AgendaItem(
            kind="milestone_late",
            title=f"Late milestone {m.code}: {m.title_en}"[:300],
            severity=severity,
            owner=m.owner,
            due_on=m.baseline_date,
            status=f"{item.days_late} days late",
            ref_type="milestone",
            ref_id=str(m.id),
            detail=f"Forecast {m.forecast_date.isoformat()}; holds up {held_up} open milestone(s)."
            if held_up
            else None,
        )


def due_items(session: Session, today: date, until: date) -> Iterable[DueItem]:
    """Reminder source: open milestones whose baseline date falls by `until` (overdue ones included)."""
    rows = session.exec(
        select(Milestone)
        .where(col(Milestone.status).in_(OPEN_STATUSES), col(Milestone.baseline_date) <= until)
        .order_by(col(Milestone.baseline_date), col(Milestone.id))
    )
    for m in rows:
        yield DueItem(
            kind="milestone",
            title=f"{m.code}: {m.title_en}",
            owner=m.owner,
            due_on=m.baseline_date,
            status=f"{m.status} {m.percent_complete}%, forecast {m.forecast_date.isoformat()}",
            ref_type="milestone",
            ref_id=str(m.id),
        )
