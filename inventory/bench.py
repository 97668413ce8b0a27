"""Inventory benchmarks: bulk-import speed against raw executemany, list latency on 1M rows, import memory.

- Import: `sectrack import femtocells` of an N-row synthetic CSV into a fresh SQLite file, timed in a child process
  that calls the same service function the CLI calls (`femtocells.service.import_path`; no progress bar). It
  validates every row, classifies it, writes it and appends one audit event per record, in one transaction. A file
  of 16 MB or more is read and validated by a forked reader process while the importer writes
  (`imports.ValidatedBatches`), so the import uses a second core when there is one to spare.
- Floor, measured in the same run: raw `sqlite3.executemany` of the same rows (same columns, already converted to
  what the table stores) into a same-shaped table with the same indexes and PRAGMAs as sectrack's engine (WAL,
  synchronous=NORMAL, default page cache), in one transaction. Only the executemany calls and the commit are timed.
  The import raises the page cache to 64 MB for its transaction, so the floor is also shown with that cache.
- List: p50/p95 of `GET /api/v1/femtocells` (100 per page, with filters, orderings and follow-up pages) through the
  real app (TestClient, token check included) on the imported database.
- Memory: peak RSS of the import process for N/4 and N rows (it must not grow with the file), and of its reader
  process (which shares most of its pages with the importer it was forked from: ~50 MB of its own at 200k rows).
- Access events: ingestion rate of a synthetic batch (pseudonymization, digest, batch audit event).

Run with `python -m tracker.bench --only inventory [--quick]`.
"""

from __future__ import annotations

import csv
import json
import os
import resource
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tracker.bench import BenchRow, peak_rss_mb

QUICK_ROWS = 20_000
FULL_ROWS = 1_000_000
_FLOOR_CHUNK = 50_000


def _child_import(csv_path: Path, db_path: Path) -> dict[str, float]:
    """Run the import in a fresh process; returns rows/s and the process's peak RSS."""
    out = subprocess.run(
        [sys.executable, "-m", "inventory.bench", "import", str(csv_path), str(db_path)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _import_main(csv_path: Path, db_path: Path) -> None:
    """Child process: migrate a fresh database, then time the femtocell import of `csv_path`."""

    from inventory.femtocells import service
    from inventory.imports import ImportFormat
    from tracker.auth.models import Principal
    from tracker.db import make_engine, write_session
    from tracker.migrate import upgrade

    engine = make_engine(f"sqlite:///{db_path}")
    upgrade(engine)
    start = time.perf_counter()
    with write_session(engine) as session:
        result = service.import_path(
            session=session, path=csv_path, fmt=ImportFormat.csv, actor=Principal.system("bench")
        )
    elapsed = time.perf_counter() - start
    engine.dispose()
    peak_mb = peak_rss_mb()
    # The process that read and validated a large file (`imports.ValidatedBatches`), if one did; forked from this
    # one, so its peak includes the pages it shares with it.
    reader_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "rows": result.created,
                "seconds": elapsed,
                "rows_per_s": result.created / elapsed,
                "rss_mb": peak_mb,
                "reader_rss_mb": reader_mb,
            }
        )
    )


