"""`sectrack exposure [--json] [--since DATE] [--until DATE] [--top N]`: subscribers exposed through unauthorized
cells — the totals and a table of the most-exposing cells (counts only; pseudonyms are in the API, for investigators).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated

import typer
from rich.table import Table

from inventory.access_events import exposure
from inventory.access_events.exposure import ExposureSummary, ExposureWindow
from tracker.console import console, ready_engine
from tracker.db import read_session
from tracker.errors import Invalid
from tracker.types import SEOUL, to_seoul


def parse_bound(value: str, *, field: str, end: bool) -> datetime:
    """An ISO date or datetime; a date means the start (since) or the end (until) of that day in Seoul."""
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            start = datetime.combine(day, time(0), tzinfo=SEOUL)
            return start + timedelta(days=1) - timedelta(microseconds=1) if end else start
        instant = datetime.fromisoformat(value)
    except ValueError as exc:
        raise Invalid(f"--{field} '{value}' is not a date (YYYY-MM-DD) or an ISO datetime.", field=field) from exc
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=SEOUL)


def _when(value: datetime | None) -> str:
    return f"{to_seoul(value):%Y-%m-%d %H:%M}" if value is not None else "—"


def render(summary: ExposureSummary) -> Table:
    """The top cells as a Rich table (times in Asia/Seoul)."""
    table = Table(title=f"Most-exposing unauthorized cells (top {len(summary.top_cells)}, times KST)")
    table.add_column("cell id", no_wrap=True)  # an id broken over lines cannot be copied
    for column in ("inventory", "status", "blocked", "subscribers", "accepted", "rejected", "first", "last"):
        table.add_column(column, justify="right" if column in ("subscribers", "accepted", "rejected") else "left")
    for cell in summary.top_cells:
        table.add_row(
            cell.cell_id,
            "yes" if cell.in_inventory else "[bold red]no[/]",
            cell.status or "—",
            "yes" if cell.blocked else "[bold red]no[/]",
            f"{cell.exposed_subscribers:,}",
            f"{cell.accepted_attaches:,}",
            f"{cell.rejected_attempts:,}",
            _when(cell.first_accepted_at),
            _when(cell.last_accepted_at),
        )
    return table


def exposure_command(
    since: Annotated[
        str | None, typer.Option(help="Only events at or after this date (YYYY-MM-DD, Seoul) or ISO datetime.")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Only events up to the end of this date (YYYY-MM-DD, Seoul) or ISO datetime.")
    ] = None,
    top: Annotated[
        int, typer.Option(min=0, max=exposure.MAX_TOP, help="How many of the most-exposing cells to list.")
    ] = exposure.DEFAULT_TOP,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of tables.")] = False,
) -> None:
    """Subscribers exposed through unauthorized cells (not in the inventory, or not active): totals and top cells."""
    window = ExposureWindow(
        since=parse_bound(since, field="since", end=False) if since else None,
        until=parse_bound(until, field="until", end=True) if until else None,
    )
    with read_session(ready_engine()) as session:
        summary = exposure.summary(session=session, window=window, top=top)
    if json_output:
        typer.echo(summary.model_dump_json(indent=2))
        return
    t = summary.totals
    states = ", ".join(summary.authorized_states)
    span = f"{_when(t.first_accepted_at)} .. {_when(t.last_accepted_at)} KST" if t.first_accepted_at else "none"
    console.print(
        f"Unauthorized cells: {t.unauthorized_cells:,} ({t.cells_not_in_inventory:,} not in the inventory, "
        f"{t.cells_not_blocked:,} not blocked; authorized states: {states})\n"
        f"Exposed subscribers (each counted once): {t.exposed_subscribers:,}\n"
        f"Accepted attaches: {t.accepted_attaches:,}   rejected attempts: {t.rejected_attempts:,}\n"
        f"Window of exposure: {span}",
        highlight=False,
        soft_wrap=True,
    )
    if summary.top_cells:
        console.print(render(summary))
