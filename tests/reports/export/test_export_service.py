"""The export engine: what a bundle holds, that its data equals the chain, byte-identity of past instants."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from openpyxl import load_workbook
from sqlalchemy import Engine

from reports.export import rules, service, xlsx
from reports.export.verify import verify_bundle
from tests.reports.export.conftest import Exporter
from tests.reports.export.factories import (
    canonical_event,
    jsonl,
    read_entries,
    record,
    widget_state,
)
from tracker import canonical
from tracker.audit import service as audit
from tracker.auth.models import Principal
from tracker.db import read_session, write_session
from tracker.errors import Invalid
from tracker.keys import public_key_pem
from tracker.types import now_utc

EXPECTED_ORDER = [
    rules.EVENTS,
    "data/api_token.jsonl",
    "data/api_token.csv",
    "data/system_meta.jsonl",
    "data/system_meta.csv",
    "data/widget.jsonl",
    "data/widget.csv",
    rules.POAM,
    rules.REGISTERS,
    rules.PUBLIC_KEY,
    rules.MANIFEST,
    rules.SIGNATURE,
]


def _csv(data: bytes) -> tuple[list[str], list[list[str]]]:
    assert data.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM"
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    return rows[0], rows[1:]


def test_a_fresh_bundle_verifies_with_the_trusted_key_and_no_warning(
    populated: Engine, export: Exporter, signing_key: Ed25519PrivateKey
) -> None:
    result = export(populated)
    report = verify_bundle(result.path, trusted_key=public_key_pem(signing_key))
    assert report.ok, [str(p) for p in report.problems]
    assert report.trusted_key and not report.warnings
    assert report.events == 11 and report.records == 7


def test_without_a_trusted_key_the_bundle_verifies_but_warns_the_key_is_self_asserted(
    populated: Engine, export: Exporter
) -> None:
    report = verify_bundle(export(populated).path)
    assert report.ok
    assert any("self-consistent" in w for w in report.warnings)


def test_a_bundle_signed_by_another_key_fails_against_the_trusted_key(populated: Engine, export: Exporter) -> None:
    other = public_key_pem(Ed25519PrivateKey.generate())
    report = verify_bundle(export(populated).path, trusted_key=other)
    assert [p.path for p in report.problems] == [rules.SIGNATURE]
    assert "trusted key" in report.problems[0].message
    assert report.warnings == ["public-key.pem is not the trusted key you gave; the trusted key was used."]


def test_entries_are_written_in_a_fixed_order_with_fixed_time_and_permissions(
    populated: Engine, export: Exporter
) -> None:
    result = export(populated)
    with zipfile.ZipFile(result.path) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == EXPECTED_ORDER
    stamp = rules.zip_date_time(result.scope.as_of)
    assert {i.date_time for i in infos} == {stamp[:5] + (stamp[5] // 2 * 2,)}
    assert {i.external_attr >> 16 for i in infos} == {0o100644}
    assert {i.compress_type for i in infos} == {zipfile.ZIP_DEFLATED}


def test_manifest_lists_every_other_file_with_its_hash_and_size_and_the_chain_head(
    populated: Engine, export: Exporter
) -> None:
    result = export(populated)
    entries = read_entries(result.path)
    manifest = json.loads(entries[rules.MANIFEST])
    assert entries[rules.MANIFEST] == canonical.dump_bytes(manifest)
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == set(entries) - {rules.MANIFEST, rules.SIGNATURE}
    for path, entry in listed.items():
        assert entry["size"] == len(entries[path])
        assert entry["sha256"] == hashlib.sha256(entries[path]).hexdigest()
    with read_session(populated) as session:
        head = audit.head(session)
    assert manifest["chain"]["head_seq"] == head.seq and manifest["chain"]["head_hash"] == head.hash
    assert manifest["entities"] == {
        "api_token": {"records": 2, "source": "audit_chain", "id_order": "numeric"},
        "system_meta": {"records": 2, "source": "audit_chain", "id_order": "code_point"},
        "widget": {"records": 3, "source": "audit_chain", "id_order": "numeric"},
    }
    assert manifest["point_in_time"] is False and manifest["generated_at"] == manifest["as_of"]


def test_read_manifest_gives_the_signed_bytes(populated: Engine, export: Exporter) -> None:
    result = export(populated)
    data = service.read_manifest(result.path)
    assert hashlib.sha256(data).hexdigest() == result.manifest_sha256
    assert json.loads(data) == result.manifest


def test_events_file_is_the_chain_and_every_line_meets_the_documented_hash_rule(
    populated: Engine, export: Exporter
) -> None:
    entries = read_entries(export(populated).path)
    events = [canonical_event(line) for line in entries[rules.EVENTS].splitlines()]
    with read_session(populated) as session:
        stored = audit.list_events(session, limit=100).items
    assert [e["seq"] for e in events] == [e.seq for e in stored]
    assert [e["hash"] for e in events] == [e.hash for e in stored]
    assert [e["state"] for e in events] == [e.state for e in stored]
    for line in entries[rules.EVENTS].splitlines():
        assert line == canonical.dump_bytes(json.loads(line))


def test_data_files_hold_each_live_record_as_the_chain_last_saw_it(populated: Engine, export: Exporter) -> None:
    entries = read_entries(export(populated).path)
    widgets = jsonl(entries["data/widget.jsonl"])
    assert [w["id"] for w in widgets] == [1, 2, 10]  # numeric order; widget 3 was deleted
    assert widgets[1]["name"] == "위젯 2 (renamed)"
    tokens = jsonl(entries["data/api_token.jsonl"])
    assert [t["name"] for t in tokens] == ["ops-kim", "ops-lee"]
    assert tokens[1]["revoked_by"] == "tester"
    assert all("token_hash" not in t for t in tokens)
    with read_session(populated) as session:
        for entity_type in ("api_token", "system_meta", "widget"):
            from_chain = sorted(
                (s for _, s in audit.states_as_of(session, entity_type=entity_type, as_of=now_utc())),
                key=canonical.dumps,
            )
            exported = sorted(jsonl(entries[f"data/{entity_type}.jsonl"]), key=canonical.dumps)
            assert exported == from_chain


def test_string_ids_are_ordered_by_code_point_and_integer_ids_numerically(
    engine: Engine, actor: Principal, export: Exporter
) -> None:
    with write_session(engine) as session:
        for key in ("가", "b", "A", "é", "10", "9"):
            record(session, actor, "label", key, {"key": key})
        for i in (100, 9, 10, 0):
            record(session, actor, "counter", i, {"id": i})
    entries = read_entries(export(engine).path)
    assert [r["key"] for r in jsonl(entries["data/label.jsonl"])] == ["10", "9", "A", "b", "é", "가"]
    assert [r["id"] for r in jsonl(entries["data/counter.jsonl"])] == [0, 9, 10, 100]


def test_csv_opens_with_the_csv_module_and_renders_the_jsonl_by_the_documented_rules(
    populated: Engine, export: Exporter
) -> None:
    entries = read_entries(export(populated).path)
    header, rows = _csv(entries["data/widget.csv"])
    records = jsonl(entries["data/widget.jsonl"])
    assert header == sorted(records[0])  # no table named widget: keys sorted
    assert len(rows) == len(records)
    for row, state in zip(rows, records, strict=True):
        assert row == [rules.csv_cell(state.get(c)) for c in header]
    first = dict(zip(header, rows[0], strict=True))
    assert first["note"] == "" and first["enabled"] == "false" and first["tags"] == '["a","b"]'
    assert first["limits"] == '{"max":1,"unit":"원"}'
    assert first["formula"] == "'=1+1"  # never a formula in Excel
    assert first["quoted"] == 'say "hi", then\nleave'
    token_header, _ = _csv(entries["data/api_token.csv"])
    # The table's column order, without the token hash that the chain never holds.
    assert token_header == [
        "id",
        "name",
        "role",
        "prefix",
        "created_at",
        "created_by",
        "revoked_at",
        "revoked_by",
        "version",
    ]


def test_csv_header_is_the_union_of_keys_when_older_records_lack_newer_columns(
    engine: Engine, actor: Principal, export: Exporter
) -> None:
    with write_session(engine) as session:
        record(session, actor, "gadget", 1, {"id": 1, "name": "old"})
        record(session, actor, "gadget", 2, {"id": 2, "name": "new", "colour": "red"})
    result = export(engine)
    header, rows = _csv(read_entries(result.path)["data/gadget.csv"])
    assert header == ["colour", "id", "name"]
    assert rows == [["", "1", "old"], ["red", "2", "new"]]
    assert verify_bundle(result.path).ok


def test_exports_of_a_past_instant_are_byte_identical_even_after_later_writes(
    populated: Engine, actor: Principal, export: Exporter
) -> None:
    with read_session(populated) as session:
        as_of = audit.list_events(session, limit=100).items[-1].occurred_at
    time.sleep(0.01)
    first = export(populated, as_of=as_of).path.read_bytes()
    second = export(populated, as_of=as_of).path.read_bytes()
    with write_session(populated) as session:
        record(session, actor, "widget", 1, widget_state(1, name="changed later"))
        record(session, actor, "widget", 77, widget_state(77))
    time.sleep(1.1)  # a later second on the wall clock, which must not leak into the bundle
    third = export(populated, as_of=as_of)
    assert first == second == third.path.read_bytes()
    manifest = json.loads(read_entries(third.path)[rules.MANIFEST])
    assert manifest["point_in_time"] is True and manifest["generated_at"] is None
    assert manifest["as_of"] == canonical.isoformat_utc(as_of)
    assert verify_bundle(third.path).ok


def test_a_past_instant_leaves_out_later_events_and_shows_states_as_they_were(
    engine: Engine, actor: Principal, export: Exporter
) -> None:
    with write_session(engine) as session:
        record(session, actor, "widget", 1, widget_state(1))
    with read_session(engine) as session:
        as_of = audit.head_as_of(session, now_utc())
        instant = audit.list_events(session).items[-1].occurred_at
    time.sleep(0.01)
    with write_session(engine) as session:
        record(session, actor, "widget", 1, widget_state(1, name="later"))
        record(session, actor, "later_type", 1, {"id": 1})
    entries = read_entries(export(engine, as_of=instant).path)
    assert len(entries[rules.EVENTS].splitlines()) == as_of.seq == 1
    assert jsonl(entries["data/widget.jsonl"])[0]["name"] == "위젯 1"
    assert "data/later_type.jsonl" not in entries


def test_as_of_a_date_means_the_end_of_that_day_in_seoul(populated: Engine, export: Exporter) -> None:
    result = export(populated, as_of="2020-01-01")
    assert canonical.isoformat_utc(result.scope.as_of) == "2020-01-01T14:59:59.999999Z"
    assert result.scope.head.seq == 0


def test_an_as_of_not_yet_past_is_an_export_of_now(populated: Engine, export: Exporter) -> None:
    before = now_utc()
    result = export(populated, as_of=now_utc() + timedelta(days=1))
    manifest = result.manifest
    assert manifest["point_in_time"] is False and manifest["generated_at"] == manifest["as_of"]
    assert before <= result.scope.as_of <= now_utc()
    assert result.scope.head.seq == 11


def test_an_as_of_that_is_not_a_date_is_refused_naming_the_field(populated: Engine, export: Exporter) -> None:
    with pytest.raises(Invalid) as caught:
        export(populated, as_of="last tuesday")
    assert caught.value.field == "as_of"


def test_as_of_text_follows_the_seoul_rules() -> None:
    assert service.parse_as_of("2026-01-31") == datetime(2026, 1, 31, 14, 59, 59, 999999, tzinfo=UTC)
    assert service.parse_as_of("2026-01-31T09:00:00") == datetime(2026, 1, 31, 0, 0, tzinfo=UTC)
    assert service.parse_as_of("2026-01-31T09:00:00Z") == datetime(2026, 1, 31, 9, 0, tzinfo=UTC)
    # Beyond what a UTC datetime can hold: the first instant (an export before every event).
    assert service.parse_as_of("0001-01-01T00:00:00+09:00") == datetime.min.replace(tzinfo=UTC)


def test_an_empty_database_exports_a_bundle_that_verifies(engine: Engine, export: Exporter) -> None:
    result = export(engine)
    entries = read_entries(result.path)
    assert entries[rules.EVENTS] == b""
    assert not [p for p in entries if p.startswith(rules.DATA_DIR)]
    assert verify_bundle(result.path).ok


def test_a_failed_export_leaves_no_file_behind(
    populated: Engine, export: Exporter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(xlsx.RegisterWorkbook, "save", broken)
    with pytest.raises(RuntimeError):
        export(populated, name="never.zip")
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".zip", ".partial")) == []


def test_registers_workbook_has_a_summary_and_one_sheet_per_small_register(
    engine: Engine, actor: Principal, export: Exporter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsx, "ROW_LIMIT", 3)
    with write_session(engine) as session:
        for i in range(1, 4):
            record(session, actor, "widget", i, widget_state(i))
        for i in range(1, 5):
            record(session, actor, "gizmo", i, {"id": i, "status": "on" if i < 4 else "off"})
        for i in range(1, 3):
            record(session, actor, "femtocell", i, {"id": i, "status": "active"})
    entries = read_entries(export(engine).path)
    workbook = load_workbook(io.BytesIO(entries[rules.REGISTERS]))
    assert workbook.sheetnames == ["Summary", "widget"]
    summary = [tuple(c.value for c in row) for row in workbook["Summary"].iter_rows()]
    assert ("femtocell", "(all)", 2) in summary and ("femtocell", "active", 2) in summary
    assert ("gizmo", "on", 3) in summary and ("gizmo", "off", 1) in summary
    widgets = list(workbook["widget"].iter_rows())
    header = [c.value for c in widgets[0]]
    formula = widgets[1][header.index("formula")]
    assert formula.value == "=1+1" and formula.data_type == "s"
    assert widgets[1][header.index("id")].value == 1


def test_registers_workbook_carries_the_as_of_instant_not_the_wall_clock(populated: Engine, export: Exporter) -> None:
    result = export(populated)
    workbook_bytes = read_entries(result.path)[rules.REGISTERS]
    with zipfile.ZipFile(io.BytesIO(workbook_bytes)) as inner:
        stamp = rules.zip_date_time(result.scope.as_of)
        assert {i.date_time for i in inner.infolist()} == {stamp[:5] + (stamp[5] // 2 * 2,)}
        core = inner.read("docProps/core.xml").decode()
    expected = result.scope.as_of.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert core.count(expected) == 2  # created and modified


@pytest.mark.parametrize(
    "values",
    [
        ["a", "b"],
        ["a,b", "c"],
        ['say "hi"', ""],
        ["line\nbreak", "x"],
        ["cr\r", "x"],
        ["", ""],
        [" padded ", "-1"],
    ],
)
def test_csv_rows_are_exactly_what_the_csv_module_writes(tmp_path: Path, values: list[str]) -> None:
    from reports.export.bundle import _CsvSpool

    for header in (["a", "b"], ["a"]):
        state = dict(zip(header, values, strict=False))
        spool = _CsvSpool(tmp_path / "t.csv", header)
        spool.row(state)
        spool.close()
        expected = io.StringIO(newline="")
        writer = csv.writer(expected, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerow([rules.csv_cell(state.get(c)) for c in header])
        assert (tmp_path / "t.csv").read_bytes() == b"\xef\xbb\xbf" + expected.getvalue().encode()
