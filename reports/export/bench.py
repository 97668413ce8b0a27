"""Export and verify at scale: 1,000,000 records and 2,000,000 audit events (targets: <= 60 s and <= 300 MB peak to
export; >= 150k events/s to verify the chain).

The data is synthetic inventory: 1,000,000 femtocell-like records of the entity type `bench_femtocell` (13 fields,
about 330 bytes of canonical JSON each, Korean region names), each created and then updated once (its status
changes), so 2,000,000 events. They are appended with `audit.record_many` exactly as a bulk import would; the export
reads only the audit chain, so no table is needed for them.

Export and verify each run in a child process, which reports its own wall time, CPU time and peak resident memory
(imports included), so the parent's memory for building the database does not count. CPU time is shown because wall
time on this shared machine depends on the neighbours; the export's CPU time adds its deflate thread's. The floor
for verification is reading the same `audit/events.jsonl` lines out of the same ZIP and chaining SHA-256 over them,
with no parsing, measured in the same child.
"""

from __future__ import annotations

import hashlib
import io
import json
import resource
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

from tracker import canonical
from tracker.audit import service as audit
from tracker.auth.models import Principal
from tracker.bench import BenchRow, peak_rss_mb
from tracker.db import make_engine, write_session
from tracker.keys import ensure_signing_key
from tracker.migrate import upgrade

ENTITY = "bench_femtocell"
_REGIONS = ["서울", "부산", "대구", "인천", "광주", "대전", "울산", "경기"]


def _state(i: int, version: int) -> str:
    return canonical.dumps(
        {
            "id": i,
            "serial": f"KTF{i:09d}",
            "cell_id": f"450-08-{i:08d}",
            "vendor": "Vendor A" if i % 3 else "Vendor B",
            "model": "FX-2",
            "firmware": "1.2.3",
            "status": "active" if version == 1 else ("suspended" if i % 5 == 0 else "active"),
            "cert_fingerprint": hashlib.sha256(str(i).encode()).hexdigest(),
            "cert_not_after": "2026-02-01T00:00:00.000000Z",
            "region": _REGIONS[i % len(_REGIONS)],
            "site_type": "home" if i % 4 else "business",
            "last_seen_at": None if i % 7 == 0 else "2026-01-15T09:30:00.000000Z",
            "version": version,
        }
    )


def _events(records: int, version: int) -> Iterator[audit.PendingEvent]:
    action = "create" if version == 1 else "update"
    for i in range(1, records + 1):
        yield audit.PendingEvent(action, ENTITY, str(i), _state(i, version))


def _build(db: Path, records: int) -> None:
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    actor = Principal.system("bench")
    for version in (1, 2):
        with write_session(engine) as session:
            audit.record_many(session, actor=actor, events=_events(records, version))
    engine.dispose()


def _cpu_seconds() -> float:
    # Wall time on a shared machine depends on the neighbours; CPU time much less.
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _child_export(db: str, out: str, key: str) -> dict[str, float]:
    from reports.export.bundle import export_bundle
    from tracker.db import read_session
    from tracker.keys import load_signing_key

    engine = make_engine(f"sqlite:///{db}")
    started, cpu = time.perf_counter(), _cpu_seconds()
    with read_session(engine) as session:
        export_bundle(session=session, out=Path(out), key=load_signing_key(Path(key)))
    return {"seconds": time.perf_counter() - started, "cpu_seconds": _cpu_seconds() - cpu, "peak_mb": peak_rss_mb()}


def _child_verify(bundle: str) -> dict[str, float]:
    from reports.export.rules import EVENTS
    from reports.export.verify import verify_bundle

    started, cpu = time.perf_counter(), _cpu_seconds()
    report = verify_bundle(Path(bundle))
    total, total_cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    if not report.ok:
        raise SystemExit("the benchmark bundle did not verify: " + "; ".join(map(str, report.problems[:5])))
    peak = peak_rss_mb()
    # The floor: the same lines from the same ZIP, SHA-256 chained, nothing parsed.
    started, cpu = time.perf_counter(), time.process_time()
    lines = 0
    prev = b"0" * 64
    with zipfile.ZipFile(bundle) as archive, archive.open(EVENTS) as raw:
        for line in io.BufferedReader(cast(Any, raw), 1 << 20):
            prev = hashlib.sha256(prev + line).hexdigest().encode()
            lines += 1
    floor, floor_cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "seconds": total,
        "cpu_seconds": total_cpu,
        "chain_seconds": report.seconds["chain"],
        "chain_cpu_seconds": report.seconds["chain_cpu"],
        "events": report.events,
        "records": report.records,
        "floor_seconds": floor,
        "floor_cpu_seconds": floor_cpu,
        "floor_lines": lines,
        "peak_mb": peak,
    }


def _in_child(*args: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "reports.export.bench", *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmark child {args[0]} failed: {done.stderr.strip()[-2000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run(workdir: Path, quick: bool) -> list[BenchRow]:
    """Build the chain, export it, verify it; figures from child processes."""
    records = 20_000 if quick else 1_000_000
    db = workdir / "export.db"
    key = workdir / "signing-key.pem"
    ensure_signing_key(key)
    bundle = workdir / "bundle.zip"
    _build(db, records)
    exported = _in_child("export", str(db), str(bundle), str(key))
    verified = _in_child("verify", str(bundle))
    events = int(verified["events"])
    label = f"{records:,} records + {events:,} events"
    chain_rate = events / verified["chain_seconds"]
    floor_rate = verified["floor_lines"] / verified["floor_seconds"]
    size_mb = bundle.stat().st_size / 1e6
    return [
        BenchRow(
            f"export time ({label}, SQLite)", exported["seconds"], "s", target="<= 60 s", ok=exported["seconds"] <= 60
        ),
        BenchRow(
            f"export peak memory ({label})",
            exported["peak_mb"],
            "MB",
            target="<= 300 MB",
            ok=exported["peak_mb"] <= 300,
        ),
        BenchRow(f"export CPU time, both threads ({label})", exported["cpu_seconds"], "s"),
        BenchRow(f"export bundle size ({label})", size_mb, "MB"),
        BenchRow(
            f"verify audit chain ({events:,} events from the ZIP)",
            chain_rate,
            "events/s",
            floor=floor_rate,
            floor_label="read + SHA-256 the same lines",
            target=">= 150k events/s",
            ok=chain_rate >= 150_000,
        ),
        BenchRow(
            f"verify audit chain per CPU second ({events:,} events)",
            events / verified["chain_cpu_seconds"],
            "events/s",
            floor=verified["floor_lines"] / verified["floor_cpu_seconds"],
            floor_label="read + SHA-256, per CPU second",
        ),
        BenchRow(f"verify whole bundle ({label})", verified["seconds"], "s"),
        BenchRow(f"verify whole bundle, CPU time ({label})", verified["cpu_seconds"], "s"),
        BenchRow(f"verify peak memory ({label})", verified["peak_mb"], "MB"),
    ]


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    outcome = _child_export(*arguments) if command == "export" else _child_verify(*arguments)
    print(json.dumps(outcome))
