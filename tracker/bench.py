"""`make bench`: performance figures next to a floor measured in the same run, as a table.

Each benchmark module exposes `run(workdir: Path, quick: bool) -> list[BenchRow]`; `BENCH_MODULES` lists them.
Figures are medians of repeated runs where a run is short; machines here are noisy, so read ratios, not seconds.
Usage: `python -m tracker.bench [--quick] [--only NAME]`.
"""

from __future__ import annotations

import argparse
import importlib
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

# A module per domain; each adds its own figures. Order is the order of the table.
BENCH_MODULES = [
    "tracker.audit.bench",
    "inventory.bench",
    "inventory.access_events.bench",
    "inventory.replacement.bench",
    "tracker.governance.bench",
    "tracker.plan.bench",
    "tracker.controls.bench",
    "reports.bench",
    "reports.export.bench",
]


@dataclass
class BenchRow:
    """One measured figure, optionally against a floor measured in the same run and a target."""

    name: str
    value: float
    unit: str
    floor: float | None = None
    floor_label: str = ""
    target: str = ""
    ok: bool | None = None

    @property
    def ratio(self) -> float | None:
        """value / floor, when there is a floor."""
        if self.floor in (None, 0):
            return None
        return self.value / self.floor


def median_time(fn: Callable[[], object], *, repeat: int = 5) -> float:
    """Median wall time of `repeat` calls, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    """Call once; return the result and the wall time in seconds."""
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def peak_rss_mb() -> float:
    """Peak resident memory of this process's own program so far, in MB.

    Linux's `ru_maxrss` survives exec: a child started by a large parent reports the parent's size at fork (a
    benchmark child forked after building a 1M-row database showed 628 MB while it used 72). `VmHWM` in
    /proc/self/status is the high-water mark of the running program alone; elsewhere `ru_maxrss` is all there is.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _format(value: float | None) -> str:
    if value is None:
        return ""
    if value >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def main(argv: list[str] | None = None) -> None:
    """Run the benchmarks and print one table."""
    parser = argparse.ArgumentParser(prog="python -m tracker.bench")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--only", help="run only modules whose name contains this")
    args = parser.parse_args(argv)
    # Rich is imported here, not at the top: benchmark children import this module for `peak_rss_mb` alone.
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not console.is_terminal:
        # Piped to a file or CI log: Rich would wrap the table at 80 columns, one figure per five lines.
        console = Console(width=170)
    rows: list[BenchRow] = []
    with tempfile.TemporaryDirectory(prefix="sectrack-bench-") as tmp:
        for module_name in BENCH_MODULES:
            if args.only and args.only not in module_name:
                continue
            console.print(f"[bold]running {module_name}[/]")
            module = importlib.import_module(module_name)
            workdir = Path(tmp) / module_name.replace(".", "_")
            workdir.mkdir()
            rows.extend(module.run(workdir, args.quick))
    table = Table("benchmark", "figure", "unit", "floor (same run)", "ratio", "target", "met")
    for row in rows:
        met = "" if row.ok is None else ("yes" if row.ok else "NO")
        floor = f"{_format(row.floor)} {row.floor_label}".strip() if row.floor is not None else ""
        table.add_row(row.name, _format(row.value), row.unit, floor, _format(row.ratio), row.target, met)
    console.print(table)


if __name__ == "__main__":
    main()
