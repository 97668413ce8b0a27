"""`sectrack import femtocells|equipment|access-events FILE [--dry-run]`: bulk import with a progress bar."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

from tracker.console import cli_actor, console, err_console, ready_engine
from tracker.db import write_session
from tracker.errors import Invalid

import_app = typer.Typer(
    help="Bulk-import the inventory from CSV or JSONL (by extension); all-or-nothing, every bad line reported.",
    no_args_is_help=True,
)

FileArg = Annotated[Path, typer.Argument(help="A .csv, .jsonl or .ndjson file (UTF-8).")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Check every row and report what would change; write nothing.")]


def _check_file(path: Path) -> None:
    if not path.is_file():
        raise Invalid(f"'{path}' is not a readable file.", field="file")


def _with_progress(path: Path, label: str, work: Callable[[Callable[[int], None]], Any]) -> Any:
    """Run `work(progress)` with a Rich progress bar over the file's bytes (drawn only on a terminal)."""
    _check_file(path)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    # Redrawn on each report (every MiB read) rather than by Rich's refresh thread: a large import forks a reader
    # process (`imports.read_aside`), which is only safe while this process runs no other thread.
    with Progress(*columns, console=err_console, transient=True, auto_refresh=False) as progress:
        task = progress.add_task(label, total=path.stat().st_size or None)
        return work(lambda done: progress.update(task, completed=done, refresh=True))


def _report_invalid(exc: Invalid, path: Path) -> None:
    """Print every listed problem as `FILE:LINE: field: message`, then exit 2 (nothing was written)."""
    err_console.print(f"error: {exc.message}", highlight=False, markup=False)
    for detail in exc.errors:
        where = f"{path.name}:{detail.line}" if detail.line is not None else path.name
        field = f" {detail.field}:" if detail.field else ""
        err_console.print(f"{where}:{field} {detail.message}", highlight=False, markup=False)
    raise typer.Exit(2)


def _import_table(path: Path, dry_run: bool, what: str, import_path: Callable[..., Any]) -> None:
    from inventory.imports import format_for_path

    fmt = format_for_path(path)
    try:
        with write_session(ready_engine()) as session:
            result = _with_progress(
                path,
                f"Importing {what}",
                lambda progress: import_path(
                    session=session, path=path, fmt=fmt, actor=cli_actor(), dry_run=dry_run, progress=progress
                ),
            )
    except Invalid as exc:
        if exc.errors and any(d.line is not None for d in exc.errors):
            _report_invalid(exc, path)
        raise
    if dry_run:
        console.print(
            f"Dry run, nothing written. {what.capitalize()} from {path.name} would be: created {result.created}, "
            f"updated {result.updated}, unchanged {result.unchanged}.",
            soft_wrap=True,
        )
    else:
        console.print(
            f"Imported {what} from {path.name}: created {result.created}, updated {result.updated}, "
            f"unchanged {result.unchanged}.",
            soft_wrap=True,
        )


@import_app.command("femtocells")
def import_femtocells(file: FileArg, dry_run: DryRun = False) -> None:
    """Upsert femtocells by serial (columns: serial, cell_id, vendor, model, firmware, cert_*, region, ...)."""
    from inventory.femtocells import service

    _import_table(file, dry_run, "femtocells", service.import_path)


@import_app.command("equipment")
def import_equipment(file: FileArg, dry_run: DryRun = False) -> None:
    """Upsert legacy equipment by asset tag (columns: asset_tag, category, vendor, model, location, ...)."""
    from inventory.equipment import service

    _import_table(file, dry_run, "equipment", service.import_path)


@import_app.command("access-events")
def import_access_events(file: FileArg, dry_run: DryRun = False) -> None:
    """Ingest attach attempts as one batch (cell_id, subscriber_id, occurred_at, source_ip, result)."""
    from inventory.access_events import service
    from inventory.imports import format_for_path

    fmt = format_for_path(file)
    try:
        _check_file(file)
        with write_session(ready_engine()) as session, file.open("rb") as stream:
            result = _with_progress(
                file,
                "Ingesting access events",
                lambda progress: service.ingest_stream(
                    session=session,
                    stream=stream,
                    fmt=fmt,
                    source=file.name,
                    actor=cli_actor(),
                    dry_run=dry_run,
                    progress=progress,
                ),
            )
    except Invalid as exc:
        if exc.errors and any(d.line is not None for d in exc.errors):
            _report_invalid(exc, file)
        raise
    if dry_run:
        console.print(f"Dry run, nothing written: {result.count} valid access events in {file.name}.", soft_wrap=True)
    else:
        console.print(
            f"Ingested {result.count} access events from {file.name} as batch {result.batch_id} "
            f"(digest {result.digest}).",
            soft_wrap=True,
        )
