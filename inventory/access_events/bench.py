"""Exposure-analysis benchmark: the full summary over 1M femtocells and 5M access events on SQLite.

The data is built by SQL alone (recursive CTEs into a migrated database, then ANALYZE as the importers do), so the
benchmark spends its time on the analysis, not on generating rows: every inventory status in the synthetic fleet's
proportions, lost and decommissioned units seen before and after they left service, and `_ILLEGAL` cell ids that are
not in the inventory, attaching a pool of subscribers that overlaps across cells (so distinct counts matter).

Figures: the summary (totals + top cells), the first page of the cell list, one cell's detail and its first page of
subscribers, through the service functions the API calls. Target: the full summary interactive (≤ 5 s) at 5M events.
Floor, same run: raw sqlite3 reading the distinct cell ids from the index, the one pass any definition needs (an id
absent from the inventory is found only by reading every id seen); on a busy machine read the ratio.
Run with `python -m tracker.bench --only access_events [--quick]`.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tracker.bench import BenchRow, median_time, timed

QUICK = (20_000, 100_000)
FULL = (1_000_000, 5_000_000)
_ILLEGAL = 20
_SUBSCRIBERS = 2_000_000

# i % 100 → status, in the synthetic fleet's proportions (seed/synthetic.py _STATUS_WEIGHTS).
_STATUS = (
    "CASE WHEN i % 100 < 74 THEN 'active' WHEN i % 100 < 77 THEN 'suspended' WHEN i % 100 < 79 THEN 'registered' "
    "WHEN i % 100 < 80 THEN 'blocked' WHEN i % 100 < 90 THEN 'lost' ELSE 'decommissioned' END"
)


def build(db_path: Path, devices: int, events: int) -> None:
    """A migrated SQLite database holding `devices` femtocells and `events` access events, built in SQL."""
    from tracker.db import make_engine
    from tracker.migrate import upgrade

    engine = make_engine(f"sqlite:///{db_path}")
    upgrade(engine)
    engine.dispose()
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-262144")
    conn.execute("BEGIN")
    left = "'2025-03-01 00:00:00.000000'"
    conn.execute(
        f"""
        WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < {devices})
        INSERT INTO femtocell (id, serial, cell_id, vendor, model, firmware, cert_fingerprint, cert_not_before,
            cert_not_after, region, site_type, status, activated_at, lost_at, blocked_at, decommissioned_at,
            cert_revoked_at, cert_revocation_required, created_at, updated_at, version)
        SELECT i + 1, printf('SN%08d', i), printf('45008-%07X', i), 'Bench', 'HB-1', '1.0',
            printf('%064x', i % 1000), '2025-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000', '서울',
            'home', {_STATUS}, CASE WHEN i % 100 NOT BETWEEN 77 AND 78 THEN '2024-06-01 00:00:00.000000' END,
            CASE WHEN i % 100 >= 80 AND i % 100 < 90 THEN {left} END,
            CASE WHEN i % 100 = 79 THEN {left} END,
            CASE WHEN i % 100 >= 90 THEN {left} END,
            CASE WHEN i % 100 >= 95 THEN {left} END,
            i % 100 >= 90, '2025-01-01 00:00:00.000000', '2025-01-01 00:00:00.000000', 1
        FROM n
        """
    )
    conn.execute(
        "INSERT INTO access_event_batch (id, received_at, source, count, digest) "
        f"VALUES (1, '2025-09-10 00:00:00.000000', 'bench', {events}, '')"
    )
    # Event k: a cell (every 500th event one of the illegal ids), a subscriber from a shared pool, an instant in
    # 2024-08-01 .. 2025-09-10. As in seed/synthetic.py, about 8% of lost and decommissioned units are still seen
    # after they left service (2025-03-01 here); the others' events all fall before.
    conn.execute(
        f"""
        WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k + 1 < {events}),
        e(k, j, late) AS (
            SELECT k, (k * 7919) % {devices},
                NOT ((k * 7919) % {devices} % 100 >= 80 AND ((k * 7919) % {devices} / 100) % 12 <> 0)
            FROM n
        )
        INSERT INTO access_event (id, batch_id, cell_id, subscriber_pseudonym, occurred_at, source_ip, source_ip_v4,
            result)
        SELECT k + 1, 1,
            CASE WHEN k % 500 = 0 THEN printf('45008-F%06X', (k / 500) % {_ILLEGAL}) ELSE printf('45008-%07X', j) END,
            printf('%064x', (k * 104729) % {_SUBSCRIBERS}),
            strftime('%Y-%m-%d %H:%M:%f000',
                1722470400 + (k * 2654435761) % CASE WHEN late OR k % 500 = 0 THEN 35078400 ELSE 18403200 END,
                'unixepoch'),
            '10.0.0.1', 167772161,
            CASE WHEN k % 25 = 1 THEN 'rejected' ELSE 'accepted' END
        FROM e
        """
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()


def _distinct_cells(db_path: Path) -> int:
    """The pass no definition can skip (ids absent from the inventory are only found by reading every cell id seen):
    raw sqlite3 over the (cell_id, occurred_at) index, as a floor for the summary measured in the same run."""
    conn = sqlite3.connect(db_path)
    try:
        return int(conn.execute("SELECT count(*) FROM (SELECT DISTINCT cell_id FROM access_event)").fetchone()[0])
    finally:
        conn.close()


def run(workdir: Path, quick: bool) -> list[BenchRow]:
    """Summary, cell page, cell detail and subscriber page timings on a synthetic fleet."""
    from inventory.access_events import exposure
    from tracker.db import make_engine, read_session

    devices, events = QUICK if quick else FULL
    db_path = workdir / "exposure.db"
    _, build_s = timed(lambda: build(db_path, devices, events))
    engine = make_engine(f"sqlite:///{db_path}")
    with read_session(engine) as session:
        summary, first_s = timed(lambda: exposure.summary(session=session))
        summary_s = median_time(lambda: exposure.summary(session=session), repeat=3)
        page_s = median_time(lambda: exposure.list_cells(session=session, limit=100), repeat=3)
        illegal = "45008-F000000"  # the first illegal id (see build)
        cell_s = median_time(lambda: exposure.get_cell(session=session, cell_id=illegal), repeat=5)
        subs_s = median_time(lambda: exposure.list_subscribers(session=session, cell_id=illegal, limit=100), repeat=5)
    engine.dispose()
    floor_s = median_time(lambda: _distinct_cells(db_path), repeat=3)
    t = summary.totals
    size = f"{devices:,} femtocells, {events:,} events"
    return [
        BenchRow(f"exposure: build bench data in SQL ({size})", build_s, "s"),
        BenchRow(
            f"exposure summary, first run ({t.unauthorized_cells:,} cells, {t.exposed_subscribers:,} subscribers)",
            first_s,
            "s",
        ),
        BenchRow(
            f"exposure summary ({size})",
            summary_s,
            "s",
            floor=floor_s,
            floor_label="raw sqlite3: distinct cell ids",
            target="≤ 5 s",
            ok=summary_s <= 5,
        ),
        BenchRow("exposure cells, first page of 100", page_s * 1000, "ms"),
        BenchRow("exposure of one cell", cell_s * 1000, "ms"),
        BenchRow("exposed subscribers of one cell, 100/page", subs_s * 1000, "ms"),
    ]
