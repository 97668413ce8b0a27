"""Replacement waves: create, read, list, change, assign equipment, and progress (planned vs actual, forecast).

Equipment moves in and out of waves through the equipment service, so every item's change is audited as an
equipment update with its full state, exactly as a PATCH of that item would be. Progress figures are aggregates
in SQL (one grouped query for the totals, one for the cumulative counts per quarter end), folded by the pure
functions of `inventory.replacement.progress`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, case, func, not_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from inventory.equipment import service as equipment_service
from inventory.equipment.models import Equipment, EquipmentStatus, EquipmentUpdate
from inventory.replacement import progress as calc
from inventory.replacement.models import (
    AssignmentRequest,
    AssignmentResult,
    ReplacementStatus,
    ReplacementWave,
    WaveCreate,
    WaveProgress,
    WavePublic,
    WaveUpdate,
)
from tracker.audit import service as audit
from tracker.auth.models import Principal
from tracker.errors import Conflict, NotFound
from tracker.governance.items import AgendaContext, AgendaItem, DueItem, Severity
from tracker.milestones.models import Milestone
from tracker.pagination import DEFAULT_LIMIT, Page, build_page, keyset_page
from tracker.plan.calendar import today_seoul
from tracker.plan.fields import FIRST_DAY, LAST_DAY, changes_of
from tracker.plan.models import BudgetLine, WorkstreamCode
from tracker.records import check_version, flush_versioned
from tracker.types import SEOUL, now_utc

ENTITY = "replacement_wave"
# A wave late by more than this many days is a critical agenda item rather than a high one.
CRITICAL_AFTER_DAYS = 90
_wave_table = ReplacementWave.__table__  # type: ignore[attr-defined]
_equipment_table = Equipment.__table__  # type: ignore[attr-defined]
_w = _wave_table.c
_e = _equipment_table.c


def _what(wave: ReplacementWave) -> str:
    return f"Replacement wave '{wave.code}' (id {wave.id})"


def in_scope() -> ColumnElement[bool]:
    """Equipment that counts in a wave: everything but items retired without having been replaced."""
    return not_(and_(_e.status == EquipmentStatus.retired.value, _e.replaced_at.is_(None)))


def start_of(day: date) -> datetime:
    """The instant a Seoul calendar day begins, in UTC."""
    return datetime.combine(day, time(0), tzinfo=SEOUL).astimezone(UTC)


# --- waves -----------------------------------------------------------------------------------------------------


def _counts(session: Session, codes: Sequence[str]) -> dict[str, tuple[int, int]]:
    """(planned, replaced) per wave code, now."""
    if not codes:
        return {}
    stmt = (
        select(
            _e.replacement_wave,
            func.count(),
            func.sum(case((_e.replaced_at.is_not(None), 1), else_=0)),
        )
        .where(_e.replacement_wave.in_(list(codes)), in_scope())
        .group_by(_e.replacement_wave)
    )
    return {code: (int(total), int(done or 0)) for code, total, done in session.execute(stmt)}


def _public(wave: ReplacementWave, counts: tuple[int, int]) -> WavePublic:
    planned, replaced = counts
    return WavePublic.model_validate(
        wave,
        from_attributes=True,
        update={"planned_count": planned, "replaced_count": replaced, "remaining_count": planned - replaced},
    )


def to_public(session: Session, wave: ReplacementWave) -> WavePublic:
    """A wave with its current counts."""
    return _public(wave, _counts(session, [wave.code]).get(wave.code, (0, 0)))


def _row(session: Session, id: int) -> ReplacementWave:
    wave = session.get(ReplacementWave, id)
    if wave is None:
        raise NotFound(f"No replacement wave with id {id}.", field="id")
    return wave


def by_code(session: Session, code: str) -> ReplacementWave | None:
    """The wave with this code, if any."""
    return session.execute(select(ReplacementWave).where(_w.code == code)).scalars().first()


def _check_links(session: Session, values: dict[str, Any]) -> None:
    """The dates are in order, the budget line and milestone exist and belong to legacy replacement."""
    start, end = values.get("target_start"), values.get("target_end")
    if start is not None and end is not None and start > end:
        raise Conflict(f"target_start {start.isoformat()} is after target_end {end.isoformat()}.", field="target_start")
    line_id = values.get("budget_line_id")
    if line_id is not None:
        line = session.get(BudgetLine, line_id)
        if line is None:
            raise NotFound(f"No budget line with id {line_id}.", field="budget_line_id")
        if line.workstream != WorkstreamCode.legacy_replacement:
            raise Conflict(
                f"Budget line {line_id} belongs to workstream '{line.workstream}', not legacy_replacement.",
                field="budget_line_id",
            )
    milestone_id = values.get("milestone_id")
    if milestone_id is not None:
        milestone = session.get(Milestone, milestone_id)
        if milestone is None:
            raise NotFound(f"No milestone with id {milestone_id}.", field="milestone_id")
        if milestone.workstream != WorkstreamCode.legacy_replacement:
            raise Conflict(
                f"Milestone '{milestone.code}' belongs to workstream '{milestone.workstream}', not legacy_replacement.",
                field="milestone_id",
            )


def create(*, session: Session, data: WaveCreate, actor: Principal) -> WavePublic:
    """Add a wave; 409 if its code is taken or its links do not fit."""
    if by_code(session, data.code) is not None:
        raise Conflict(f"A replacement wave with code '{data.code}' already exists.", field="code")
    values = data.model_dump()
    _check_links(session, values)
    now = now_utc()
    wave = ReplacementWave(**values, created_at=now, updated_at=now)
    session.add(wave)
    session.flush()
    audit.record(session, actor=actor, action="create", entity_type=ENTITY, entity_id=wave.id or 0, state=wave)
    return to_public(session, wave)


def get(*, session: Session, id: int) -> WavePublic:
    """One wave by id, with its counts; 404 if there is none."""
    return to_public(session, _row(session, id))


def list_waves(*, session: Session, cursor: str | None = None, limit: int = DEFAULT_LIMIT) -> Page[WavePublic]:
    """Waves by code, one keyset page at a time, each with its counts."""
    kind = "replacement_wave:code:asc"
    stmt = keyset_page(
        select(ReplacementWave), kind=kind, sort_column=_w.code, id_column=_w.id, cursor=cursor, limit=limit
    )
    page = build_page(list(session.execute(stmt).scalars()), kind=kind, limit=limit, sort_attr="code")
    counts = _counts(session, [w.code for w in page.items])
    return Page(items=[_public(w, counts.get(w.code, (0, 0))) for w in page.items], next_cursor=page.next_cursor)


def update(*, session: Session, id: int, data: WaveUpdate, if_match: int | None, actor: Principal) -> WavePublic:
    """Change a wave's names, description, dates or links; If-Match → 412 if stale."""
    wave = _row(session, id)
    check_version(wave, if_match, what=_what(wave))
    changes = {k: v for k, v in changes_of(data).items() if getattr(wave, k) != v}
    if not changes:
        return to_public(session, wave)
    merged = {**wave.model_dump(), **changes}
    _check_links(session, {k: merged[k] for k in ("target_start", "target_end")} | changes)
    for key, value in changes.items():
        setattr(wave, key, value)
    wave.updated_at = now_utc()
    session.add(wave)
    flush_versioned(session, what=_what(wave), expected=if_match)
    audit.record(session, actor=actor, action="update", entity_type=ENTITY, entity_id=wave.id or 0, state=wave)
    return to_public(session, wave)


