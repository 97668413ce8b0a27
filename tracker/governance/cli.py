"""`sectrack due`: everything due or overdue — actions, commitments, meetings, sign-offs — grouped by owner."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from tracker.console import console, ready_engine
from tracker.db import read_session
from tracker.errors import Invalid
from tracker.governance import due as due_service
from tracker.governance.models import DueReport


def _when(days_late: int) -> str:
    if days_late > 0:
        return f"[bold red]{days_late} days late[/]"
    if days_late == 0:
        return "[yellow]today[/]"
    return f"in {-days_late} days"


def render(report: DueReport) -> Table:
    """The report as a Rich table: one section per owner, overdue first."""
    table = Table(
        title=f"Due by {report.until.isoformat()} (today {report.today.isoformat()}, Asia/Seoul): "
        f"{report.overdue} overdue, {report.due} coming up",
        title_justify="left",
    )
    for column in ("owner", "kind", "item", "due", "when", "status", "ref"):
        table.add_column(column, overflow="fold")
    for group in report.owners:
        for i, entry in enumerate(group.items):
            table.add_row(
                f"[bold]{group.owner}[/] ({group.overdue} overdue)" if i == 0 else "",
                entry.kind,
                entry.title,
                entry.due_on.isoformat(),
                _when(entry.days_late),
                entry.status,
                f"{entry.ref_type} {entry.ref_id}",
            )
        table.add_section()
    return table


def due(
    days: Annotated[int, typer.Option(min=0, max=due_service.MAX_DAYS, help="Horizon in days from today.")] = 14,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Judge due dates on this day (YYYY-MM-DD; default today in Seoul).")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of a table.")] = False,
) -> None:
    """List everything due within DAYS days or already overdue — actions, commitments, reviews — by owner."""
    today = None
    if as_of is not None:
        try:
            today = date.fromisoformat(as_of)
        except ValueError as exc:
            raise Invalid(f"--as-of '{as_of}' is not a date (YYYY-MM-DD).", field="as_of") from exc
    with read_session(ready_engine()) as session:
        report = due_service.due_report(session=session, today=today, days=days)
    if json_output:
        typer.echo(report.model_dump_json(indent=2))
        return
    if not report.owners:
        console.print(f"Nothing due by {report.until.isoformat()} and nothing overdue.")
        return
    console.print(render(report))
