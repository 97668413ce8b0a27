"""`sectrack seed`: the synthetic inventory loads through the audited bulk paths and loads once."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select

from inventory.access_events.models import AccessEvent
from inventory.equipment.models import Equipment
from inventory.femtocells.models import Femtocell
from tracker import flows
from tracker.audit import service as audit
from tracker.auth.models import Principal
from tracker.db import read_session
from tracker.errors import Conflict


def test_seed_loads_the_synthetic_inventory_once(engine: Engine) -> None:
    actor = Principal.system("seed-test")
    first = flows.seed_database(engine, devices=400, random_seed=3, actor=actor)
    assert first["femtocells (illustrative)"] == 400
    assert first["legacy equipment (illustrative)"] == 1000
    assert first["access events (illustrative)"] > 400
    with pytest.raises(Conflict, match="already seeded"):
        flows.seed_database(engine, devices=400, random_seed=3, actor=actor)
    with read_session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Femtocell)) == 400
        assert s.scalar(select(func.count()).select_from(Equipment)) == 1000
        assert s.scalar(select(func.count()).select_from(AccessEvent)) == first["access events (illustrative)"]
        created = audit.list_events(s, entity_type="femtocell", limit=1000).items
        assert len(created) == 400 and {e.action for e in created} == {"create"}
        assert audit.verify(s).ok
