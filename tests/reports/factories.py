"""Databases and renderings for report tests."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session

from tests.replacement.factories import add_replacement
from tracker.auth import service as auth_service
from tracker.auth.models import Principal, Role, TokenCreate
from tracker.db import make_engine, write_session
from tracker.models import metadata
from tracker.system import service as system_service

SEED_ACTOR = Principal.system("cli:seed")


def mark_demo(session: Session, actor: Principal = SEED_ACTOR) -> None:
    """What `sectrack seed` records: the database holds demo data."""
    system_service.put(session=session, key=system_service.DEMO_DATA, value={"devices": 0}, actor=actor)


def add_history(session: Session, actor: Principal = SEED_ACTOR) -> None:
    """A few audited changes of different kinds."""
    for name, role in (("ops-kim", Role.staff), ("board-lee", Role.board), ("kisa", Role.regulator)):
        auth_service.create(session=session, data=TokenCreate(name=name, role=role), actor=actor)
    auth_service.revoke(session=session, name="ops-kim", actor=actor)


def add_access_events(session: Session, actor: Principal = SEED_ACTOR) -> None:
    """One batch of attach attempts through cells not in the inventory (one audit event): exposure data."""
    import io

    from inventory.access_events import service
    from inventory.imports import ImportFormat
    from tests.inventory.factories import access_event, jsonl_bytes

    rows = [
        access_event(cell_id=f"99999-DEMO{n % 3}", subscriber_id=f"45008000000{n:04d}", result=result)
        for n, result in enumerate(["accepted"] * 5 + ["rejected"])
    ]
    service.ingest_stream(
        session=session, stream=io.BytesIO(jsonl_bytes(rows)), fmt=ImportFormat.jsonl, source="demo", actor=actor
    )


def demo_engine() -> Engine:
    """An in-memory database with demo data, some history and access events."""
    engine = make_engine("sqlite://")
    metadata.create_all(engine)
    with write_session(engine) as session:
        mark_demo(session)
        add_history(session)
        add_control_run(session)
        add_access_events(session)
        add_replacement(session, SEED_ACTOR)
    return engine


def add_control_run(session: Session, actor: Principal = SEED_ACTOR) -> None:
    """The control catalog, a crafted fleet failing every automated control, and one run over it."""
    from tests.controls.factories import load_catalog, plant
    from tracker.controls import service as controls_service

    load_catalog(session, actor)
    plant(session, actor)
    controls_service.run(session=session, actor=actor)
