"""Access events in the audit export (rows proven against each batch's digest) and in as-of snapshots."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, func, select

from inventory.access_events import service
from inventory.access_events.models import AccessEvent
from inventory.imports import ImportFormat
from reports.export import rules
from reports.export import service as export_service
from reports.export.verify import verify_bundle
from reports.snapshot import snapshot_session
from tests.inventory.factories import access_event, csv_bytes
from tests.reports.export.factories import read_entries, resign, write_entries
from tracker.audit import service as audit
from tracker.auth.models import Principal
from tracker.db import read_session, write_session
from tracker.keys import load_signing_key


def _ingest(engine: Engine, actor: Principal, cells: list[str]) -> None:
    rows = [access_event(cell_id=cell, subscriber_id=f"45008{i:010d}") for i, cell in enumerate(cells)]
    with write_session(engine) as session:
        service.ingest_stream(
            session=session, stream=io.BytesIO(csv_bytes(rows)), fmt=ImportFormat.csv, source="t.csv", actor=actor
        )


def _export(engine: Engine, out: Path) -> Path:
    with read_session(engine) as session:
        export_service.export_audit(session=session, out=out)
    return out


def test_export_holds_every_ingested_event_and_verifies_against_the_batch_digests(
    engine: Engine, actor: Principal, tmp_path: Path
) -> None:
    _ingest(engine, actor, ["cell-a", "cell-b"])
    _ingest(engine, actor, ["cell-c"])
    bundle = _export(engine, tmp_path / "bundle.zip")
    entries = read_entries(bundle)
    rows = [json.loads(line) for line in entries["data/access_event.jsonl"].splitlines()]
    assert [(r["batch_id"], r["cell_id"]) for r in rows] == [(1, "cell-a"), (1, "cell-b"), (2, "cell-c")]
    assert all(len(r["subscriber_pseudonym"]) == 64 and "subscriber_id" not in r for r in rows)
    assert b"4500800000" not in entries["data/access_event.jsonl"]
    result = verify_bundle(bundle)
    assert result.ok, result.problems


def test_an_altered_or_dropped_event_is_named_even_in_a_re_signed_bundle(
    engine: Engine, actor: Principal, tmp_path: Path, signing_key_path: Path
) -> None:
    _ingest(engine, actor, ["cell-a", "cell-b"])
    entries = read_entries(_export(engine, tmp_path / "bundle.zip"))
    key: Ed25519PrivateKey = load_signing_key(signing_key_path)
    lines = entries["data/access_event.jsonl"].splitlines(keepends=True)
    for label, data in (
        ("altered", b"".join([lines[0].replace(b"cell-a", b"cell-z"), *lines[1:]])),
        ("dropped", lines[0]),
    ):
        tampered = dict(entries)
        tampered["data/access_event.jsonl"] = data
        # The CSV must agree with the JSONL, or that check would catch it first; rebuild it from the JSONL rows.
        tampered["data/access_event.csv"] = _csv_from_jsonl(data)
        resign(tampered, key)
        path = tmp_path / f"{label}.zip"
        write_entries(path, tampered)
        problems = [str(p) for p in verify_bundle(path).problems]
        assert any("batch 1 do not match the digest and count" in p for p in problems), (label, problems)


def _csv_from_jsonl(data: bytes) -> bytes:
    rows = [json.loads(line) for line in data.splitlines()]
    header = list(rows[0]) if rows else []
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row[k] for k in header])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def test_a_snapshot_holds_only_the_batches_that_existed_at_its_instant(engine: Engine, actor: Principal) -> None:
    _ingest(engine, actor, ["cell-a", "cell-b"])
    with read_session(engine) as s:
        between = audit.list_events(s, entity_type="access_event_batch").items[-1].occurred_at
    _ingest(engine, actor, ["cell-c"])
    with read_session(engine) as s, snapshot_session(s, between) as snap:
        cells = sorted(snap.scalars(select(AccessEvent.cell_id)))  # type: ignore[arg-type]
        assert cells == ["cell-a", "cell-b"]
    with read_session(engine) as s:
        assert s.scalar(select(func.count()).select_from(AccessEvent)) == 3


def test_manifest_counts_access_events_as_a_custom_entity(engine: Engine, actor: Principal, tmp_path: Path) -> None:
    _ingest(engine, actor, ["cell-a"])
    manifest = json.loads(read_entries(_export(engine, tmp_path / "b.zip"))[rules.MANIFEST])
    assert manifest["entities"]["access_event"]["records"] == 1
    assert manifest["entities"]["access_event"]["source"] == "custom"


def test_a_bundle_whose_access_events_were_removed_is_refused(
    engine: Engine, actor: Principal, tmp_path: Path, signing_key_path: Path
) -> None:
    _ingest(engine, actor, ["cell-a"])
    entries = read_entries(_export(engine, tmp_path / "bundle.zip"))
    for path in rules.data_paths("access_event"):
        del entries[path]

    def forget(document: dict[str, object]) -> None:
        document["files"] = [f for f in document["files"] if "access_event." not in f["path"]]  # type: ignore[attr-defined,index]
        del document["entities"]["access_event"]  # type: ignore[attr-defined]

    resign(entries, load_signing_key(signing_key_path), forget)
    path = tmp_path / "stripped.zip"
    write_entries(path, entries)
    problems = [str(p) for p in verify_bundle(path).problems]
    assert any("data/access_event.jsonl" in p and "is missing" in p for p in problems), problems


def test_without_access_events_there_is_no_access_event_file(engine: Engine, actor: Principal, tmp_path: Path) -> None:
    entries = read_entries(_export(engine, tmp_path / "empty.zip"))
    assert not [name for name in entries if "access_event" in name]
