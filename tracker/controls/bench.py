"""Control-run benchmark: every control of the catalog over N femtocells and 5·N access events on SQLite.

The data is built in SQL (INSERT … SELECT over a recursive counter, indexes created afterwards, then ANALYZE as the
importer does), not through the service layer: the figure is the run, not the build. The fleet mirrors the synthetic
one's shape (30% on one shared certificate, lost, decommissioned and inactive units, 1% of attempts from outside the
operator's ranges, a few unknown cell ids), so every evaluator has work to do. The run (`sectrack check`'s service
call) is timed in a fresh child process, which also reports its peak RSS; the scaling row compares time per
device at the smallest and the largest size (1.0 is linear; below 1 better than linear).

Run with `python -m tracker.bench --only controls [--quick]`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tracker.bench import BenchRow, peak_rss_mb

FULL_SIZES = [100_000, 1_000_000]
QUICK_SIZES = [5_000, 20_000]
EVENTS_PER_DEVICE = 5
TARGET_SECONDS = 10.0

# Datetime text as SQLAlchemy stores it on SQLite (naive UTC, microseconds).
_TS = "strftime('%Y-%m-%d %H:%M:%S', '2026-11-01', {offset}) || '.000000'"


# Attempts spread over 300 days; units that were blocked, lost or decommissioned (ids ending 79-99) attempted
# only before they left, except one in twelve, which is still seen afterwards (the synthetic fleet has 8%).
_EVENT_AGE = (
    "CASE WHEN (j / 5) % 100 >= 79 AND ((j / 5) / 100) % 12 != 0 THEN '-' || (100 + j % 200) || ' days' "
    "ELSE '-' || (j % 300) || ' days' END, '-' || (j % 1440) || ' minutes'"
)


def _ts(offset_sql: str) -> str:
    return _TS.format(offset=offset_sql)


def build(db_path: Path, devices: int) -> dict[str, float]:
    """Create a migrated database with `devices` femtocells and 5× as many access events; returns timings."""
    from sqlalchemy import text

    from tracker.auth.models import Principal
    from tracker.controls import seed as controls_seed
    from tracker.controls import service
    from tracker.db import make_engine, write_session
    from tracker.models import metadata

    engine = make_engine(f"sqlite:///{db_path}")
    started = time.perf_counter()
    metadata.create_all(engine)
    heavy = [metadata.tables["femtocell"], metadata.tables["access_event"]]
    deferred = [index for table in heavy for index in table.indexes]
    events = devices * EVENTS_PER_DEVICE
    shared = "ab" * 32
    with engine.begin() as conn:
        for index in deferred:
            index.drop(conn)
        conn.execute(text("PRAGMA cache_size=-262144"))
        conn.execute(
            text(
                f"""
                WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < :devices)
                INSERT INTO femtocell (serial, cell_id, vendor, model, firmware, cert_fingerprint, cert_not_before,
                    cert_not_after, region, site_type, status, last_seen_at, last_source_ip, last_source_ip_v4,
                    config_verified_at, activated_at, blocked_at, lost_at, recovered_at, decommissioned_at,
                    cert_revoked_at, cert_revocation_required, created_at, updated_at, version)
                SELECT printf('BN%08d', i), printf('45008-%07X', i), 'Hanbit Networks', 'HB-F100', '3.2.0',
                    CASE WHEN i % 10 < 3 THEN '{shared}' ELSE printf('%064x', i) END,
                    CASE WHEN i % 10 < 3 THEN '2019-03-01 00:00:00.000000' ELSE {_ts("'-' || (i % 25) || ' days'")}
                    END,
                    CASE WHEN i % 10 < 3 THEN '2029-03-01 00:00:00.000000'
                         ELSE {_ts("'+' || (30 - i % 25) || ' days'")} END,
                    '서울', 'home',
                    CASE WHEN i % 100 < 74 THEN 'active' WHEN i % 100 < 77 THEN 'suspended'
                         WHEN i % 100 < 79 THEN 'registered' WHEN i % 100 < 80 THEN 'blocked'
                         WHEN i % 100 < 90 THEN 'lost' ELSE 'decommissioned' END,
                    CASE WHEN i % 100 BETWEEN 77 AND 78 THEN NULL
                         WHEN i % 50 = 7 THEN {_ts("'-' || (100 + i % 200) || ' days'")}
                         ELSE {_ts("'-' || (i % 600) || ' minutes'")} END,
                    CASE WHEN i % 100 = 33 THEN '203.0.113.9' ELSE '10.16.0.9' END,
                    CASE WHEN i % 100 = 33 THEN 3405803785 ELSE 168820745 END,
                    CASE WHEN i % 5 = 0 THEN NULL ELSE {_ts("'-' || (i % 600) || ' minutes'")} END,
                    '2024-01-01 00:00:00.000000',
                    CASE WHEN i % 100 = 79 THEN {_ts("'-30 days'")} END,
                    CASE WHEN i % 100 BETWEEN 80 AND 89 THEN {_ts("'-60 days'")} END,
                    CASE WHEN i % 100 = 90 THEN {_ts("'-100 days'")} END,
                    CASE WHEN i % 100 >= 90 THEN {_ts("'-90 days'")} END,
                    CASE WHEN i % 100 >= 90 AND i % 5 > 1 THEN {_ts("'-80 days'")} END,
                    CASE WHEN i % 100 >= 90 THEN 1 ELSE 0 END,
                    '2026-11-01 00:00:00.000000', '2026-11-01 00:00:00.000000', 1
                FROM n
                """
            ),
            {"devices": devices},
        )
        conn.execute(
            text(
                "INSERT INTO access_event_batch (id, received_at, source, count, digest) "
                "VALUES (1, '2026-11-01 00:00:00.000000', 'bench', :n, '')"
            ),
            {"n": events},
        )
        # Cells in id order (5 attempts each), so the cell-id indexes are built from sorted input; every 50,000th
        # attempt comes from a cell id absent from the inventory, and 1% from outside the operator's ranges.
        conn.execute(
            text(
                f"""
                WITH RECURSIVE n(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM n WHERE j + 1 < :events)
                INSERT INTO access_event (batch_id, cell_id, subscriber_pseudonym, occurred_at, source_ip,
                    source_ip_v4, result)
                SELECT 1,
                    CASE WHEN j % 50000 = 49999 THEN printf('45008-%07X', 134217728 + j / 50000)
                         ELSE printf('45008-%07X', j / {EVENTS_PER_DEVICE}) END,
                    printf('%064x', j % 400000),
                    {_ts(_EVENT_AGE)},
                    CASE WHEN j % 100 = 50 THEN '198.51.100.7' ELSE '10.16.0.9' END,
                    CASE WHEN j % 100 = 50 THEN 3325256711 ELSE 168820745 END,
                    CASE WHEN j % 25 = 3 THEN 'rejected' ELSE 'accepted' END
                FROM n
                """
            ),
            {"events": events},
        )
        for index in deferred:
            index.create(conn)
        conn.execute(text("ANALYZE"))
    built = time.perf_counter() - started
    with write_session(engine) as session:
        service.load_catalog(session, controls_seed.read()["controls"], actor=Principal.system("bench"))
    engine.dispose()
    return {"build_s": built}


def _run_main(db_path: Path) -> None:
    """Child process: one control run over the database; prints seconds and peak RSS as JSON."""

    from tracker.auth.models import Principal
    from tracker.controls import service
    from tracker.db import make_engine, write_session

    engine = make_engine(f"sqlite:///{db_path}")
    started = time.perf_counter()
    with write_session(engine) as session:
        run = service.run(session=session, actor=Principal.system("bench"))
    seconds = time.perf_counter() - started
    slowest = max(run.results, key=lambda r: r.duration_ms)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mb": peak_rss_mb(),
                "failed": run.failed,
                "slowest": f"{slowest.control_id} {slowest.duration_ms} ms",
                "per_control": {r.control_id: r.duration_ms for r in run.results},
            }
        )
    )


def _child_run(db_path: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "tracker.controls.bench", str(db_path)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def run(workdir: Path, quick: bool) -> list[BenchRow]:
    """Build each size, time one control run in a child process, report time, memory and scaling."""
    sizes = QUICK_SIZES if quick else FULL_SIZES
    rows: list[BenchRow] = []
    per_device: list[float] = []
    for devices in sizes:
        db = workdir / f"controls-{devices}.db"
        build(db, devices)
        result = _child_run(db)
        seconds = float(result["seconds"])
        per_device.append(seconds / devices)
        largest = devices == sizes[-1]
        rows.append(
            BenchRow(
                name=f"control run: {devices:,} femtocells + {devices * EVENTS_PER_DEVICE:,} access events "
                f"(slowest {result['slowest']})",
                value=seconds,
                unit="s",
                target=f"≤ {TARGET_SECONDS:g} s at 1M" if largest and not quick else "",
                ok=seconds <= TARGET_SECONDS if largest and not quick else None,
            )
        )
        rows.append(
            BenchRow(name=f"control run peak RSS ({devices:,} femtocells)", value=float(result["peak_mb"]), unit="MB")
        )
        print(json.dumps({"devices": devices, **result}), file=sys.stderr)
    rows.append(
        BenchRow(
            name=f"control run scaling: time per device at {sizes[-1]:,} / at {sizes[0]:,}",
            value=per_device[-1] / per_device[0],
            unit="ratio",
            target="≈ 1 (linear) or below",
            ok=per_device[-1] / per_device[0] <= 1.5,
        )
    )
    return rows


if __name__ == "__main__":
    _run_main(Path(sys.argv[1]))
