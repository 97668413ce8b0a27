"""Seed step: a deterministic synthetic inventory (ILLUSTRATIVE demo data, see seed/synthetic.py).

Loads N femtocells, a legacy-equipment inventory and the access events that go with them, all through the same
validated, audited bulk paths a real import uses. Running it again leaves the inventory unchanged (upserts) and
does not ingest the access events twice.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from inventory.access_events import service as access_events
from inventory.access_events.models import AccessEventBatch
from inventory.equipment import service as equipment
from inventory.femtocells import service as femtocells
from seed import synthetic
from tracker.flows import SeedContext

SEED_SOURCE = "seed:synthetic (illustrative)"


def equipment_count(devices: int) -> int:
    """Size of the synthetic legacy-equipment inventory: 1,000 to 3,000 items, growing with the fleet."""
    return max(1_000, min(3_000, devices // 10))


def seed_inventory(session: Session, ctx: SeedContext) -> dict[str, int]:
    """Load the synthetic femtocells, legacy equipment and access events; returns counts."""
    fleet = femtocells.import_records(
        session=session,
        records=synthetic.femtocell_rows(ctx.devices, ctx.random_seed),
        actor=ctx.actor,
        what="seed",
    )
    items = equipment.import_records(
        session=session,
        records=synthetic.equipment_rows(equipment_count(ctx.devices), ctx.random_seed),
        actor=ctx.actor,
        what="seed",
    )
    events = 0
    batches = AccessEventBatch.__table__.c  # type: ignore[attr-defined]
    already = session.execute(select(batches.id).where(batches.source == SEED_SOURCE)).first()
    if already is None:
        rows = enumerate(synthetic.access_event_rows(ctx.devices, ctx.random_seed), start=1)
        events = access_events.ingest(session=session, rows=rows, source=SEED_SOURCE, actor=ctx.actor).count
    return {
        "femtocells (illustrative)": fleet.created + fleet.updated + fleet.unchanged,
        "legacy equipment (illustrative)": items.created + items.updated + items.unchanged,
        "access events (illustrative)": events,
    }
