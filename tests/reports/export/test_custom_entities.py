"""Entities exported by a custom writer and proven by a custom checker (telemetry audited per batch)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine

from reports.export import custom, rules
from reports.export.verify import verify_bundle
from tests.reports.export.conftest import Exporter
from tests.reports.export.custom_probe import record_batch
from tests.reports.export.factories import read_entries, resign, write_entries
from tracker.auth.models import Principal
from tracker.db import write_session

PROBE = "tests.reports.export.custom_probe:PROBE_READINGS"


@pytest.fixture
def with_batches(populated: Engine, actor: Principal, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """The populated database plus two audited batches of probe readings, with the probe entity registered."""
    monkeypatch.setattr(custom, "CUSTOM_ENTITIES", [PROBE])
    with write_session(populated) as session:
        record_batch(session, actor, 1, 3)
        record_batch(session, actor, 2, 2)
    return populated


def test_a_custom_entity_is_exported_with_csv_and_counted_in_the_manifest(
    with_batches: Engine, export: Exporter
) -> None:
    result = export(with_batches)
    entries = read_entries(result.path)
    lines = entries["data/probe_reading.jsonl"].decode().splitlines()
    assert [json.loads(line)["reading"] for line in lines] == ["1-1", "1-2", "1-3", "2-1", "2-2"]
    rows = list(csv.reader(io.StringIO(entries["data/probe_reading.csv"].decode("utf-8-sig"))))
    assert rows[0] == ["batch_id", "n", "reading"] and len(rows) == 6
    manifest = json.loads(entries[rules.MANIFEST])
    assert manifest["entities"]["probe_reading"] == {"records": 5, "source": "custom", "id_order": "writer"}
    assert verify_bundle(result.path).ok


def test_rows_that_do_not_match_their_batch_digest_are_named_by_the_custom_checker(
    with_batches: Engine, export: Exporter, signing_key: Ed25519PrivateKey, tmp_path: Any
) -> None:
    entries = read_entries(export(with_batches).path)
    for path in rules.data_paths("probe_reading"):
        entries[path] = entries[path].replace(b"2-2", b"2-9")
    resign(entries, signing_key)
    altered = tmp_path / "altered.zip"
    write_entries(altered, entries)
    assert [str(p) for p in verify_bundle(altered).problems] == [
        "data/probe_reading.jsonl: the rows of batch 2 do not match the digest the audit chain recorded"
    ]


def test_a_custom_file_without_a_registered_checker_is_reported(
    with_batches: Engine, export: Exporter, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = export(with_batches).path
    monkeypatch.setattr(custom, "CUSTOM_ENTITIES", [])
    problems = [str(p) for p in verify_bundle(path).problems]
    assert len(problems) == 1 and "no checker" in problems[0] and problems[0].startswith("data/probe_reading.jsonl")
