"""Seed step: the replacement waves of seed/replacement.yaml, and a demo state of the synthetic inventory.

Creates the waves (linked to the legacy_replacement budget line of their year and to their milestone), then
reshapes the synthetic equipment that already names a wave into a plausible state on the demo day: every item
already replaced or being replaced belongs to wave 1, wave 1 is about 55 % done at a pace that finishes after its
target end (a wave behind), wave 2 is in procurement, waves 3 and 4 are planned. Each item gets its own target date
spread over its wave's quarters. All changes go through the equipment bulk-upsert path (validated, lifecycle-checked,
audited per item); the result depends only on the synthetic inventory, so it is deterministic.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlmodel import Session

from inventory.equipment import service as equipment_service
from inventory.equipment.models import Equipment, EquipmentCreate, EquipmentStatus
from inventory.replacement import service
from inventory.replacement.models import ReplacementWave, WaveCreate
from inventory.replacement.progress import quarters_between
from tracker.milestones.models import Milestone
from tracker.plan.models import BudgetLine, WorkstreamCode
from tracker.plan.seed import invalid_seed, read_yaml
from tracker.types import SEOUL

if TYPE_CHECKING:
    from tracker.flows import SeedContext

FILE = "replacement.yaml"
E = EquipmentStatus
# The lifecycle path an item walks towards being replaced.
_PATH = [E.in_service, E.replacement_planned, E.replacing, E.replaced]
_DONE = {E.replaced, E.retired}


def _links(session: Session, entry: dict[str, Any]) -> dict[str, int | None]:
    lines = BudgetLine.__table__.c  # type: ignore[attr-defined]
    milestones = Milestone.__table__.c  # type: ignore[attr-defined]
    line = session.execute(
        select(lines.id).where(
            lines.workstream == WorkstreamCode.legacy_replacement.value, lines.year == entry["budget_year"]
        )
    ).scalar()
    milestone = session.execute(select(milestones.id).where(milestones.code == entry.get("milestone"))).scalar()
    return {"budget_line_id": line, "milestone_id": milestone}


def _create_waves(session: Session, ctx: SeedContext, entries: list[dict[str, Any]]) -> list[ReplacementWave]:
    waves = []
    for entry in entries:
        fields = {k: v for k, v in entry.items() if k not in ("budget_year", "milestone")}
        try:
            data = WaveCreate.model_validate({**fields, **_links(session, entry)})
        except (ValidationError, KeyError) as exc:
            raise invalid_seed(FILE, f"wave {entry.get('code')!r}", exc) from exc
        service.create(session=session, data=data, actor=ctx.actor)
        wave = service.by_code(session, data.code)
        assert wave is not None
        waves.append(wave)
    return waves


def _rank(status: EquipmentStatus) -> int:
    # Done items first, then those being replaced: they must land in wave 1.
    return {E.replaced: 0, E.retired: 0, E.replacing: 1, E.replacement_planned: 2, E.in_service: 3}[status]


def _spread(day_from: date, day_to: date, index: int, count: int) -> date:
    span = (day_to - day_from).days
    return day_from + timedelta(days=span * index // max(count - 1, 1))


def _noon(day: date) -> str:
    return datetime.combine(day, time(12), tzinfo=SEOUL).astimezone(UTC).isoformat()


def plan_demo_state(
    items: list[dict[str, Any]], waves: list[ReplacementWave], demo: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """The target fields per asset tag (wave, target date, status, replaced_at): a pure, deterministic plan."""
    pool = sorted(items, key=lambda r: (_rank(E(r["status"])), r["asset_tag"]))
    fixed = sum(1 for r in pool if E(r["status"]) in _DONE | {E.replacing})
    shares = demo["wave_shares"]
    sizes = [max(fixed, round(shares[waves[0].code] * len(pool)))]
    for wave in waves[1:-1]:
        sizes.append(round(shares[wave.code] * len(pool)))
    sizes.append(len(pool) - sum(sizes))
    plan: dict[str, dict[str, Any]] = {}
    start = 0
    for number, (wave, size) in enumerate(zip(waves, sizes, strict=True)):
        members = pool[start : start + max(size, 0)]
        start += max(size, 0)
        quarter_ends = [q.end for q in quarters_between(wave.target_start, wave.target_end)]
        if number == 0:
            done = max(sum(1 for r in members if E(r["status"]) in _DONE), round(demo["w1_replaced"] * len(members)))
            replacing = round(demo["w1_replacing"] * len(members))
        else:
            done = 0
            replacing = round(demo["w2_replacing"] * len(members)) if number == 1 else 0
        new_done = [r["asset_tag"] for r in members[:done] if E(r["status"]) not in _DONE]
        position_of = {tag: i for i, tag in enumerate(new_done)}
        for index, row in enumerate(members):
            current = E(row["status"])
            if index < done:
                status = current if current in _DONE else E.replaced
            elif index < done + replacing or current is E.replacing:
                status = E.replacing
            else:
                status = E.replacement_planned
            target = quarter_ends[index * len(quarter_ends) // max(len(members), 1)]
            entry: dict[str, Any] = {"replacement_wave": wave.code, "target_date": target, "status": status}
            if row["asset_tag"] in position_of:
                position = position_of[row["asset_tag"]]
                day = _spread(demo["w1_replaced_from"], demo["w1_replaced_to"], position, len(new_done))
                entry["replaced_at"] = _noon(day)
            plan[row["asset_tag"]] = entry
    return plan


def _steps(current: EquipmentStatus, target: EquipmentStatus) -> list[EquipmentStatus]:
    """The lifecycle states between `current` and `target` (exclusive, inclusive)."""
    if current == target or current in _DONE:
        return []
    return _PATH[_PATH.index(current) + 1 : _PATH.index(target) + 1]


def _row_fields(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in EquipmentCreate.model_fields}


def load(session: Session, ctx: SeedContext) -> dict[str, int]:
    """Seed step: create the waves once and shape the synthetic equipment into the demo state."""
    data = read_yaml(FILE)
    if service.by_code(session, data["waves"][0]["code"]) is not None:
        return {"replacement waves": 0}
    waves = _create_waves(session, ctx, data["waves"])
    table = Equipment.__table__  # type: ignore[attr-defined]
    codes = [w.code for w in waves]
    rows = [
        dict(r._mapping)
        for r in session.execute(
            select(table).where(table.c.replacement_wave.in_(codes), service.in_scope()).order_by(table.c.asset_tag)
        )
    ]
    plan = plan_demo_state(rows, waves, data["demo"])
    # Walk every item along the lifecycle one step per pass (the import refuses skipped steps).
    pending = {r["asset_tag"]: (r, _steps(E(r["status"]), plan[r["asset_tag"]]["status"])) for r in rows}
    passes = 0
    while True:
        batch: list[dict[str, Any]] = []
        for tag, (row, steps) in pending.items():
            target = plan[tag]
            fields = _row_fields(row)
            fields.update(replacement_wave=target["replacement_wave"], target_date=target["target_date"])
            if steps:
                fields["status"] = steps.pop(0)
                if fields["status"] is E.replaced:
                    fields["replaced_at"] = target.get("replaced_at")
            elif passes > 0:
                continue
            batch.append(_serialisable(fields))
            row.update(fields)
        if not batch:
            break
        equipment_service.import_records(session=session, records=batch, actor=ctx.actor, what="seed")
        passes += 1
    return {"replacement waves (illustrative)": len(waves), "equipment placed in waves (illustrative)": len(rows)}


def _serialisable(fields: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if isinstance(value, date):  # datetimes too
            out[key] = value.isoformat()
        elif isinstance(value, EquipmentStatus):
            out[key] = value.value
        else:
            out[key] = value
    return out