# --- assignment ----------------------------------------------------------------------------------------------------


def _missing_message(missing: list[str]) -> str:
    shown = ", ".join(missing[:10])
    more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
    return f"No equipment with asset tag {shown}{more}."


def _assignment_changes(item: Equipment, data: AssignmentRequest) -> dict[str, Any]:
    """The equipment fields an assignment changes for one item; 409 where the item's state forbids it."""
    changes: dict[str, Any] = {}
    status = EquipmentStatus(item.status)
    if data.wave is not None:
        if status is EquipmentStatus.retired and item.replaced_at is None:
            raise Conflict(
                f"Equipment '{item.asset_tag}' was retired without replacement; it cannot join a wave.",
                field="asset_tags",
            )
        if item.replacement_wave != data.wave:
            changes["replacement_wave"] = data.wave
        if status is EquipmentStatus.in_service:
            # Joining a wave plans the item's replacement.
            changes["status"] = EquipmentStatus.replacement_planned
    else:
        if status is EquipmentStatus.replacing:
            raise Conflict(
                f"Equipment '{item.asset_tag}' is being replaced; it cannot leave its wave now.", field="asset_tags"
            )
        if item.replacement_wave is not None:
            changes["replacement_wave"] = None
        if status is EquipmentStatus.replacement_planned:
            changes["status"] = EquipmentStatus.in_service
    if data.target_date is not None and item.target_date != data.target_date:
        changes["target_date"] = data.target_date
    return changes


