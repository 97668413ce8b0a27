"""Report rendering: time and peak memory per report, next to WeasyPrint alone on the same HTML.

Each report renders in its own process, so its peak RSS is its own (imports included: that is what a `sectrack
report` run costs). The process first imports what a rendering needs (timed, on its own row), then renders once
("first": font set-up and caches cold; for the board pack, the median over three such processes), then `repeat`
more times ("warm" median; CPU time of the first run too, which a shared machine distorts less than wall time),
then hands the last HTML to WeasyPrint alone (the floor: layout and PDF writing, without data assembly, templates
or charts). Peak memory is read after the first rendering (what one `sectrack report` process needs, imports
included) and again at the end. Compiled templates are cached between processes (`reports.render`), as for any
`sectrack report` run after the first.

The database: `SECTRACK_BENCH_DATABASE_URL` if set, else a fresh SQLite file of 1,000,000 femtocells and 5,000,000
access events (20,000 / 100,000 with `--quick`) built here: the fleet and events in SQL by the control bench's builder
(`tracker.controls.bench.build`, the synthetic fleet's proportions), then every other `sectrack seed` step through the
service layer (legacy equipment, plan, milestones, zero trust, KPIs, replacement waves, commitments, governance, the
control catalog's evidence and a first control run), so every section has real work at the issue's scale.
Usage: `python -m tracker.bench --only reports [--quick]`.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.bench import peak_rss_mb

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.bench import BenchRow

# The measuring child imports this module: it imports nothing of the bench harness but `peak_rss_mb` (Rich and
# the table are imported only by the harness's main), so its peak memory is a report process's own.


BOARD_SECONDS = 3.0
BOARD_MB = 250.0


def build_database(path: Path, devices: int) -> str:
    """Build the benchmark database at `path` (see the module docstring); returns its URL."""
    from inventory.equipment import service as equipment
    from inventory.seed import equipment_count
    from seed import synthetic
    from tracker import flows
    from tracker.auth.models import Principal
    from tracker.controls import bench as controls_bench
    from tracker.db import make_engine, write_session
    from tracker.migrate import stamp_head

    controls_bench.build(path, devices)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    # The builder creates the schema from the models (equal to the migrations, a test checks): mark it at head so
    # `sectrack` commands accept the database too.
    stamp_head(engine)
    ctx = flows.SeedContext(devices=devices, random_seed=2025, actor=Principal.system("bench"))

    def legacy_equipment(session: Session, ctx: flows.SeedContext) -> dict[str, int]:
        # The femtocells and events are already in; the legacy inventory goes through the real import.
        records = synthetic.equipment_rows(equipment_count(ctx.devices), ctx.random_seed)
        equipment.import_records(session=session, records=records, actor=ctx.actor, what="seed")
        return {}

    # Every seed step in order, with the inventory step (which would import the fleet again) swapped for the above.
    steps = [legacy_equipment if step is flows._seed_inventory else step for step in flows.SEED_STEPS]
    with write_session(engine) as session:
        for step in steps:
            step(session, ctx)
    engine.dispose()
    return url


def _database(workdir: Path, quick: bool) -> str:
    url = os.environ.get("SECTRACK_BENCH_DATABASE_URL")
    if url:
        return url
    return build_database(workdir / "reports.db", 20_000 if quick else 1_000_000)


def _child(kind: str, url: str, repeat: int) -> dict[str, float]:
    """Runs in the measuring process: import, render `kind` 1 + repeat times, then WeasyPrint alone."""
    start = time.perf_counter()
    # What a rendering imports: the report modules (WeasyPrint, matplotlib) and networkx, which the milestone graph
    # imports on first use so that commands drawing no graph do not pay for it. Timed, and reported on its own.
    import networkx  # noqa: F401

    from reports.registry import REPORTS
    from reports.render import write_pdf
    from reports.service import render_report
    from tracker.db import make_engine, read_session
    from tracker.runtime import long_lived_objects_frozen

    imports = time.perf_counter() - start

    engine = make_engine(url)
    times = []
    cpu_first = 0.0
    html = ""
    pages = 0
    peak_first = 0.0
    for _ in range(1 + repeat):
        start, cpu_start = time.perf_counter(), time.process_time()
        with read_session(engine) as session:
            rendered = render_report(session=session, kind=kind)
        times.append(time.perf_counter() - start)
        cpu_first = cpu_first or time.process_time() - cpu_start
        # A `sectrack report` process renders once: its peak is the peak after the first rendering.
        peak_first = peak_first or peak_rss_mb()
        html, pages = rendered.html, rendered.pages
    variant = REPORTS[rendered.spec.kind].pdf_variant
    alone = []
    for _ in range(max(repeat, 1)):
        start = time.perf_counter()
        # Under the same garbage-collector freeze as a rendering (render_report), or the floor would pay full
        # collections over the loaded app that the rendering it is compared with does not.
        with long_lived_objects_frozen():
            write_pdf(html, variant=variant)
        alone.append(time.perf_counter() - start)
    return {
        "imports": imports,
        "first": times[0],
        "cpu_first": cpu_first,
        "warm": statistics.median(times[1:]) if repeat else times[0],
        "weasyprint": statistics.median(alone),
        "peak_mb_first": peak_first,
        "peak_mb": peak_rss_mb(),
        "pages": pages,
    }


def _measure(kind: str, url: str, repeat: int, signing_key: Path) -> dict[str, float]:
    # The regulator report signs the export manifest it embeds: the child needs a key, as after `sectrack init`.
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "SECTRACK_SIGNING_KEY": str(signing_key)}
    result = subprocess.run(
        [sys.executable, "-m", "reports.bench", kind, url, str(repeat)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=1800,
    )
    figures: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def run(workdir: Path, quick: bool) -> list[BenchRow]:
    """Render each report in its own process and compare with WeasyPrint alone."""
    from tracker.bench import BenchRow
    from tracker.keys import ensure_signing_key

    url = _database(workdir, quick)
    signing_key = Path(os.environ.get("SECTRACK_SIGNING_KEY") or workdir / "signing-key.pem")
    ensure_signing_key(signing_key)
    repeat = 2 if quick else 4
    rows: list[BenchRow] = []
    for kind in ("board", "regulator", "management"):
        board = kind == "board"
        # The board pack has the target: three fresh processes, their median first rendering (one process's first
        # run on this shared machine swings by a second). The others: one process.
        runs = [_measure(kind, url, repeat, signing_key) for _ in range(3 if board else 1)]
        figures = dict(runs[0])
        for key in ("imports", "first", "cpu_first", "warm", "weasyprint", "peak_mb_first", "peak_mb"):
            figures[key] = statistics.median(r[key] for r in runs)
        label = f"{kind} report ({int(figures['pages'])} pages)"
        processes = f", median of {len(runs)} processes" if len(runs) > 1 else ""
        rows.append(
            BenchRow(
                f"{label}: render, first in a fresh process{processes}",
                figures["first"],
                "s",
                target=f"≤ {BOARD_SECONDS:g} s" if board else "",
                ok=figures["first"] <= BOARD_SECONDS if board else None,
            )
        )
        rows.append(BenchRow(f"{label}: render, first in process, CPU time", figures["cpu_first"], "s"))
        rows.append(
            BenchRow(
                f"{label}: imports before it (report modules, WeasyPrint, matplotlib, networkx)",
                figures["imports"],
                "s",
            )
        )
        rows.append(
            BenchRow(
                f"{label}: render, warm median",
                figures["warm"],
                "s",
                floor=figures["weasyprint"],
                floor_label="s WeasyPrint alone, same HTML",
            )
        )
        rows.append(
            BenchRow(
                f"{label}: peak memory, one rendering (a `sectrack report` process)",
                figures["peak_mb_first"],
                "MB",
                target=f"≤ {BOARD_MB:g} MB" if board else "",
                ok=figures["peak_mb_first"] <= BOARD_MB if board else None,
            )
        )
        rows.append(BenchRow(f"{label}: peak memory after all {1 + repeat} renderings", figures["peak_mb"], "MB"))
    return rows


if __name__ == "__main__":
    print(json.dumps(_child(sys.argv[1], sys.argv[2], int(sys.argv[3]))))