def _floor(csv_path: Path, db_path: Path, cache_kib: int | None = None) -> float:
    """Rows/s of raw sqlite3.executemany of the same rows into a same-shaped table (same indexes, PRAGMAs)."""
    from sqlalchemy.dialects import sqlite as sqlite_dialect
    from sqlalchemy.schema import CreateIndex, CreateTable

    from inventory.femtocells.models import Femtocell
    from tracker.types import UTCDateTime

    table = Femtocell.__table__  # type: ignore[attr-defined]
    dialect = sqlite_dialect.dialect()
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    if cache_kib is not None:
        conn.execute(f"PRAGMA cache_size = {-cache_kib}")
    conn.execute(str(CreateTable(table).compile(dialect=dialect)))
    for index in table.indexes:
        conn.execute(str(CreateIndex(index).compile(dialect=dialect)))
    names = [c.name for c in table.columns]
    instants = {c.name for c in table.columns if isinstance(c.type, UTCDateTime)}
    sql = f"INSERT INTO femtocell ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
    now = "2026-11-01 00:00:00.000000"
    elapsed = 0.0
    rows = 0
    conn.execute("BEGIN IMMEDIATE")
    with csv_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        chunk: list[tuple[Any, ...]] = []

        def flush() -> float:
            start = time.perf_counter()
            conn.executemany(sql, chunk)
            return time.perf_counter() - start

        for fields in reader:
            rows += 1
            record: dict[str, Any] = {k: (v or None) for k, v in zip(header, fields, strict=True)}
            for name in instants & record.keys():
                v = record[name]
                if v is not None:
                    record[name] = f"{v[:10]} {v[11:19]}.000000"
            ip = record.get("last_source_ip")
            record.update(
                id=rows,
                version=1,
                created_at=now,
                updated_at=now,
                last_source_ip_v4=int.from_bytes(socket.inet_aton(ip), "big") if ip and ":" not in ip else None,
                cert_revocation_required=record["status"] == "decommissioned",
            )
            chunk.append(tuple(record.get(n) for n in names))
            if len(chunk) >= _FLOOR_CHUNK:
                elapsed += flush()
                chunk = []
        if chunk:
            elapsed += flush()
    start = time.perf_counter()
    conn.execute("COMMIT")
    elapsed += time.perf_counter() - start
    conn.close()
    return rows / elapsed


def _list_latencies(db_path: Path, repeat: int) -> list[float]:
    """Milliseconds per request for a mix of filtered list requests through the real app."""
    from fastapi.testclient import TestClient

    from seed.synthetic import SHARED_CERT_FINGERPRINT
    from tracker.app import create_app
    from tracker.auth import service as auth_service
    from tracker.auth.models import Principal, Role, TokenCreate
    from tracker.db import make_engine, write_session

    engine = make_engine(f"sqlite:///{db_path}")
    with write_session(engine) as session:
        token = auth_service.create(
            session=session, data=TokenCreate(name="bench-reader", role=Role.staff), actor=Principal.system("bench")
        ).token
    queries: list[dict[str, str]] = [
        {},
        {"status": "active"},
        {"region": "부산"},
        {"status": "lost", "vendor": "Mirae Cells"},
        {"cert_fingerprint": SHARED_CERT_FINGERPRINT},
        {"region": "경기", "status": "decommissioned"},
        {"q": "HB25"},
        {"status": "active", "order_by": "cert_not_after"},
        {"site_type": "business", "region": "서울"},
        {"order_by": "-serial"},
        {"status": "lost", "order_by": "-cert_not_after"},
        {"model": "HB-F200", "order_by": "cell_id"},
    ]
    timings: list[float] = []
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(engine)) as client:
        for params in queries:  # warm-up: first touches read the pages from disk
            client.get("/api/v1/femtocells", params={**params, "limit": "100"}, headers=headers)
        for _ in range(repeat):
            for params in queries:
                cursor = None
                for _page in range(3):  # the first page and two follow-up pages
                    query = {**params, "limit": "100"} | ({"cursor": cursor} if cursor else {})
                    start = time.perf_counter()
                    response = client.get("/api/v1/femtocells", params=query, headers=headers)
                    timings.append((time.perf_counter() - start) * 1000)
                    assert response.status_code == 200, response.text
                    cursor = response.json()["next_cursor"]
                    if cursor is None:
                        break
    engine.dispose()
    return timings


