"""`sectrack export audit|poam` and `sectrack verify` (heavy imports stay inside the commands)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

export_app = typer.Typer(help="Write the signed audit export or the OSCAL POA&M.", no_args_is_help=True)

AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="A past instant: YYYY-MM-DD (end of that day, Seoul) or an ISO datetime."),
]


@export_app.command("audit")
def export_audit(
    out: Annotated[Path, typer.Option(help="The ZIP file to write.")],
    as_of: AsOfOption = None,
) -> None:
    """Write the signed audit bundle (data, audit chain, POA&M, registers, manifest, signature)."""
    from reports.export import service
    from tracker.console import console, ready_engine
    from tracker.db import read_session

    with read_session(ready_engine()) as session:
        result = service.export_audit(session=session, out=out, as_of=as_of)
    entities = result.manifest["entities"]
    records = sum(e["records"] for e in entities.values())
    console.print(
        f"Wrote {out}: {result.scope.head.seq} audit events (head {result.scope.head.hash[:16]}…), "
        f"{records} records in {len(entities)} entity types, as of {result.manifest['as_of']}.",
        highlight=False,
        soft_wrap=True,
    )
    console.print(f"Manifest SHA-256 {result.manifest_sha256}", highlight=False, soft_wrap=True)


@export_app.command("poam")
def export_poam(
    out: Annotated[Path, typer.Option(help="The JSON file to write.")],
    as_of: AsOfOption = None,
) -> None:
    """Write the OSCAL 1.2.1 plan of action and milestones."""
    from reports.export import service
    from tracker.console import console, ready_engine
    from tracker.db import read_session

    with read_session(ready_engine()) as session:
        service.export_poam(session=session, out=out, as_of=as_of)
    console.print(f"Wrote {out}.", highlight=False, soft_wrap=True)


def verify(
    bundle: Annotated[Path, typer.Argument(help="The audit export ZIP to check.")],
    public_key: Annotated[
        Path | None, typer.Option("--public-key", help="The operator's published Ed25519 public key (PEM).")
    ] = None,
) -> None:
    """Check an audit export offline; exit 0 when intact, else 1 with every problem on stderr."""
    from reports.export.verify import verify_file
    from tracker.console import console, err_console

    report = verify_file(bundle, public_key=public_key)
    for warning in report.warnings:
        err_console.print(f"warning: {warning}", highlight=False, markup=False)
    if not report.ok:
        for problem in report.problems:
            err_console.print(str(problem), highlight=False, markup=False, soft_wrap=True)
        err_console.print(
            f"{bundle}: NOT intact ({len(report.problems)} problems listed).", highlight=False, markup=False
        )
        raise typer.Exit(1)
    key = "the trusted key" if report.trusted_key else "the embedded key"
    console.print(
        f"{bundle}: intact. Signature valid with {key}; {report.files} files match the manifest; "
        f"audit chain of {report.events} events verified (head {report.head_seq} {report.head_hash[:16]}…); "
        f"{report.records} records equal the chain's state.",
        highlight=False,
        soft_wrap=True,
    )
