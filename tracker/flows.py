"""Cross-domain orchestration: initialise, seed, and the demo that builds every artifact."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from tracker import migrate
from tracker.auth.models import Principal
from tracker.db import get_engine, write_session
from tracker.keys import ensure_signing_key
from tracker.settings import Settings, get_settings
from tracker.system import service as system_service


@dataclass
class InitResult:
    """What `sectrack init` did."""

    revision: str | None
    where: str
    created: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SeedContext:
    """Parameters every seed step receives."""

    devices: int
    random_seed: int
    actor: Principal


# A seed step loads one domain's part of seed/ and returns counts of what it created.
SeedStep = Callable[[Session, SeedContext], dict[str, int]]


def _mark_demo(session: Session, ctx: SeedContext) -> dict[str, int]:
    system_service.put(
        session=session,
        key=system_service.DEMO_DATA,
        value={"devices": ctx.devices, "random_seed": ctx.random_seed},
        actor=ctx.actor,
    )
    return {"demo marker": 1}


def _seed_inventory(session: Session, ctx: SeedContext) -> dict[str, int]:
    from inventory.seed import seed_inventory

    return seed_inventory(session, ctx)


# Ordered: later steps may read what earlier ones created. A new domain appends its loader here.
SEED_STEPS: list[SeedStep] = [_mark_demo, _seed_inventory]


def initialise(settings: Settings | None = None) -> InitResult:
    """Upgrade the database to head and create the pseudonymization and signing keys if missing."""
    settings = settings or get_settings()
    engine = get_engine(settings)
    migrate.upgrade(engine)
    result = InitResult(
        revision=migrate.current_revision(engine), where=engine.url.render_as_string(hide_password=True)
    )
    key_path = settings.data_dir / "pseudonym.key"
    if not settings.pseudonym_key and not key_path.exists():
        settings.pseudonym_key_bytes(create=True)
        result.created.append(f"pseudonymization key {key_path}")
    if ensure_signing_key(settings.signing_key_path()):
        result.created.append(f"signing key {settings.signing_key_path()}")
    return result


def seed_database(engine: Engine, *, devices: int, random_seed: int, actor: Principal) -> dict[str, int]:
    """Run every seed step in one transaction: a failed seed leaves the database as it was."""
    ctx = SeedContext(devices=devices, random_seed=random_seed, actor=actor)
    summary: dict[str, int] = {}
    with write_session(engine) as session:
        for step in SEED_STEPS:
            summary.update(step(session, ctx))
    return summary


def demo_settings(out: Path) -> Settings:
    """Settings for the demo: the configured ones, with the database (and keys) inside `out`."""
    db = (out / "sectrack.db").resolve()
    return get_settings().model_copy(update={"database_url": f"sqlite:///{db}", "signing_key": None})


def run_demo(*, out: Path, devices: int, actor: Principal) -> Iterator[str]:
    """Build a fresh demo database in `out` and write every artifact there; yields progress lines."""
    out.mkdir(parents=True, exist_ok=True)
    settings = demo_settings(out)
    # A demo is rebuilt from scratch each time so its artifacts are reproducible.
    for suffix in ("", "-wal", "-shm"):
        (out / f"sectrack.db{suffix}").unlink(missing_ok=True)
    result = initialise(settings)
    yield f"Initialised {result.where} at revision {result.revision}."
    engine = get_engine(settings)
    summary = seed_database(engine, devices=devices, random_seed=2025, actor=actor)
    yield "Seeded: " + ", ".join(f"{k} {v}" for k, v in summary.items())