def _ingest_rate(workdir: Path, devices: int) -> tuple[int, float]:
    """Access events per second for one synthetic batch ingested from JSONL."""
    from inventory.access_events import service
    from inventory.imports import ImportFormat
    from seed.synthetic import access_event_rows, write_jsonl
    from tracker.auth.models import Principal
    from tracker.db import make_engine, write_session
    from tracker.migrate import upgrade
    from tracker.settings import get_settings

    path = workdir / "events.jsonl"
    write_jsonl(path, access_event_rows(devices, 2025))
    os.environ.setdefault("SECTRACK_PSEUDONYM_KEY", "bench-only-pseudonymization-key")
    get_settings.cache_clear()
    engine = make_engine(f"sqlite:///{workdir / 'events.db'}")
    upgrade(engine)
    start = time.perf_counter()
    with write_session(engine) as session, path.open("rb") as stream:
        result = service.ingest_stream(
            session=session, stream=stream, fmt=ImportFormat.jsonl, source="bench", actor=Principal.system("bench")
        )
    elapsed = time.perf_counter() - start
    engine.dispose()
    return result.count, result.count / elapsed


def run(workdir: Path, quick: bool) -> list[BenchRow]:
    """Import vs floor, list latency, import memory at two sizes, access-event ingestion."""
    from seed.synthetic import femtocell_rows, write_csv

    n = QUICK_ROWS if quick else FULL_ROWS
    quarter = n // 4
    big, small = workdir / f"fleet-{n}.csv", workdir / f"fleet-{quarter}.csv"
    write_csv(big, femtocell_rows(n, 2025))
    write_csv(small, femtocell_rows(quarter, 2025))
    from inventory.imports import IMPORT_CACHE_KIB

    floor = _floor(big, workdir / "floor.db")
    # The import enlarges SQLite's page cache for its transaction; the same floor with that cache, for context.
    tuned_floor = _floor(big, workdir / "floor-tuned.db", cache_kib=IMPORT_CACHE_KIB)
    imported = _child_import(big, workdir / "import.db")
    smaller = _child_import(small, workdir / "import-small.db")
    latencies = _list_latencies(workdir / "import.db", repeat=3 if quick else 10)
    p50 = statistics.median(latencies)
    p95 = statistics.quantiles(latencies, n=20)[-1]
    events, event_rate = _ingest_rate(workdir, 5_000 if quick else 100_000)
    ratio = imported["rows_per_s"] / floor
    growth = imported["rss_mb"] / smaller["rss_mb"]
    return [
        BenchRow(
            f"sectrack import femtocells ({n:,} rows CSV → SQLite, service in-process, 1 audit event/row)",
            imported["rows_per_s"],
            "rows/s",
            floor=floor,
            floor_label="raw sqlite3.executemany, same table",
            target="ratio ≥ 0.5",
            ok=ratio >= 0.5,
        ),
        BenchRow(
            f"  same raw executemany with the import's {IMPORT_CACHE_KIB // 1024} MB page cache",
            tuned_floor,
            "rows/s",
        ),
        BenchRow(f"GET /femtocells p50 ({n:,} rows, filters, 100/page)", p50, "ms"),
        BenchRow(f"GET /femtocells p95 ({n:,} rows, filters, 100/page)", p95, "ms", target="≤ 25 ms", ok=p95 <= 25),
        BenchRow(f"import peak RSS ({quarter:,} rows)", smaller["rss_mb"], "MB"),
        BenchRow(
            f"  its reader process's peak RSS ({quarter:,} rows; shared pages included)", smaller["reader_rss_mb"], "MB"
        ),
        BenchRow(
            f"import peak RSS ({n:,} rows)",
            imported["rss_mb"],
            "MB",
            floor=smaller["rss_mb"],
            floor_label=f"{quarter:,} rows",
            target="flat: ratio ≤ 1.15",
            # Below ~60k rows the database still fits the import's 64 MB page cache, so quick runs grow with it.
            ok=None if quick else growth <= 1.15,
        ),
        BenchRow(
            f"  its reader process's peak RSS ({n:,} rows; shared pages included)", imported["reader_rss_mb"], "MB"
        ),
        BenchRow(f"access-event ingestion ({events:,} events, JSONL → SQLite)", event_rate, "events/s"),
    ]


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "import":
        _import_main(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        sys.exit("usage: python -m inventory.bench import FILE.csv DB.sqlite (used by `make bench`)")