def assign(*, session: Session, data: AssignmentRequest, actor: Principal) -> AssignmentResult:
    """Put equipment into a wave (or out of any with wave null); each changed item is an audited equipment update.

    All or nothing: an unknown wave code is 409, unknown asset tags 404 (naming them), and an item whose state
    forbids the move 409, with nothing changed.
    """
    if data.wave is not None and by_code(session, data.wave) is None:
        raise Conflict(
            f"No replacement wave with code '{data.wave}'; create it first (POST /replacement/waves).", field="wave"
        )
    tags = list(dict.fromkeys(data.asset_tags))
    items = {e.asset_tag: e for e in session.execute(select(Equipment).where(_e.asset_tag.in_(tags))).scalars()}
    missing = [t for t in tags if t not in items]
    if missing:
        raise NotFound(_missing_message(missing), field="asset_tags")
    planned = [(items[t], _assignment_changes(items[t], data)) for t in tags]
    changed = 0
    for item, changes in planned:
        if not changes:
            continue
        equipment_service.update(
            session=session,
            equipment_id=item.id or 0,
            data=EquipmentUpdate(**changes),
            if_match=None,
            actor=actor,
        )
        changed += 1
    return AssignmentResult(wave=data.wave, changed=changed, unchanged=len(tags) - changed)


# --- progress ------------------------------------------------------------------------------------------------------


def _clamp(day: date) -> date:
    # Equipment target dates are not bounded like plan dates; the quarter axis is.
    return min(max(day, FIRST_DAY), LAST_DAY)


def _as_date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


