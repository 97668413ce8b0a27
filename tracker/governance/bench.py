"""Governance at volume: action-item lists (keyset pages with filters) and the reminder query.

A real register holds hundreds of actions; the benchmark uses far more (mostly closed, as years of reviews would
leave) so that a missing index or a Python loop over the table shows up. Bench rows are inserted with Core
executemany and are not audited: this measures reads.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert

from tracker.bench import BenchRow, timed
from tracker.db import make_engine, read_session, write_session
from tracker.governance import due, service
from tracker.governance.models import ActionItem, ActionStatus
from tracker.migrate import upgrade
from tracker.types import now_utc

TODAY = date(2026, 11, 21)
OWNERS = [f"Owner {i:03d}" for i in range(200)]


def _rows(n: int) -> list[dict[str, object]]:
    rng = random.Random(2025)
    stamp = now_utc()
    rows = []
    for i in range(n):
        raised = TODAY - timedelta(days=rng.randint(0, 1800))
        due_on = raised + timedelta(days=rng.randint(7, 180))
        open_ = rng.random() < 0.03
        rows.append(
            {
                "title": f"Action {i}",
                "owner": rng.choice(OWNERS),
                "due_on": due_on,
                "status": (ActionStatus.open if open_ else ActionStatus.done).value,
                "raised_on": raised,
                "closed_on": None if open_ else min(due_on, TODAY),
                "created_at": stamp,
                "updated_at": stamp,
                "version": 1,
            }
        )
    return rows


def _p95_ms(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] * 1000


def run(workdir: Path, quick: bool) -> list[BenchRow]:
    """Insert N actions, then time filtered list pages and the due report."""
    n = 20_000 if quick else 200_000
    engine = make_engine(f"sqlite:///{workdir / 'governance.db'}")
    upgrade(engine)
    rows = _rows(n)
    with write_session(engine) as session:
        for offset in range(0, n, 10_000):
            session.execute(insert(ActionItem.__table__), rows[offset : offset + 10_000])  # type: ignore[attr-defined]
    rng = random.Random(7)
    by_owner: list[float] = []
    overdue: list[float] = []
    with read_session(engine) as session:
        for _ in range(60):
            owner = rng.choice(OWNERS)
            start = time.perf_counter()
            service.list_actions(session=session, owner=owner, limit=100, today=TODAY)
            by_owner.append(time.perf_counter() - start)
            start = time.perf_counter()
            page = service.list_actions(session=session, overdue=True, limit=100, today=TODAY)
            service.list_actions(session=session, overdue=True, limit=100, cursor=page.next_cursor, today=TODAY)
            overdue.append((time.perf_counter() - start) / 2)
        report, due_s = timed(lambda: due.due_report(session=session, today=TODAY, days=14))
    items = report.overdue + report.due
    owner_p95, overdue_p95 = _p95_ms(by_owner), _p95_ms(overdue)
    return [
        BenchRow(f"actions by owner, 100/page ({n:,})", owner_p95, "ms p95", target="<= 25", ok=owner_p95 <= 25),
        BenchRow(f"actions overdue, 100/page ({n:,})", overdue_p95, "ms p95", target="<= 25", ok=overdue_p95 <= 25),
        BenchRow(f"due report ({items:,} items of {n:,} actions)", due_s * 1000, "ms"),
    ]
