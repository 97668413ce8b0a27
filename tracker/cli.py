"""The `sectrack` command line (also `python -m tracker`)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.exc import OperationalError

from inventory.access_events.exposure_cli import exposure_command
from inventory.cli import import_app
from inventory.replacement import cli as replacement_cli
from reports.context import ReportKind
from reports.export.cli import export_app
from reports.export.cli import verify as verify_bundle
from reports.i18n import Lang
from tracker import flows
from tracker.audit import service as audit_service
from tracker.auth import service as auth_service
from tracker.auth.models import Role, TokenCreate
from tracker.console import cli_actor, console, err_console, ready_engine
from tracker.controls import cli as controls_cli
from tracker.db import dispose_engines, read_session, write_session
from tracker.errors import Invalid, SectrackError
from tracker.governance import cli as governance_cli
from tracker.plan import cli as plan_cli
from tracker.settings import get_settings
from tracker.types import to_seoul

app = typer.Typer(
    name="sectrack",
    help="Track a telecom operator's post-breach security plan: inventory, controls, plan, governance, reports.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
token_app = typer.Typer(help="Issue, list and revoke API tokens.", no_args_is_help=True)
audit_app = typer.Typer(help="Inspect the hash-chained audit log.", no_args_is_help=True)
app.add_typer(token_app, name="token")
app.add_typer(audit_app, name="audit")
app.command("due")(governance_cli.due)
app.add_typer(plan_cli.app, name="plan")
app.add_typer(export_app, name="export")
app.command("verify")(verify_bundle)
app.add_typer(import_app, name="import")
app.command("check")(controls_cli.check)
app.command("exposure")(exposure_command)
app.add_typer(replacement_cli.app, name="replacement")


@app.command()
def init() -> None:
    """Create or upgrade the database to the current schema, and create missing keys."""
    settings = get_settings()
    result = flows.initialise(settings)
    console.print(f"Database ready at revision {result.revision} ({result.where}).")
    for line in result.created:
        console.print(f"Created {line}")


@app.command()
def seed(
    devices: Annotated[int, typer.Option(min=0, max=2_000_000, help="Synthetic femtocells to generate.")] = 20_000,
    random_seed: Annotated[int, typer.Option(help="Seed of the deterministic synthetic inventory.")] = 2025,
) -> None:
    """Load seed/ (plan, controls, reviews, commitments) and a deterministic synthetic inventory (demo data)."""
    engine = ready_engine()
    summary = flows.seed_database(engine, devices=devices, random_seed=random_seed, actor=cli_actor())
    for name, count in summary.items():
        console.print(f"{name}: {count}")


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Directory for the demo database, reports and export.")] = Path("out"),
    devices: Annotated[int, typer.Option(min=0, max=2_000_000, help="Synthetic femtocells to generate.")] = 20_000,
) -> None:
    """Build a fresh demo database from seed/ and write every artifact into OUT."""
    for line in flows.run_demo(out=out, devices=devices, actor=cli_actor()):
        console.print(line)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
) -> None:
    """Run the REST API (docs at /docs) with uvicorn."""
    import uvicorn

    from tracker.app import create_app

    ready_engine()
    uvicorn.run(create_app(), host=host, port=port, log_level=get_settings().log_level.lower())


@app.command()
def report(
    kind: Annotated[ReportKind, typer.Argument(help="board, regulator or management.")],
    out: Annotated[Path, typer.Option(help="Where to write the PDF.")],
    as_of: Annotated[
        str | None,
        typer.Option(help="Show the state at this past instant (ISO date or datetime; a date means its end in Seoul)."),
    ] = None,
    lang: Annotated[Lang, typer.Option(help="Report language: ko or en.")] = Lang.ko,
    export_bundle: Annotated[
        Path | None,
        typer.Option(
            help="Regulator report: attach the signed manifest of this audit export (same state as the report); "
            "without it an export of the same instant is built to take the manifest from.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    review: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Board pack: make it for this review meeting (its agenda is the decisions requested) and archive "
            "the PDF against the meeting as its next board-pack version.",
        ),
    ] = None,
) -> None:
    """Render a PDF report: the board pack, the regulator report or the management report."""
    from reports.export.service import read_manifest
    from reports.i18n import short_instant
    from reports.service import archive_board_pack, parse_as_of, render_report, write_atomically

    if review is not None and kind is not ReportKind.board:
        raise Invalid("--review makes and archives a board pack; use it with 'sectrack report board'.", field="review")
    instant = parse_as_of(as_of) if as_of is not None else None
    manifest = read_manifest(export_bundle) if export_bundle is not None else None
    archived_as: str | None = None
    if review is not None:
        # Rendered, written and archived in one transaction: the archive names exactly the bytes in OUT, and a
        # failed write leaves no archived version behind.
        with write_session(ready_engine()) as session:
            archived = archive_board_pack(
                session=session, review_id=review, actor=cli_actor(), lang=lang, as_of=instant
            )
            write_atomically(out, archived.rendered.pdf)
        rendered = archived.rendered
        pack = archived.pack
        archived_as = f" Archived as version {pack.pack_version} of review {review} (SHA-256 {pack.sha256[:12]})."
    else:
        with read_session(ready_engine()) as session:
            rendered = render_report(session=session, kind=kind, lang=lang, as_of=instant, export_manifest=manifest)
        write_atomically(out, rendered.pdf)
    head = rendered.context.head
    console.print(
        f"Wrote {out} ({rendered.pages} pages, as of {short_instant(rendered.context.as_of)}, "
        f"audit-chain head #{head.seq} {head.hash[:12]}).{archived_as or ''}",
        highlight=False,
        soft_wrap=True,
    )


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Option(help="A unique name; changes made with the token are attributed to it.")],
    role: Annotated[Role, typer.Option(help="admin, staff, ciso, board or regulator.")],
) -> None:
    """Issue an API token and print it once; only its hash is stored."""
    with write_session(ready_engine()) as session:
        issued = auth_service.create(session=session, data=TokenCreate(name=name, role=role), actor=cli_actor())
    err_console.print(f"Token '{issued.name}' ({issued.role}) created. It is shown once; store it now:")
    # The secret alone on stdout, so scripts can capture it.
    typer.echo(issued.token)


@token_app.command("list")
def token_list() -> None:
    """List tokens with their roles; secrets are never shown."""
    with read_session(ready_engine()) as session:
        tokens = auth_service.list_tokens(session=session)
    table = Table("name", "role", "prefix", "created (Seoul)", "created by", "revoked (Seoul)")
    for t in tokens:
        table.add_row(
            t.name,
            str(t.role),
            t.prefix + "…",
            f"{to_seoul(t.created_at):%Y-%m-%d %H:%M}",
            t.created_by,
            f"{to_seoul(t.revoked_at):%Y-%m-%d %H:%M}" if t.revoked_at else "",
        )
    console.print(table)


@token_app.command("revoke")
def token_revoke(name: Annotated[str, typer.Argument(help="The token's name.")]) -> None:
    """Revoke a token by name; requests with it fail from now on."""
    with write_session(ready_engine()) as session:
        auth_service.revoke(session=session, name=name, actor=cli_actor())
    console.print(f"Token '{name}' revoked.")


@audit_app.command("verify")
def audit_verify() -> None:
    """Re-walk the audit chain; exit 1 naming the first bad sequence number if anything was altered."""
    with read_session(ready_engine()) as session:
        result = audit_service.verify(session)
    if not result.ok:
        err_console.print(
            f"Audit chain broken at seq {result.first_bad_seq}: {result.problem} "
            f"({result.checked} events before it verified)."
        )
        raise typer.Exit(1)
    console.print(f"Audit chain intact: {result.checked} events, head {result.head.seq} {result.head.hash}.")


def main() -> None:
    """Entry point: run the CLI, turning every error a user can cause into one line on stderr."""
    logging.basicConfig(level=get_settings().log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    # Migration chatter is noise on a terminal; failures still surface as errors.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        app()
    except SectrackError as exc:
        err_console.print(f"error: {exc.message}", highlight=False, markup=False)
        sys.exit(2 if exc.status_code == 422 else 1)
    except OperationalError as exc:
        err_console.print(f"error: the database cannot be used: {exc.orig}", highlight=False, markup=False)
        sys.exit(1)
    except KeyboardInterrupt:
        err_console.print("interrupted; nothing partial was committed.")
        sys.exit(130)
    finally:
        dispose_engines()
