"""The real `sectrack import` and `sectrack seed` commands: counts, every bad line named, all-or-nothing, kill -9."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from seed import synthetic
from tests.e2e.conftest import CATALOG, SECTRACK, Cli
from tests.inventory.factories import access_event, csv_bytes, femtocell_data, jsonl_bytes

pytestmark = pytest.mark.e2e


def count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_import_reports_counts_and_dry_run_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    cli("init")
    rows = [femtocell_data() for _ in range(20)]
    (tmp_path / "fleet.csv").write_bytes(csv_bytes(rows, bom=True))
    first = cli("import", "femtocells", "fleet.csv")
    assert "created 20, updated 0, unchanged 0" in first.stdout
    rows[0]["firmware"] = "9.0"
    (tmp_path / "fleet.jsonl").write_bytes(jsonl_bytes(rows))
    dry = cli("import", "femtocells", "fleet.jsonl", "--dry-run")
    assert "Dry run, nothing written" in dry.stdout and "created 0, updated 1, unchanged 19" in dry.stdout
    assert cli("import", "femtocells", "fleet.jsonl").stdout.count("updated 1") == 1
    assert count(tmp_path / "e2e.db", "femtocell") == 20
    assert f"intact: {CATALOG + 21} events" in cli("audit", "verify").stdout


def test_a_bad_file_names_every_bad_line_and_changes_nothing(cli: Cli, tmp_path: Path) -> None:
    cli("init")
    good = femtocell_data()
    rows = [
        good,
        femtocell_data(status="stolen"),
        femtocell_data(serial=good["serial"]),
        femtocell_data(cert_not_before="not a date"),
    ]
    data = csv_bytes(rows) + b"\xff\xfe broken line\n"
    (tmp_path / "bad.csv").write_bytes(data)
    result = cli("import", "femtocells", "bad.csv", check=False)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "bad.csv:3: status:" in result.stderr
    assert "bad.csv:4: serial: serial" in result.stderr and "also appears on line 2" in result.stderr
    assert "bad.csv:5: cert_not_before:" in result.stderr
    assert "bad.csv:6: The line is not valid UTF-8" in result.stderr
    assert count(tmp_path / "e2e.db", "femtocell") == 0
    assert count(tmp_path / "e2e.db", "audit_event") == CATALOG  # only init's control catalog


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "The file is empty"),
        ("nocol.csv", b"serial,cell_id\nA,B\n", "Required column 'vendor' is missing"),
        ("fleet.xlsx", b"PK", "name it .csv, .jsonl or .ndjson"),
    ],
)
def test_unusable_files_are_one_clear_error(cli: Cli, tmp_path: Path, name: str, content: bytes, message: str) -> None:
    cli("init")
    (tmp_path / name).write_bytes(content)
    result = cli("import", "femtocells", name, check=False)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_a_missing_file_is_a_clear_error(cli: Cli) -> None:
    cli("init")
    result = cli("import", "equipment", "nowhere.csv", check=False)
    assert result.returncode == 2 and "not a readable file" in result.stderr


def test_access_events_are_ingested_without_a_trace_of_the_raw_ids(cli: Cli, tmp_path: Path) -> None:
    cli("init")
    raw = ["450080000000001", "450080000000002"]
    (tmp_path / "attach.csv").write_bytes(csv_bytes([access_event(subscriber_id=r) for r in raw]))
    result = cli("import", "access-events", "attach.csv")
    assert "Ingested 2 access events from attach.csv as batch 1" in result.stdout
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("e2e.db*"))
    for value in raw:
        assert value.encode() not in stored
        assert value not in result.stdout + result.stderr


@pytest.mark.slow
def test_an_import_killed_midway_leaves_the_database_as_before(cli: Cli, tmp_path: Path) -> None:
    cli("init")
    synthetic.write_csv(tmp_path / "small.csv", synthetic.femtocell_rows(100, 1))
    cli("import", "femtocells", "small.csv")
    before = (count(tmp_path / "e2e.db", "femtocell"), count(tmp_path / "e2e.db", "audit_event"))
    # The big file updates the first 100 units and adds many more: a kill must undo both kinds of change.
    synthetic.write_csv(tmp_path / "big.csv", synthetic.femtocell_rows(150_000, 2))
    wal = tmp_path / "e2e.db-wal"
    start_size = wal.stat().st_size if wal.exists() else 0
    process = subprocess.Popen(
        [*SECTRACK, "import", "femtocells", "big.csv"],
        env=cli.env,
        cwd=cli.cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if wal.exists() and wal.stat().st_size > start_size + 8 * 1024 * 1024:
            break  # the import is writing pages of its transaction
        time.sleep(0.05)
    assert process.poll() is None, "the import finished before it could be killed; make the file bigger"
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL
    assert (count(tmp_path / "e2e.db", "femtocell"), count(tmp_path / "e2e.db", "audit_event")) == before
    assert f"intact: {before[1]} events" in cli("audit", "verify").stdout


def test_seed_creates_the_synthetic_inventory(cli: Cli, tmp_path: Path) -> None:
    cli("init")
    result = cli("seed", "--devices", "300", "--random-seed", "4")
    assert "femtocells (illustrative): 300" in result.stdout
    assert count(tmp_path / "e2e.db", "femtocell") == 300
    assert count(tmp_path / "e2e.db", "access_event") > 0
