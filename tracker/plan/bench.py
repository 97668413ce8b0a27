"""Benchmarks of the plan: the program summary, late milestones and critical path on the seeded plan, and the
graph functions on a large synthetic schedule (the seed has 46 milestones; a real plan may have thousands)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from tracker.auth.models import Principal
from tracker.bench import BenchRow, median_time
from tracker.db import make_engine, read_session, write_session
from tracker.flows import SeedContext
from tracker.migrate import upgrade
from tracker.milestones import graph as graphs
from tracker.milestones import service as milestones
from tracker.plan import service as plan
from tracker.plan.seed_steps import PLAN_SEED_STEPS

AS_OF = date(2026, 11, 21)


def _synthetic(n: int) -> tuple[dict[str, graphs.ScheduleNode], list[tuple[str, str]]]:
    """n milestones in layers of 50, each depending on up to three milestones of earlier layers."""
    rng = random.Random(7)
    codes = [f"M{i:05d}" for i in range(n)]
    edges = []
    for i in range(50, n):
        layer_start = (i // 50 - 1) * 50
        for pred in rng.sample(range(0, layer_start + 50), k=min(3, layer_start + 50)):
            edges.append((codes[pred], codes[i]))
    nodes = {c: graphs.ScheduleNode(c, rng.randint(0, 90), date(2026, 1, 1)) for c in codes}
    graph = graphs.build_graph(codes, edges)
    ef = graphs.earliest_finish(nodes, graph)
    return {c: graphs.ScheduleNode(c, nodes[c].duration_days, ef[c]) for c in codes}, edges


def run(workdir: Path, quick: bool) -> list[BenchRow]:
    """Median timings of the plan's read paths and graph algorithms."""
    engine = make_engine(f"sqlite:///{workdir / 'plan.db'}")
    upgrade(engine)
    actor = Principal.system("bench")
    with write_session(engine) as session:
        for step in PLAN_SEED_STEPS:
            step(session, SeedContext(devices=0, random_seed=1, actor=actor))
    repeat = 3 if quick else 15
    rows: list[BenchRow] = []
    with read_session(engine) as session:
        for name, fn in (
            ("plan summary (seeded plan)", lambda: plan.summary(session=session, as_of=AS_OF)),
            ("EVM month-end series 2026-2030", lambda: plan.evm_series(session=session, as_of=AS_OF)),
            ("late milestones with delays", lambda: milestones.late(session=session, as_of=AS_OF)),
            ("critical path to the program end", lambda: milestones.critical_path(session=session)),
        ):
            rows.append(BenchRow(name=name, value=median_time(fn, repeat=repeat) * 1000, unit="ms"))
    engine.dispose()
    n = 500 if quick else 5000
    nodes, edges = _synthetic(n)
    graph = graphs.build_graph(nodes, edges)
    first = next(iter(nodes))
    slipped = {first: nodes[first].finish + timedelta(days=30)}
    rows.append(
        BenchRow(
            name=f"critical path, {n:,} milestones / {len(edges):,} edges",
            value=median_time(lambda: graphs.critical_path(nodes, graph), repeat=repeat) * 1000,
            unit="ms",
        )
    )
    rows.append(
        BenchRow(
            name=f"slip propagation, {n:,} milestones",
            value=median_time(lambda: graphs.propagate(nodes, graph, slipped), repeat=repeat) * 1000,
            unit="ms",
        )
    )
    return rows
