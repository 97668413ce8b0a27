"""Audit chain throughput: bulk append and verification, next to plain SHA-256 over the same bytes."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tracker import canonical
from tracker.audit import service as audit
from tracker.auth.models import Principal
from tracker.bench import BenchRow, timed
from tracker.db import make_engine, read_session, write_session
from tracker.migrate import upgrade


def _state(i: int) -> dict[str, object]:
    return {
        "id": i,
        "serial": f"KTF{i:09d}",
        "cell_id": f"450-08-{i:08d}",
        "vendor": "Vendor A",
        "status": "active",
        "cert_fingerprint": hashlib.sha256(str(i).encode()).hexdigest(),
        "cert_not_after": "2026-02-01T00:00:00.000000Z",
        "region": "서울",
        "version": 1,
    }


def run(workdir: Path, quick: bool) -> list[BenchRow]:
    """Append N events in bulk, then verify them; compare with hashing the same bodies alone."""
    n = 50_000 if quick else 500_000
    engine = make_engine(f"sqlite:///{workdir / 'audit.db'}")
    upgrade(engine)
    actor = Principal.system("bench")
    events = [audit.PendingEvent("create", "femtocell", str(i), canonical.dumps(_state(i))) for i in range(n)]
    with write_session(engine) as session:
        _, append_s = timed(lambda: audit.record_many(session, actor=actor, events=events))
    with read_session(engine) as session:
        result, verify_s = timed(lambda: audit.verify(session))
    assert result.ok and result.checked == n
    bodies = [(e.state if isinstance(e.state, str) else "").encode() for e in events]

    def hash_only() -> None:
        prev = b"0" * 64
        for body in bodies:
            prev = hashlib.sha256(prev + body).hexdigest().encode()

    _, hash_s = timed(hash_only)
    verify_rate = n / verify_s
    return [
        BenchRow(f"audit bulk append ({n:,} events, SQLite)", n / append_s, "events/s"),
        BenchRow(
            f"audit verify in database ({n:,} events)",
            verify_rate,
            "events/s",
            floor=n / hash_s,
            floor_label="sha256 of the states only",
        ),
    ]