def _seoul_day(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(SEOUL).date()


def status(*, session: Session, as_of: date | None = None) -> ReplacementStatus:
    """Planned vs actual per quarter, burn-down and forecast per wave and for the programme, as of a date."""
    as_of = as_of or today_seoul()
    end_instant = start_of(as_of + timedelta(days=1))
    window_instant = start_of(as_of - timedelta(days=calc.WINDOW_DAYS - 1))
    waves = list(session.execute(select(ReplacementWave).order_by(_w.code, _w.id)).scalars())
    planned_on = func.coalesce(_e.target_date, _w.target_end)
    done = and_(_e.replaced_at.is_not(None), _e.replaced_at < end_instant)
    joined = select().select_from(_equipment_table.join(_wave_table, _e.replacement_wave == _w.code)).where(in_scope())
    totals_stmt = joined.add_columns(
        _w.code,
        func.count(),
        func.sum(case((done, 1), else_=0)),
        func.sum(case((and_(done, _e.replaced_at >= window_instant), 1), else_=0)),
        func.min(planned_on),
        func.max(planned_on),
        func.min(case((done, _e.replaced_at), else_=None)),
        func.max(case((done, _e.replaced_at), else_=None)),
    ).group_by(_w.code)
    totals = {row[0]: row[1:] for row in session.execute(totals_stmt)}
    firsts = [as_of]
    lasts = [as_of]
    for _, _, _, first_planned, last_planned, first_done, _ in totals.values():
        firsts += [d for d in (_as_date(first_planned), _seoul_day(first_done)) if d is not None]
        lasts += [d for d in (_as_date(last_planned),) if d is not None]
    quarters = calc.quarters_between(_clamp(min(firsts)), _clamp(max(lasts))) if totals else []
    cumulative = _cumulative(session, joined, planned_on, done, quarters)
    tallies: dict[str, calc.Tally] = {}
    for wave in waves:
        total, replaced, recent, _, _, _, last_done = totals.get(wave.code, (0, 0, 0, None, None, None, None))
        planned_cum, actual_cum = cumulative.get(wave.code, ([0] * len(quarters), [0] * len(quarters)))
        tallies[wave.code] = calc.Tally(
            total=int(total),
            replaced=int(replaced or 0),
            recent=int(recent or 0),
            last_replaced=_seoul_day(last_done),
            planned_cumulative=planned_cum,
            actual_cumulative=actual_cum,
        )
    wave_progress = [
        WaveProgress(
            **calc.progress(
                quarters, tallies[w.code], as_of=as_of, target_start=w.target_start, target_end=w.target_end
            ).model_dump(),
            id=w.id or 0,
            code=w.code,
            name_ko=w.name_ko,
            name_en=w.name_en,
            budget_line_id=w.budget_line_id,
            milestone_id=w.milestone_id,
        )
        for w in waves
    ]
    programme = calc.progress(
        quarters,
        calc.combine(list(tallies.values())),
        as_of=as_of,
        target_start=min((w.target_start for w in waves), default=None),
        target_end=max((w.target_end for w in waves), default=None),
    )
    return ReplacementStatus(
        as_of=as_of,
        window_days=calc.WINDOW_DAYS,
        programme=programme,
        waves=wave_progress,
        late_waves=[w.code for w in wave_progress if w.late],
        unknown_wave_items=_unknown_wave_items(session),
    )


def _cumulative(
    session: Session, joined: Any, planned_on: Any, done: ColumnElement[bool], quarters: Sequence[calc.Quarter]
) -> dict[str, tuple[list[int], list[int]]]:
    """Per wave: items planned, and items replaced, on or before each quarter's end.

    One grouped query: each item falls in the first quarter whose end its planned date (or replacement) precedes,
    found by one searched CASE per row, and the counts per (wave, planned quarter, replaced quarter) are summed up
    cumulatively here. That is a few hundred rows at most, whatever the number of items.
    """
    if not quarters:
        return {}
    width = len(quarters)
    planned_bucket = case(*[(planned_on <= q.end, i) for i, q in enumerate(quarters)], else_=width)
    replaced_bucket = case(
        (not_(done), -1), *[(_e.replaced_at < start_of(q.next_start), i) for i, q in enumerate(quarters)], else_=width
    )
    stmt = joined.add_columns(_w.code, planned_bucket, replaced_bucket, func.count()).group_by(
        _w.code, planned_bucket, replaced_bucket
    )
    planned: dict[str, list[int]] = {}
    replaced: dict[str, list[int]] = {}
    for code, p_bucket, r_bucket, count in session.execute(stmt):
        per_planned = planned.setdefault(code, [0] * (width + 1))
        per_replaced = replaced.setdefault(code, [0] * (width + 1))
        per_planned[int(p_bucket)] += int(count)
        if int(r_bucket) >= 0:
            per_replaced[int(r_bucket)] += int(count)
    return {code: (_running(planned[code][:width]), _running(replaced[code][:width])) for code in planned}


def _running(counts: list[int]) -> list[int]:
    """Cumulative sums."""
    out, total = [], 0
    for n in counts:
        total += n
        out.append(total)
    return out


def _unknown_wave_items(session: Session) -> int:
    """Equipment naming a wave code no wave has."""
    stmt = (
        select(func.count())
        .select_from(_equipment_table)
        .where(_e.replacement_wave.is_not(None), in_scope(), _e.replacement_wave.not_in(select(_w.code)))
    )
    return int(session.execute(stmt).scalar_one())


def late_waves(session: Session, as_of: date) -> list[WaveProgress]:
    """Waves whose target end has passed with items remaining, as of a date."""
    return [w for w in status(session=session, as_of=as_of).waves if w.late]


# --- governance sources --------------------------------------------------------------------------------------------


def _owners(session: Session, waves: Sequence[WaveProgress | ReplacementWave]) -> dict[int, str]:
    """The owner of each wave by id: its milestone's owner, else the workstream."""
    ids = [w.milestone_id for w in waves if w.milestone_id is not None]
    m = Milestone.__table__.c  # type: ignore[attr-defined]
    found = dict(session.execute(select(m.id, m.owner).where(m.id.in_(ids))).tuples().all()) if ids else {}
    return {w.id or 0: found.get(w.milestone_id or 0, WorkstreamCode.legacy_replacement.value) for w in waves}


def agenda_items(session: Session, ctx: AgendaContext) -> Iterable[AgendaItem]:
    """Agenda source: waves whose target end has passed with items remaining (high; critical after 90 days)."""
    late = late_waves(session, ctx.today)
    owners = _owners(session, late)
    for w in late:
        days = (ctx.today - w.target_end).days if w.target_end else 0
        forecast = w.forecast_completion.isoformat() if w.forecast_completion else "no forecast (no recent rate)"
        yield AgendaItem(
            kind="replacement_wave_late",
            title=f"Replacement wave {w.code} ({w.name_en}) / {w.name_ko}: {w.remaining:,} of {w.total:,} items left",
            severity=Severity.critical if days > CRITICAL_AFTER_DAYS else Severity.high,
            owner=owners[w.id],
            due_on=w.target_end,
            status=f"{days} days past target; forecast {forecast}",
            ref_type=ENTITY,
            ref_id=w.code,
        )


def due_items(session: Session, today: date, until: date) -> Iterable[DueItem]:
    """Reminder source: waves with items remaining whose target end falls by `until` (overdue ones included)."""
    rows = session.execute(
        select(ReplacementWave).where(_w.target_end <= until).order_by(_w.target_end, _w.code)
    ).scalars()
    due = list(rows)
    if not due:
        return
    counts = _counts(session, [w.code for w in due])
    owners = _owners(session, due)
    for w in due:
        planned, replaced = counts.get(w.code, (0, 0))
        if planned == replaced:
            continue
        yield DueItem(
            kind="replacement_wave",
            title=f"Replacement wave {w.code}: {planned - replaced:,} of {planned:,} items to replace",
            owner=owners[w.id or 0],
            due_on=w.target_end,
            status=f"{replaced:,}/{planned:,} replaced",
            ref_type=ENTITY,
            ref_id=w.code,
        )
