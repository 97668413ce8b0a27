"""`sectrack plan ...`: the program's earned value, late milestones and the critical path on a terminal.

Domain modules are imported inside the commands so the CLI starts quickly.
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

app = typer.Typer(help="The five-year plan: earned value, late milestones, critical path.", no_args_is_help=True)

AsOf = Annotated[str | None, typer.Option("--as-of", help="Business date YYYY-MM-DD (Seoul); default today.")]


def _as_of(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise Invalid(f"--as-of '{text}' is not a date (YYYY-MM-DD).", field="as_of") from exc


def _billions(won: int | None) -> str:
    return "" if won is None else f"{won / 1e9:,.1f}"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


@app.command("status")
def status(as_of: AsOf = None) -> None:
    """Budget, PV, EV, AC, SPI, CPI, EAC and RAG per workstream and for the program (amounts in billion won)."""
    from tracker.plan import service

    with read_session(ready_engine()) as session:
        summary = service.summary(session=session, as_of=_as_of(as_of))
    table = Table(
        "workstream", "budget", "PV", "EV", "AC", "SPI", "CPI", "EAC", "RAG", "done", "late",
        title=f"{summary.program.name_en} as of {summary.as_of} (billion won)", box=box.SIMPLE_HEAD,
    )  # fmt: skip
    rows = [(str(w.code), w.budget_krw, w.evm, w.rag, w.milestones) for w in summary.workstreams]
    rows.append(("program", summary.budget_krw, summary.evm, summary.rag, summary.milestones))
    for name, budget, value, rag, counts in rows:
        table.add_row(
            name,
            _billions(budget),
            _billions(value.pv),
            _billions(value.ev),
            _billions(value.ac),
            _ratio(value.spi),
            _ratio(value.cpi),
            _billions(value.eac),
            rag,
            f"{counts.done}/{counts.total}",
            str(counts.late),
        )
    console.print(table)


@app.command("late")
def late(as_of: AsOf = None) -> None:
    """Late milestones, most late first, with the dependents each one delays."""
    from tracker.milestones import service

    with read_session(ready_engine()) as session:
        rows = service.late(session=session, as_of=_as_of(as_of))
    if not rows:
        console.print("No milestone is late.")
        return
    table = Table("milestone", "title", "baseline", "expected", "days late", "delays")
    for row in rows:
        m = row.milestone
        table.add_row(
            m.code,
            m.title_en,
            str(m.baseline_date),
            str(row.expected_finish),
            str(row.days_late),
            ", ".join(d.code for d in row.delays),
        )
    console.print(table)


@app.command("critical-path")
def critical_path(
    to: Annotated[str | None, typer.Option(help="Target milestone code; default the program's end.")] = None,
) -> None:
    """The chain of driving milestones to a milestone, with each step's float in days."""
    from tracker.milestones import service

    with read_session(ready_engine()) as session:
        target = None if to is None else service.get_by_code(session=session, code=to).id
        path = service.critical_path(session=session, to=target)
    if not path.steps:
        console.print("No milestones are scheduled.")
        return
    table = Table("milestone", "title", "baseline", "earliest finish", "days", "float", title="Critical path")
    for step in path.steps:
        table.add_row(
            step.code,
            step.title_en,
            str(step.baseline_date),
            str(step.earliest_finish),
            str(step.duration_days),
            str(step.float_days),
        )
    console.print(table)
    console.print(f"{path.target_code} finishes on {path.finish} (baseline {path.baseline_date}).")
