"""`sectrack check`: run every control, record the run, print the results (a table, or JSON for scripts)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from tracker.console import cli_actor, console, ready_engine
from tracker.controls import service
from tracker.controls.models import ResultStatus, RunDetail
from tracker.db import read_session, write_session
from tracker.types import to_seoul

_STYLE = {
    ResultStatus.passed: "green",
    ResultStatus.failed: "bold red",
    ResultStatus.not_applicable: "dim",
    ResultStatus.manual: "yellow",
}


def render(run: RunDetail, titles: dict[str, str]) -> Table:
    """The run as a Rich table: one row per control, the finding summaries of failing ones under the title."""
    table = Table(
        "control",
        "status",
        "severity",
        "measured",
        "threshold",
        "evidence",
        "title",
        title=(
            f"Control run {run.id} at {to_seoul(run.started_at):%Y-%m-%d %H:%M} KST: {run.passed} pass, "
            f"{run.failed} fail, {run.manual} manual, {run.not_applicable} n/a; findings opened {run.findings_opened}, "
            f"updated {run.findings_updated}, closed {run.findings_closed}"
        ),
    )
    for r in run.results:
        title = titles.get(r.control_id, "")
        if r.status is ResultStatus.failed:
            title = f"{title}\n[dim]{r.summary}[/]"
        table.add_row(
            r.control_id,
            f"[{_STYLE[r.status]}]{r.status}[/]",
            str(r.severity),
            "" if r.measured_value is None else f"{r.measured_value:,}",
            "" if r.threshold is None else f"{r.threshold:,}",
            f"{r.evidence_count:,}",
            title,
        )
    return table


def summary_line(run: RunDetail) -> str:
    """One line for progress output (the demo)."""
    return (
        f"Control run {run.id}: {run.evaluated} controls, {run.passed} pass, {run.failed} fail, {run.manual} manual, "
        f"{run.not_applicable} not applicable; findings opened {run.findings_opened}, updated "
        f"{run.findings_updated}, closed {run.findings_closed} ({run.duration_ms} ms)."
    )


def check(
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the run as JSON on stdout instead of a table.")
    ] = False,
) -> None:
    """Run every enabled control, record the run and its findings, and print the results."""
    engine = ready_engine()
    with write_session(engine) as session:
        run = service.run(session=session, actor=cli_actor())
    if json_output:
        typer.echo(run.model_dump_json(indent=2))
        return
    with read_session(engine) as session:
        titles = {c.id: c.title_en for c in service.list_controls(session=session, limit=1000).items}
    console.print(render(run, titles))
