"""`sectrack replacement status`: planned vs actual per wave and the forecast completion, on a terminal.

Domain modules are imported inside the command so the CLI starts quickly.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from tracker.console import console, ready_engine
from tracker.db import read_session
from tracker.errors import Invalid

app = typer.Typer(help="Legacy-equipment replacement: waves, burn-down, forecast.", no_args_is_help=True)

_FORECAST_WORDS: dict[str, str] = {
    "empty": "no items",
    "complete": "done",
    "not_started": "not started",
}


def _as_of(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise Invalid(f"--as-of '{text}' is not a date (YYYY-MM-DD).", field="as_of") from exc


@app.command("status")
def status(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Business date YYYY-MM-DD (Seoul); default today.")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of a table.")] = False,
) -> None:
    """Items, replaced, remaining, recent rate and forecast completion per wave and for the programme."""
    from inventory.replacement import service
    from inventory.replacement.models import Progress

    with read_session(ready_engine()) as session:
        result = service.status(session=session, as_of=_as_of(as_of))
    if json_output:
        typer.echo(result.model_dump_json(indent=2))
        return
    table = Table(
        title=f"Legacy-equipment replacement as of {result.as_of} (rate: last {result.window_days} days)",
        box=box.SIMPLE_HEAD,
    )
    for header in ("wave", "target end", "items", "replaced", "left", "per qtr", "forecast", "state"):
        table.add_column(header, no_wrap=True, justify="left" if header in ("wave", "state") else "right")
    rows: list[tuple[str, Progress]] = [(w.code, w) for w in result.waves]
    rows.append(("programme", result.programme))
    for name, p in rows:
        state = "late" if p.late else "behind" if p.behind else "on track"
        if p.forecast_state in ("empty", "complete", "not_started"):
            state = _FORECAST_WORDS[p.forecast_state]
        forecast = str(p.forecast_completion) if p.forecast_completion else "-"
        table.add_row(
            name,
            str(p.target_end or "-"),
            f"{p.total:,}",
            f"{p.replaced:,} ({100 * p.replaced / p.total:.0f}%)" if p.total else "0",
            f"{p.remaining:,}",
            f"{p.rate_per_quarter:,.1f}",
            forecast,
            state,
        )
    console.print(table)
    if result.late_waves:
        console.print(f"Late waves (target end passed, items remaining): {', '.join(result.late_waves)}.")
    if result.programme.forecast_state == "no_recent_rate":
        console.print(f"No replacement in the last {result.window_days} days: no completion forecast.")
    if result.unknown_wave_items:
        console.print(f"{result.unknown_wave_items:,} equipment items name a wave code that no wave has.")
