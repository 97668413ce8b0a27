"""Cross-domain orchestration: initialise, seed, and the demo that builds every artifact."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from tracker import migrate
from tracker.auth.models import Principal
from tracker.commitments import seed as commitments_seed
from tracker.controls import seed as controls_seed
from tracker.db import get_engine, read_session, write_session
from tracker.errors import Conflict
from tracker.governance import seed as governance_seed
from tracker.keys import ensure_signing_key
from tracker.plan.seed_steps import PLAN_SEED_STEPS
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


def _seed_replacement(session: Session, ctx: SeedContext) -> dict[str, int]:
    from inventory.replacement.seed import load

    return load(session, ctx)


# Ordered: later steps may read what earlier ones created. A new domain appends its loader here.
SEED_STEPS: list[SeedStep] = [_mark_demo, _seed_inventory]
SEED_STEPS += PLAN_SEED_STEPS  # program, budget, spend, milestones, zero trust, KPIs
SEED_STEPS += [_seed_replacement]  # waves on the plan's budget lines and milestones, over the inventory
SEED_STEPS += [commitments_seed.load, governance_seed.load]
# Last: the first control run reads the inventory, the plan and the commitments seeded above.
SEED_STEPS += [controls_seed.load]


def initialise(settings: Settings | None = None) -> InitResult:
    """Upgrade the database to head; create the pseudonymization and signing keys and the control catalog if missing."""
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
    # The control catalog is reference data, not demo data: a real operator's database needs the regulator's
    # orders as controls without `sectrack seed`. Controls already present keep their edits.
    from tracker.controls import seed as controls_seed
    from tracker.controls import service as controls_service

    with write_session(engine) as session:
        added = controls_service.load_catalog(
            session, controls_seed.read()["controls"], actor=Principal.system("cli:init")
        )
    if added:
        result.created.append(f"control catalog: {added} controls from seed/controls.yaml")
    return result


def seed_database(engine: Engine, *, devices: int, random_seed: int, actor: Principal) -> dict[str, int]:
    """Run every seed step in one transaction: a failed seed leaves the database as it was.

    Seeding is done once per database: demo data laid over demo data (or over real records) would mean nothing,
    so a second run is refused with a clear message instead of half-merging.
    """
    ctx = SeedContext(devices=devices, random_seed=random_seed, actor=actor)
    summary: dict[str, int] = {}
    with write_session(engine) as session:
        previous = system_service.get(session=session, key=system_service.DEMO_DATA)
        if previous:
            raise Conflict(
                f"This database was already seeded (devices {previous.get('devices')}, random seed "
                f"{previous.get('random_seed')}); seed a fresh database, or run 'sectrack demo' to rebuild one."
            )
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
    yield _demo_check(engine, actor)
    # The export comes first: the regulator report attaches its signed manifest.
    yield from _demo_exports(engine, out=out, settings=settings)
    yield from write_reports(engine, out, export_bundle=out / "audit-export.zip", archive_board_pack=actor)


def _demo_check(engine: Engine, actor: Principal) -> str:
    """`sectrack check` on the demo database: one more control run, its summary line."""
    from tracker.controls import service as controls_service
    from tracker.controls.cli import summary_line

    with write_session(engine) as session:
        return summary_line(controls_service.run(session=session, actor=actor))


def write_reports(
    engine: Engine, out: Path, *, export_bundle: Path | None = None, archive_board_pack: Principal | None = None
) -> Iterator[str]:
    """Write the board, regulator and management reports (Korean) into `out`; yields progress lines.

    The regulator report attaches the manifest of `export_bundle` (an export of the same state), or builds one.
    With `archive_board_pack` (the actor), the board pack is made for the latest board meeting and, once every
    report is written, archived against that meeting: archiving is itself an audited change, so doing it last keeps
    all three reports and the export on the same audit-chain head.
    """
    from reports.context import ReportKind
    from reports.export.service import read_manifest
    from reports.service import render_report, write_atomically
    from tracker.governance import service as governance_service

    manifest = read_manifest(export_bundle) if export_bundle is not None else None
    meeting_id: int | None = None
    if archive_board_pack is not None:
        with read_session(engine) as session:
            meeting = governance_service.latest_board_meeting(session=session)
            meeting_id = meeting.id if meeting is not None else None
    board_pdf: bytes | None = None
    board_context = None
    for kind in ReportKind:
        with read_session(engine) as session:
            rendered = render_report(
                session=session,
                kind=kind,
                export_manifest=manifest if kind is ReportKind.regulator else None,
                review_id=meeting_id if kind is ReportKind.board else None,
            )
        path = out / rendered.spec.filename
        write_atomically(path, rendered.pdf)
        yield f"Wrote {path} ({rendered.pages} pages)."
        if kind is ReportKind.board:
            board_pdf, board_context = rendered.pdf, rendered.context
    if archive_board_pack is not None and meeting_id is not None and board_pdf is not None and board_context:
        with write_session(engine) as session:
            pack = governance_service.archive_board_pack(
                session=session,
                meeting_id=meeting_id,
                pdf=board_pdf,
                as_of=board_context.as_of,
                chain_head_seq=board_context.head.seq,
                chain_head_hash=board_context.head.hash,
                actor=archive_board_pack,
            )
        yield (
            f"Archived {ReportKind.board.value} pack version {pack.pack_version} against review {meeting_id} "
            f"(SHA-256 {pack.sha256[:12]})."
        )


def _demo_exports(engine: Engine, *, out: Path, settings: Settings) -> Iterator[str]:
    """The signed audit export and the OSCAL POA&M of the demo database."""
    from reports.export import service as export_service

    with read_session(engine) as session:
        result = export_service.export_audit(session=session, out=out / "audit-export.zip", settings=settings)
    yield (
        f"Wrote {out / 'audit-export.zip'}: {result.scope.head.seq} audit events, "
        f"manifest SHA-256 {result.manifest_sha256}."
    )
    with read_session(engine) as session:
        export_service.export_poam(session=session, out=out / "poam.json")
    yield f"Wrote {out / 'poam.json'}."
