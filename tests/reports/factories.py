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


def demo_engine() -> Engine:
    """An in-memory database with demo data and some history."""
    engine = make_engine("sqlite://")
    metadata.create_all(engine)
    with write_session(engine) as session:
        mark_demo(session)
        add_history(session)
        add_replacement(session, SEED_ACTOR)
    return engine
