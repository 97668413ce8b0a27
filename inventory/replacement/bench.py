"""Benchmark of replacement progress: `status` (per-wave quarterly burn-down and forecast) over many items.

The synthetic inventory has at most 3,000 legacy items; a real operator's register may hold far more, so this
times the two grouped queries on a large table against a floor of one plain grouped count over the same rows.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from inventory.equipment.models import Equipment
from inventory.replacement import service
from inventory.replacement.models import ReplacementWave
from tracker.bench import BenchRow, median_time
from tracker.db import make_engine, read_session, write_session
from tracker.migrate import upgrade
from tracker.types import now_utc

AS_OF = date(2026, 11, 22)
WAVES = [("W1", date(2026, 5, 4), date(2026, 12, 31)), ("W2", date(2027, 1, 4), date(2027, 12, 31)),
         ("W3", date(2028, 1, 3), date(2028, 12, 29)), ("W4", date(2029, 1, 2), date(2030, 3, 29))]  # fmt: skip


def _items(n: int) -> list[dict[str, Any]]:
    rng = random.Random(11)
    now = now_utc()
    rows = []
    for i in range(n):
        code, start, end = WAVES[i % len(WAVES)]
        target = start + timedelta(days=rng.randrange((end - start).days + 1))
        done = code == "W1" and rng.random() < 0.55
        replaced = datetime.combine(AS_OF - timedelta(days=rng.randrange(200)), time(3), tzinfo=UTC) if done else None
        rows.append(
            {
                "asset_tag": f"BENCH-{i:08d}",
                "category": "core router",
                "vendor": "Bench",
                "model": "B-1",
                "location": "Seoul",
                "criticality": 2,
                "holds_personal_data": False,
                "end_of_support": date(2025, 1, 1),
                "status": "replaced" if done else "replacement_planned",
                "replacement_wave": code,
                "target_date": target,
                "replaced_at": replaced,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
    return rows


def run(workdir: Path, quick: bool) -> list[BenchRow]:
    """Median time of the replacement status against a plain grouped count over the same items."""
    n = 20_000 if quick else 200_000
    engine = make_engine(f"sqlite:///{workdir / 'replacement.db'}")
    upgrade(engine)
    now = now_utc()
    with write_session(engine) as session:
        session.execute(
            insert(ReplacementWave),
            [
                {"code": c, "name_ko": c, "name_en": c, "description": "", "target_start": s, "target_end": e,
                 "created_at": now, "updated_at": now, "version": 1}
                for c, s, e in WAVES
            ],
        )  # fmt: skip
        rows = _items(n)
        for start in range(0, n, 10_000):
            session.execute(insert(Equipment), rows[start : start + 10_000])
    repeat = 3 if quick else 7
    table = Equipment.__table__  # type: ignore[attr-defined]
    with read_session(engine) as session:
        floor = median_time(
            lambda: session.execute(
                select(table.c.replacement_wave, func.count()).group_by(table.c.replacement_wave)
            ).all(),
            repeat=repeat,
        )
        value = median_time(lambda: service.status(session=session, as_of=AS_OF), repeat=repeat)
    engine.dispose()
    return [
        BenchRow(
            name=f"replacement status, {n:,} items in 4 waves",
            value=value * 1000,
            unit="ms",
            floor=floor * 1000,
            floor_label="grouped count of the same items",
        )
    ]
